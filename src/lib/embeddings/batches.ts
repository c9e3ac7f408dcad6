/**
 * Splitting a list of texts into embeddings requests the API accepts (CreateEmbeddingRequest: at most
 * 2,048 inputs, 8,192 tokens per input, 300,000 tokens per request; see EMBEDDING_LIMITS).
 */
import { EMBEDDING_LIMITS } from '../models/limits';

/** Texts `start` (included) to `end` (excluded), as `texts.slice(start, end)` takes them. */
export interface Batch {
  start: number;
  end: number;
}

export interface BatchLimits {
  maxInputs: number;
  maxTokensPerRequest: number;
}

/** The API's per-request limits. */
export const DEFAULT_BATCH_LIMITS: Readonly<BatchLimits> = {
  maxInputs: EMBEDDING_LIMITS.maxInputsPerRequest,
  maxTokensPerRequest: EMBEDDING_LIMITS.maxTokensPerRequest,
};

function isCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0;
}

/**
 * Cuts the texts, whose token counts are given in order, into as few contiguous requests as a greedy pass
 * makes: each batch takes texts until the next one would pass `maxInputs` or `maxTokensPerRequest`. The
 * batches cover every index once, in order; none is empty.
 *
 * The per-input limit (8,192 tokens) is not checked here: the caller removes the texts {@link tooLong}
 * finds before planning, and maps the batches back to its own indices.
 *
 * @throws RangeError when a count is not a whole number ≥ 0, when one text alone is over
 *   `maxTokensPerRequest` (no batch could hold it), or when a limit is not a whole number ≥ 1.
 */
export function planBatches(
  tokenCounts: readonly number[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): Batch[] {
  const { maxInputs, maxTokensPerRequest } = limits;
  if (!(isCount(maxInputs) && maxInputs >= 1 && isCount(maxTokensPerRequest) && maxTokensPerRequest >= 1)) {
    throw new RangeError(`Batch limits must be whole numbers of at least 1, not ${JSON.stringify(limits)}.`);
  }
  const batches: Batch[] = [];
  let start = 0;
  let tokens = 0;
  for (let i = 0; i < tokenCounts.length; i++) {
    const count = tokenCounts[i]!;
    if (!isCount(count)) throw new RangeError(`Token count ${i} is ${count}, not a whole number ≥ 0.`);
    if (count > maxTokensPerRequest) {
      throw new RangeError(
        `Text ${i} has ${count} tokens, more than the ${maxTokensPerRequest} a request may hold: remove it first.`,
      );
    }
    if (i - start === maxInputs || tokens + count > maxTokensPerRequest) {
      batches.push({ start, end: i });
      start = i;
      tokens = 0;
    }
    tokens += count;
  }
  if (start < tokenCounts.length) batches.push({ start, end: tokenCounts.length });
  return batches;
}

/** The indices of the texts over the per-input limit (8,192 tokens), in order: the API refuses them. */
export function tooLong(
  tokenCounts: readonly number[],
  maxInputTokens: number = EMBEDDING_LIMITS.maxInputTokens,
): number[] {
  const indices: number[] = [];
  tokenCounts.forEach((count, i) => {
    if (count > maxInputTokens) indices.push(i);
  });
  return indices;
}
