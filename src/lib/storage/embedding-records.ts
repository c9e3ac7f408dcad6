import * as v from 'valibot';
import { defineRecord } from './records';

const vector = v.custom<Float32Array>((value) => value instanceof Float32Array, 'a Float32Array');
const dims = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_536)));
const item = v.object({ text: v.string(), label: v.string() });

/**
 * One cached embedding, `embedding:<key>`, the key a hash of (base URL, model, dimensions, text): running
 * the same texts again does not pay twice. A `Float32Array` round-trips through IndexedDB as itself.
 */
export const embeddingCacheRecord = defineRecord({
  kind: 'embedding',
  version: 1,
  schema: v.object({ vector, model: v.string(), dimensions: dims }),
});

const draftSchema = v.object({
  items: v.array(item),
  model: v.pipe(v.string(), v.maxLength(256)),
  dimensions: dims,
  query: v.string(),
});

/** The embeddings lab as the user left it: texts, model, dimensions, query. */
export type EmbeddingsDraft = v.InferOutput<typeof draftSchema>;

export const embeddingsDraftRecord = defineRecord({
  kind: 'embeddings-draft',
  version: 1,
  schema: draftSchema,
  userContent: true,
});

const runSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  kind: v.literal('embeddings'),
  createdAt: v.number(),
  finishedAt: v.number(),
  baseURL: v.string(),
  model: v.string(),
  dimensions: dims,
  items: v.array(item),
  /** One per item; null where it was not embedded (skipped, too long, or the run stopped first). */
  vectors: v.array(v.nullable(vector)),
  end: v.picklist(['done', 'stopped', 'failed']),
  problem: v.nullable(v.object({ kind: v.string(), title: v.string(), cause: v.string(), fix: v.string() })),
  fromCache: v.pipe(v.number(), v.integer(), v.minValue(0)),
  requests: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Tokens the API billed (its usage), for the requests made. */
  tokens: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
  costUsd: v.nullable(v.pipe(v.number(), v.minValue(0))),
  totalMs: v.pipe(v.number(), v.minValue(0)),
});

/** A finished, stopped or failed embeddings run: its inputs, vectors, timings and cost. */
export type EmbeddingsRunRecord = v.InferOutput<typeof runSchema>;

export const embeddingsRunRecord = defineRecord({
  kind: 'embeddings-run',
  version: 1,
  schema: runSchema,
  userContent: true,
});
