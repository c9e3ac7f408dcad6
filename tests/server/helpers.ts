import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { createSession, type Session } from './control.ts';
import { startTestServer, type TestServer } from './server.ts';
import type { SessionOptions } from './types.ts';

/**
 * `tests/fixtures/`, resolved from this file. The tests read fixtures themselves, not through the
 * server's `fixtures.ts`, so that a bug there cannot make the server and its oracle agree.
 */
export const FIXTURES = new URL('../fixtures/', import.meta.url);

export function readFixture(relative: string): Buffer {
  return readFileSync(new URL(relative, FIXTURES));
}

export function readFixtureJson<T>(relative: string): T {
  return JSON.parse(readFixture(relative).toString('utf8')) as T;
}

/**
 * One server per test file on a free port, started before and closed after the file's tests;
 * `session()` gives each test its own session so parallel tests never share scripted state.
 */
export function useServer(): {
  server: () => TestServer;
  session: (options?: SessionOptions) => Promise<Session>;
} {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const get = () => {
    if (!server) throw new Error('the test server is not running');
    return server;
  };
  return { server: get, session: (options) => createSession(get().url, options) };
}

/** The real SDK pointed at a session, without retries so every scripted answer is seen once. */
export function clientFor(session: Session, options: { maxRetries?: number; apiKey?: string } = {}): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey ?? session.key,
    baseURL: session.baseURL,
    maxRetries: options.maxRetries ?? 0,
  });
}

/** One entry of `tests/fixtures/sse/index.json`. */
export interface StreamIndexEntry {
  file: string;
  request: { model?: string; messages?: { role: string; content: string }[] };
  models: string[];
  finish_reasons: Record<string, string>;
  usage: Record<string, unknown>;
  assembled_by_concatenating_deltas: Record<
    string,
    {
      content: string | null;
      refusal: string | null;
      tool_calls: { index: number; id: string; name: string; arguments: string }[];
      finish_reason: string;
      n_logprob_tokens: number;
    }
  >;
}

export const streamIndex = (): StreamIndexEntry[] => readFixtureJson<StreamIndexEntry[]>('sse/index.json');

/** The bytes a stream fixture is on the wire: `.sse` as is, `.jsonl` wrapped as the README says. */
export function wireBytes(file: string): Buffer {
  const bytes = readFixture(`sse/${file}`);
  if (!file.endsWith('.jsonl')) return bytes;
  const lines = bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return Buffer.from(lines.map((line) => `data: ${line}\n\n`).join('') + 'data: [DONE]\n\n');
}

/** What one choice of a stream adds up to. */
export interface AssembledChoice {
  content: string | null;
  refusal: string | null;
  tool_calls: { index: number; id: string; name: string; arguments: string }[];
  finish_reason: string | null;
  n_logprob_tokens: number;
}

/** Concatenates chunk deltas per choice index, the way the fixture index did; usage is the last non-null one. */
export function assembleChunks(chunks: OpenAI.Chat.Completions.ChatCompletionChunk[]): {
  choices: Record<string, AssembledChoice>;
  usage: unknown;
} {
  const choices: Record<string, AssembledChoice> = {};
  let usage: unknown = null;
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const state = (choices[String(choice.index)] ??= {
        content: null,
        refusal: null,
        tool_calls: [],
        finish_reason: null,
        n_logprob_tokens: 0,
      });
      const delta = choice.delta ?? {};
      if (delta.content) state.content = (state.content ?? '') + delta.content;
      if (delta.refusal) state.refusal = (state.refusal ?? '') + delta.refusal;
      for (const call of delta.tool_calls ?? []) {
        const existing = state.tool_calls.find((c) => c.index === call.index);
        if (existing) existing.arguments += call.function?.arguments ?? '';
        else
          state.tool_calls.push({
            index: call.index,
            id: call.id ?? '',
            name: call.function?.name ?? '',
            arguments: call.function?.arguments ?? '',
          });
      }
      state.n_logprob_tokens +=
        (choice.logprobs?.content?.length ?? 0) + (choice.logprobs?.refusal?.length ?? 0);
      if (choice.finish_reason) state.finish_reason = choice.finish_reason;
    }
  }
  return { choices, usage };
}

/** The model and messages to send for a fixture: its recorded request where it has one. */
export function requestFor(entry: StreamIndexEntry): {
  model: string;
  messages: { role: 'user'; content: string }[];
} {
  const model =
    entry.request.model && !entry.request.model.includes(' ') ? entry.request.model : entry.models[0]!;
  const recorded = entry.request.messages?.filter((m) => m.role === 'user');
  return {
    model,
    messages: recorded?.length
      ? recorded.map((m) => ({ role: 'user' as const, content: m.content }))
      : [{ role: 'user', content: 'Hello' }],
  };
}
