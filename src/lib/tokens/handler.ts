/**
 * The token worker's message handling, as plain functions so Node tests can drive it with real encodings.
 *
 * This module holds the dynamic imports of gpt-tokenizer's encodings (about 1 MB gzip of ranks each): only
 * the worker and tests import it. The barrel re-exports its types alone, so the encodings never enter the
 * main thread's module graph.
 */
import { countChatPromptTokens, type CountText, type PromptMessage } from './count';
import { encodingForModel, type EncodingName } from './encoding';

/** Main thread → worker. */
export interface CountRequest {
  id: number;
  model: string;
  messages: PromptMessage[];
}

/** Worker → main thread. `ms` is the time the worker spent, loading the encoding included. */
export type CountReply =
  | { id: number; tokens: number; encoding: EncodingName; exact: boolean; ms: number }
  | { id: number; error: string };

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
 * Turns each request into a reply: the prompt tokens of `messages` under the model's encoding. Never throws;
 * a malformed request or a tokenizer that cannot load becomes `{ id, error }`.
 */
export function createCountHandler(
  loadEncoder: (name: EncodingName) => Promise<Encoder>,
  now: () => number = () => performance.now(),
): (request: CountRequest) => Promise<CountReply> {
  return async ({ id, model, messages }) => {
    const started = now();
    if (typeof model !== 'string' || !Array.isArray(messages) || !messages.every(isPromptMessage)) {
      return { id, error: 'Malformed count request: expected a model id and messages with string fields.' };
    }
    const { encoding, exact } = encodingForModel(model);
    try {
      const encoder = await loadEncoder(encoding);
      const tokens = countChatPromptTokens(messages, encoder.count);
      return { id, tokens, encoding, exact, ms: now() - started };
    } catch (error) {
      return { id, error: errorText(error) };
    }
  };
}
