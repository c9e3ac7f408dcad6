/**
 * The token worker's message handling, as plain functions so Node tests can drive it with real encodings.
 *
 * This module holds the dynamic imports of gpt-tokenizer's encodings (about 1 MB gzip of ranks each): only
 * the worker and tests import it. The barrel re-exports its types alone, so the encodings never enter the
 * main thread's module graph.
 */
import {
  countChatPrompt,
  countTextTokens,
  type CountText,
  type PromptMessage,
  type PromptTool,
  type PromptToolChoice,
} from './count';
import { encodingForModel, type EncodingName } from './encoding';

/**
 * Main thread → worker: the prompt tokens of a chat, with the request's function tools and tool choice
 * when it has them. (`kind` may be left out: a request without it is a chat.)
 */
export interface CountRequest {
  id: number;
  kind?: 'chat';
  model: string;
  messages: PromptMessage[];
  tools?: PromptTool[];
  toolChoice?: PromptToolChoice;
}

/**
 * Worker → main thread. `ms` is the time the worker spent, loading the encoding included. `toolTokens` is
 * the part of `tokens` the tool definitions take, and `toolsApproximate` says the tools' rules were used
 * (see `PromptTokenCount` in ./count).
 */
export type CountReply =
  | {
      id: number;
      tokens: number;
      toolTokens: number;
      toolsApproximate: boolean;
      encoding: EncodingName;
      exact: boolean;
      ms: number;
    }
  | { id: number; error: string };

/** Main thread → worker: the tokens of each text on its own, as an embeddings input counts. */
export interface TextsCountRequest {
  id: number;
  kind: 'texts';
  model: string;
  texts: string[];
}

/** Worker → main thread: `counts[i]` is the tokens of `texts[i]` (0 for ''). */
export type TextsCountReply =
  | { id: number; counts: number[]; encoding: EncodingName; exact: boolean; ms: number }
  | { id: number; error: string };

/** Every message the token worker takes, and every one it sends back (each carries its request's id). */
export type TokenRequest = CountRequest | TextsCountRequest;
export type TokenReply = CountReply | TextsCountReply;

/** The worker's handler: a reply of the request's own kind. */
export interface CountHandler {
  (request: CountRequest): Promise<CountReply>;
  (request: TextsCountRequest): Promise<TextsCountReply>;
  (request: TokenRequest): Promise<TokenReply>;
}

/** One loaded tokenizer, treating special-token text (`<|endoftext|>`) as ordinary text, as the API does. */
export interface Encoder {
  encode(text: string): number[];
  count: CountText;
}

