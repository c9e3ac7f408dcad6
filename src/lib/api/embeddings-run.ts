import type OpenAI from 'openai';
import { decodeBase64Embedding } from '../embeddings/math';
import { buildEmbeddingsRequest } from '../embeddings/request';
import { describeApiError, diagnoseNetworkFailure, type ErrorContext } from './errors';
import type { ApiProblem, LocalServer } from './problems';

/** Which texts go in which request, each range within the API's limits. */
export interface EmbedJob {
  model: string;
  dimensions: number | null;
  texts: readonly string[];
  batches: readonly { start: number; end: number }[];
}

export interface EmbedOptions {
  signal: AbortSignal;
  errorContext: ErrorContext;
  network: { pageOrigin: string; likelyServer: LocalServer | null };
  /** Called as each request's vectors arrive, so they can be cached and counted at once. */
  onBatch?(start: number, vectors: Float32Array[]): void | Promise<void>;
  maxRetries?: number;
}

export interface EmbedOutcome {
  end: 'done' | 'stopped' | 'failed';
  problem: ApiProblem | null;
  /** One per text of the job; null for those not embedded (the run stopped or failed first). */
  vectors: (Float32Array | null)[];
  /** Prompt tokens the API reported, summed over the requests. */
  tokens: number | null;
  requests: number;
  totalMs: number;
}

/** A vector as the server sent it: base64 float32 (as asked), or a plain array from a server that ignores it. */
function toVector(embedding: unknown): Float32Array {
  if (typeof embedding === 'string') return decodeBase64Embedding(embedding);
  if (Array.isArray(embedding)) return Float32Array.from(embedding as number[]);
  throw new TypeError('The server sent an embedding that is neither base64 nor a list of numbers.');
}

/**
 * Embeds the job's texts one request per batch, in order, through the SDK (with its own retries for
 * 429/5xx). Stops between or during requests when the signal aborts; keeps every vector that arrived.
 * Never throws.
 */
export async function runEmbeddings(
  client: OpenAI,
  job: EmbedJob,
  options: EmbedOptions,
): Promise<EmbedOutcome> {
  const started = performance.now();
  const vectors: (Float32Array | null)[] = job.texts.map(() => null);
  let tokens: number | null = null;
  let requests = 0;
  const finish = (end: EmbedOutcome['end'], problem: ApiProblem | null): EmbedOutcome => ({
    end,
    problem,
    vectors,
    tokens,
    requests,
    totalMs: performance.now() - started,
  });

  for (const batch of job.batches) {
    if (options.signal.aborted) return finish('stopped', null);
    const texts = job.texts.slice(batch.start, batch.end);
    try {
      requests++;
      const response = await client.embeddings.create(
        buildEmbeddingsRequest({ model: job.model, dimensions: job.dimensions, texts }),
        { signal: options.signal, maxRetries: options.maxRetries ?? 2 },
      );
      const data = [...response.data].sort((a, b) => a.index - b.index);
      if (data.length !== texts.length) {
        throw new TypeError(`The server sent ${data.length} vectors for ${texts.length} texts.`);
      }
      const got = data.map((d) => toVector(d.embedding));
      const width = got[0]?.length ?? 0;
      const known = vectors.find((x) => x !== null);
      // Vectors of different lengths live in different spaces: a cosine between them means nothing.
      if (got.some((x) => x.length !== width) || (known && known.length !== width)) {
        throw new TypeError('The server sent vectors of different lengths in one run.');
      }
      got.forEach((x, i) => (vectors[batch.start + i] = x));
      const used = response.usage?.prompt_tokens;
      if (Number.isSafeInteger(used)) tokens = (tokens ?? 0) + used;
      await options.onBatch?.(batch.start, got);
    } catch (err) {
      if (options.signal.aborted) return finish('stopped', null);
      const problem = await diagnoseNetworkFailure(describeApiError(err, options.errorContext), {
        baseURL: options.errorContext.baseURL,
        likelyServer: options.network.likelyServer,
        pageOrigin: options.network.pageOrigin,
        signal: options.signal,
      });
      return finish('failed', problem);
    }
  }
  return finish('done', null);
}
