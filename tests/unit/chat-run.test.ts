import { describe, expect, it } from 'vitest';
import { runChat, retryDelay, type RetryWait, type RunOptions } from '../../src/lib/api/chat-run';
import { createClient } from '../../src/lib/api/client';
import { ChatAssembler } from '../../src/lib/chat/assemble';
import { readFixture, requestFor, streamIndex, useServer } from '../server/helpers';
import type { Session } from '../server/control';

const { session } = useServer();

function options(s: Session, patch: Partial<RunOptions> = {}): RunOptions {
  return {
    signal: new AbortController().signal,
    stallMs: 30_000,
    maxRetries: 0,
    errorContext: { baseURL: s.baseURL, path: '/chat/completions' },
    network: { pageOrigin: 'http://127.0.0.1', likelyServer: null },
    ...patch,
  };
}

const client = (s: Session) => createClient({ apiKey: s.key, baseURL: s.baseURL, maxRetries: 0 });
const FIXTURE = 'openai-python__test_parse_nothing.sse';
const body = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }], stream: true as const };

describe('ChatAssembler on every recorded stream', () => {
  for (const entry of streamIndex()) {
    it(`${entry.file}: content, refusal, tool calls and finish reasons equal the recorded deltas`, () => {
      const text = readFixture(`sse/${entry.file}`).toString('utf8');
      const chunks = entry.file.endsWith('.jsonl')
        ? text.split('\n').filter((l) => l.trim())
        : text
            .split('\n')
            .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
            .map((l) => l.slice(6));
      const assembler = new ChatAssembler();
      for (const chunk of chunks) assembler.add(JSON.parse(chunk));
      const result = assembler.result();
      for (const [index, expected] of Object.entries(entry.assembled_by_concatenating_deltas)) {
        const choice = result.choices.find((c) => c.index === Number(index))!;
        expect(choice.content).toBe(expected.content ?? '');
        expect(choice.refusal).toBe(expected.refusal);
        expect(choice.finishReason).toBe(expected.finish_reason);
        expect(choice.toolCalls.map((t) => ({ name: t.name, arguments: t.arguments }))).toEqual(
          expected.tool_calls.map((t) => ({ name: t.name, arguments: t.arguments })),
        );
      }
      expect(result.usage ?? null).toEqual(Object.keys(entry.usage ?? {}).length ? entry.usage : null);
    });
  }
});