/** The part of a `gpt-tokenizer/encoding/*` module we use. */
export interface EncodingModule {
  encode(text: string, options: { disallowedSpecial: Set<string> }): number[];
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

export type EncodingImporters = Readonly<Record<EncodingName, () => Promise<EncodingModule>>>;

/** One chunk per encoding, loaded on first use. */
export const ENCODING_IMPORTERS: EncodingImporters = {
  o200k_base: () => import('gpt-tokenizer/encoding/o200k_base'),
  cl100k_base: () => import('gpt-tokenizer/encoding/cl100k_base'),
};

/**
 * A loader that imports each encoding once. A failed import (offline, a chunk gone after a deploy) is not
 * remembered, so the next request tries again.
 */
export function createEncoderLoader(
  importers: EncodingImporters = ENCODING_IMPORTERS,
): (name: EncodingName) => Promise<Encoder> {
  const loaded = new Map<EncodingName, Promise<Encoder>>();
  // Without it, user text such as "<|endoftext|>" makes gpt-tokenizer throw.
  const ordinary = { disallowedSpecial: new Set<string>() };
  return (name) => {
    const known = loaded.get(name);
    if (known) return known;
    const encoder = importers[name]().then(
      (m): Encoder => ({
        encode: (text) => m.encode(text, ordinary),
        count: (text) => m.countTokens(text, ordinary),
      }),
      (error: unknown) => {
        loaded.delete(name);
        throw new Error(`The ${name} tokenizer could not be loaded: ${errorText(error)}`, { cause: error });
      },
    );
    loaded.set(name, encoder);
    return encoder;
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const optional = (value: unknown, type: 'string' | 'boolean') =>
  value === undefined || value === null || typeof value === type;

function isToolCall(c: unknown): boolean {
  if (!isRecord(c) || !isRecord(c.function)) return false;
  return (
    typeof c.id === 'string' &&
    c.type === 'function' &&
    typeof c.function.name === 'string' &&
    typeof c.function.arguments === 'string'
  );
}

function isPromptMessage(m: unknown): m is PromptMessage {
  if (!isRecord(m)) return false;
  const { role, content, name, tool_calls: calls, tool_call_id: callId } = m;
  return (
    typeof role === 'string' &&
    optional(content, 'string') &&
    (name === undefined || typeof name === 'string') &&
    (calls === undefined || (Array.isArray(calls) && calls.every(isToolCall))) &&
    (callId === undefined || typeof callId === 'string')
  );
}

function isPromptTool(t: unknown): t is PromptTool {
  if (!isRecord(t) || t.type !== 'function' || !isRecord(t.function)) return false;
  const { name, description, parameters, strict } = t.function;
  return (
    typeof name === 'string' &&
    (description === undefined || typeof description === 'string') &&
    (parameters === undefined || isRecord(parameters)) &&
    optional(strict, 'boolean')
  );
}

function isToolChoice(c: unknown): c is PromptToolChoice {
  if (c === 'auto' || c === 'none' || c === 'required') return true;
  return isRecord(c) && c.type === 'function' && isRecord(c.function) && typeof c.function.name === 'string';
}

function isChatRequest(request: CountRequest): boolean {
  const { messages, tools, toolChoice } = request;
  return (
    Array.isArray(messages) &&
    messages.every(isPromptMessage) &&
    (tools === undefined || (Array.isArray(tools) && tools.every(isPromptTool))) &&
    (toolChoice === undefined || isToolChoice(toolChoice))
  );
}

/**
 * Turns each request into a reply under the model's encoding: for a chat request (no `kind`, or 'chat')
 * the prompt tokens of `messages`, `tools` and `toolChoice`; for a 'texts' request the tokens of each
 * text, counted alone with no overhead, which is what an embeddings request is billed
 * (`usage.prompt_tokens` is their sum). Never throws; a malformed request or a tokenizer that cannot load
 * becomes `{ id, error }`.
 */
export function createCountHandler(
  loadEncoder: (name: EncodingName) => Promise<Encoder>,
  now: () => number = () => performance.now(),
): CountHandler {
  async function handle(request: TokenRequest): Promise<TokenReply> {
    const started = now();
    const { id, model } = request;
    const texts = request.kind === 'texts';
    const wellFormed =
      typeof model === 'string' &&
      (texts
        ? Array.isArray(request.texts) && request.texts.every((t) => typeof t === 'string')
        : isChatRequest(request));
    if (!wellFormed) {
      return {
        id,
        error: texts
          ? 'Malformed count request: expected a model id and a list of strings.'
          : 'Malformed count request: expected a model id, messages with string fields and function tools.',
      };
    }
    const { encoding, exact } = encodingForModel(model);
    try {
      const encoder = await loadEncoder(encoding);
      if (request.kind === 'texts') {
        const counts = request.texts.map((text) => countTextTokens(text, encoder.count));
        return { id, counts, encoding, exact, ms: now() - started };
      }
      const { messages, tools, toolChoice } = request;
      const count = countChatPrompt(messages, encoder.count, tools, toolChoice);
      return {
        id,
        tokens: count.total,
        toolTokens: count.tools,
        toolsApproximate: count.approximate,
        encoding,
        exact,
        ms: now() - started,
      };
    } catch (error) {
      return { id, error: errorText(error) };
    }
  }
  return handle as CountHandler;
}
