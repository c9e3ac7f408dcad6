/**
 * The token worker's message handling, as plain functions so Node tests can drive it with real encodings.
 *
 * This module holds the dynamic imports of gpt-tokenizer's encodings (about 1 MB gzip of ranks each): only
 * the worker and tests import it. The barrel re-exports its types alone, so the encodings never enter the
 * main thread's module graph.
 */
import { countChatPromptTokens, countTextTokens, type CountText, type PromptMessage } from './count';
import { encodingForModel, type EncodingName } from './encoding';

/** Main thread → worker: the prompt tokens of a chat. (`kind` may be left out: a request without it is a chat.) */
export interface CountRequest {
  id: number;
  kind?: 'chat';
  model: string;
  messages: PromptMessage[];
}

/** Worker → main thread. `ms` is the time the worker spent, loading the encoding included. */
export type CountReply =
  | { id: number; tokens: number; encoding: EncodingName; exact: boolean; ms: number }
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

function isPromptMessage(m: unknown): m is PromptMessage {
  if (typeof m !== 'object' || m === null) return false;
  const { role, content, name } = m as Record<string, unknown>;
  return (
    typeof role === 'string' &&
    typeof content === 'string' &&
    (name === undefined || typeof name === 'string')
  );
}

/**
 * Turns each request into a reply under the model's encoding: for a chat request (no `kind`, or 'chat')
 * the prompt tokens of `messages`; for a 'texts' request the tokens of each text, counted alone with no
 * overhead, which is what an embeddings request is billed (`usage.prompt_tokens` is their sum). Never
 * throws; a malformed request or a tokenizer that cannot load becomes `{ id, error }`.
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
        : Array.isArray(request.messages) && request.messages.every(isPromptMessage));
    if (!wellFormed) {
      return {
        id,
        error: texts
          ? 'Malformed count request: expected a model id and a list of strings.'
          : 'Malformed count request: expected a model id and messages with string fields.',
      };
    }
    const { encoding, exact } = encodingForModel(model);
    try {
      const encoder = await loadEncoder(encoding);
      if (request.kind === 'texts') {
        const counts = request.texts.map((text) => countTextTokens(text, encoder.count));
        return { id, counts, encoding, exact, ms: now() - started };
      }
      const tokens = countChatPromptTokens(request.messages, encoder.count);
      return { id, tokens, encoding, exact, ms: now() - started };
    } catch (error) {
      return { id, error: errorText(error) };
    }
  }
  return handle as CountHandler;
}
