import { tooLong } from './batches';

/** A cached vector, as the cache record holds it. */
export interface CachedVector {
  vector: Float32Array;
  model: string;
  dimensions: number | null;
}

/**
 * Which texts a run sends: all but those over the per-input limit (`long`, flagged and left out),
 * and of those, the ones the cache does not already hold for this model and length (`misses`).
 * `vectors` starts with the cache's hits and is filled in as the requests answer.
 */
export function planRun(input: {
  counts: readonly number[];
  maxInputTokens: number;
  keys: readonly string[];
  cached: readonly (CachedVector | undefined)[];
  model: string;
  dimensions: number | null;
}): {
  long: number[];
  sendable: number[];
  keyOf: Map<number, string>;
  vectors: Map<number, Float32Array>;
  misses: number[];
} {
  const long = tooLong(input.counts, input.maxInputTokens);
  const skip = new Set(long);
  const sendable = input.counts.map((_, i) => i).filter((i) => !skip.has(i));
  if (input.keys.length !== sendable.length || input.cached.length !== sendable.length) {
    throw new RangeError('planRun needs one cache key and one cache read per text it sends.');
  }
  const keyOf = new Map(sendable.map((item, k) => [item, input.keys[k]!]));
  const vectors = new Map<number, Float32Array>();
  sendable.forEach((item, k) => {
    const hit = input.cached[k];
    // A vector of another model or length must never stand in: it lives in another space.
    if (hit && hit.model === input.model && hit.dimensions === input.dimensions)
      vectors.set(item, hit.vector);
  });
  return { long, sendable, keyOf, vectors, misses: sendable.filter((i) => !vectors.has(i)) };
}

/** The texts a run would send, before the cache is read: all but the too-long ones. */
export function sendableTexts(counts: readonly number[], maxInputTokens: number): number[] {
  const skip = new Set(tooLong(counts, maxInputTokens));
  return counts.map((_, i) => i).filter((i) => !skip.has(i));
}