describe('runChat against the test server, through the SDK', () => {
  it('replays a stream, keeps usage past gpt-5’s trailing usage:null chunk, and times every chunk', async () => {
    const s = await session();
    const entry = streamIndex().find((e) => e.file === 'pydantic-ai__gpt-5_text.1.sse')!;
    await s.queue({ kind: 'replay', fixture: entry.file, chunkDelayMs: 5 });
    const seen: number[] = [];
    const outcome = await runChat(
      client(s),
      { ...requestFor(entry), model: 'gpt-5', stream: true, stream_options: { include_usage: true } },
      options(s, { events: { onChunk: (_c, t) => seen.push(t) } }),
    );
    expect(outcome.end).toBe('done');
    expect(outcome.assembled.usage).toEqual(entry.usage);
    expect(outcome.assembled.choices[0]!.content).toBe(entry.assembled_by_concatenating_deltas['0']!.content);
    expect(outcome.chunks.map((c) => c.t)).toEqual(seen);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(outcome.timings.firstTokenMs).not.toBeNull();
    expect(outcome.requestId).toMatch(/^req_/);
  });

  it('reads a whole completion when streaming is off', async () => {
    const s = await session();
    await s.queue({ kind: 'replay', fixture: FIXTURE });
    const outcome = await runChat(client(s), { ...body, stream: false }, options(s));
    expect(outcome.end).toBe('done');
    expect(outcome.response?.object).toBe('chat.completion');
    expect(outcome.assembled.choices[0]!.finishReason).toBe('stop');
  });

  it('stop keeps what arrived', async () => {
    const s = await session();
    await s.queue({ kind: 'replay', fixture: 'vercel-ai__openai-text.chunks.jsonl', chunkDelayMs: 20 });
    const controller = new AbortController();
    const outcome = await runChat(
      client(s),
      body,
      options(s, {
        signal: controller.signal,
        events: { onChunk: (_c, _t, _v, a) => a.text(0).length > 40 && controller.abort() },
      }),
    );
    expect(outcome.end).toBe('stopped');
    expect(outcome.problem).toBeNull();
    expect(outcome.assembled.choices[0]!.content.length).toBeGreaterThan(40);
    expect(outcome.chunks.length).toBeLessThan(303);
  });

  it('a cut stream is interrupted, with the partial answer kept', async () => {
    const s = await session();
    await s.queue({ kind: 'cut', fixture: FIXTURE, afterChunks: 5 });
    const outcome = await runChat(client(s), body, options(s));
    expect(outcome.end).toBe('interrupted');
    expect(outcome.chunks).toHaveLength(5);
    expect(outcome.problem).toMatchObject({ kind: 'interrupted', title: 'The stream broke off' });
    expect(outcome.assembled.choices[0]!.content.length).toBeGreaterThan(0);
  });

  it('a malformed chunk interrupts the stream and says so', async () => {
    const s = await session();
    await s.queue({ kind: 'malformed', fixture: FIXTURE, afterChunks: 3 });
    const outcome = await runChat(client(s), body, options(s));
    expect(outcome.end).toBe('interrupted');
    expect(outcome.problem?.title).toBe('The stream sent something unreadable');
  });

  it('a stall is reported after the stall time, and again while it lasts', async () => {
    const s = await session();
    await s.queue({ kind: 'stall', fixture: FIXTURE, afterChunks: 2 });
    const controller = new AbortController();
    const stalls: number[] = [];
    const outcome = await runChat(
      client(s),
      body,
      options(s, {
        signal: controller.signal,
        stallMs: 150,
        events: {
          onStall: (ms) => {
            stalls.push(ms);
            if (stalls.length === 2) controller.abort();
          },
        },
      }),
    );
    expect(stalls).toEqual([150, 300]);
    expect(outcome.end).toBe('stopped');
    expect(outcome.chunks).toHaveLength(2);
  });

  it('never reports a stall when streaming is off: a whole answer may take its time', async () => {
    const s = await session();
    await s.queue({ kind: 'delay', ms: 400 });
    const stalls: number[] = [];
    const outcome = await runChat(
      client(s),
      { ...body, stream: false },
      options(s, { stallMs: 100, events: { onStall: (ms) => stalls.push(ms) } }),
    );
    expect(outcome.end).toBe('done');
    expect(stalls).toEqual([]);
  });

  it('a stream that breaks right after its headers is interrupted, not retried', async () => {
    const s = await session();
    await s.queue({ kind: 'cut', fixture: FIXTURE, afterChunks: 0 }, { kind: 'replay', fixture: FIXTURE });
    const outcome = await runChat(client(s), body, options(s, { maxRetries: 2 }));
    expect(outcome.end).toBe('interrupted');
    expect(outcome.attempts).toBe(1);
    expect(outcome.problem?.cause).toMatch(/^After the response started and before any chunk/);
  });

  it('retries a 500 with a countdown, then answers', async () => {
    const s = await session();
    await s.queue({ kind: 'error', error: '500_server_error' }, { kind: 'replay', fixture: FIXTURE });
    const waits: RetryWait[] = [];
    const outcome = await runChat(
      client(s),
      body,
      options(s, { maxRetries: 2, events: { onRetryWait: (w) => waits.push(w) } }),
    );
    expect(outcome.end).toBe('done');
    expect(outcome.attempts).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ attempt: 2, of: 3, problem: { kind: 'server', status: 500 } });
    expect(waits[0]!.waitMs).toBeGreaterThanOrEqual(375);
    expect(waits[0]!.waitMs).toBeLessThanOrEqual(500);
  });

  it('waits as long as the "try again in" hint says, and can be cancelled while it waits', async () => {
    const s = await session();
    await s.queue({ kind: 'error', error: '429_rate_limit_reached_try_again' });
    const controller = new AbortController();
    const outcome = await runChat(
      client(s),
      body,
      options(s, {
        signal: controller.signal,
        maxRetries: 2,
        events: {
          onRetryWait: (w) => {
            expect(w.waitMs).toBe(3890);
            controller.abort();
          },
        },
      }),
    );
    expect(outcome).toMatchObject({ end: 'failed', retryCancelled: true, problem: { kind: 'rate-limit' } });
    expect((await s.requests()).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('does not retry insufficient_quota, a 401 or a 400', async () => {
    for (const error of [
      '429_insufficient_quota',
      '401_invalid_api_key',
      '400_unsupported_value_temperature',
    ]) {
      const s = await session();
      await s.queue({ kind: 'error', error });
      const outcome = await runChat(client(s), body, options(s, { maxRetries: 2 }));
      expect(outcome.end).toBe('failed');
      expect(outcome.attempts).toBe(1);
    }
  });

  it('gives up after max retries with the last problem', async () => {
    const s = await session();
    await s.queue({ kind: 'error', error: '500_server_error' }, { kind: 'error', error: '500_server_error' });
    const outcome = await runChat(client(s), body, options(s, { maxRetries: 1 }));
    expect(outcome).toMatchObject({ end: 'failed', attempts: 2, problem: { kind: 'server' } });
  });
});

describe('retryDelay', () => {
  const problem = { kind: 'rate-limit', field: 'request', title: '', cause: '', fix: '' } as const;
  it('uses the hint, backs off without one, and never waits for quota or a bad request', () => {
    expect(retryDelay({ ...problem, retryAfterMs: 174 }, 1)).toBe(174);
    expect(retryDelay({ ...problem, retryAfterMs: 120_000 }, 1)).toBeNull();
    expect(retryDelay(problem, 1, () => 0)).toBe(500);
    expect(retryDelay(problem, 3, () => 0)).toBe(2000);
    expect(retryDelay(problem, 10, () => 0)).toBe(8000);
    expect(retryDelay({ ...problem, kind: 'quota' }, 1)).toBeNull();
    expect(retryDelay({ ...problem, kind: 'bad-request', status: 400 }, 1)).toBeNull();
    expect(retryDelay({ ...problem, kind: 'bad-request', status: 409 }, 1, () => 0)).toBe(500);
  });
});
