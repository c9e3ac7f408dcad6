/**
 * The embeddings worker's messages and their handling, as plain functions so Node tests can drive them.
 * src/workers/embeddings.worker.ts only connects {@link createEmbeddingsHandler} to `onmessage`.
 *
 * Every array crosses the boundary by transfer, never by copy: a request's `transfer` list (see
 * {@link requestTransfer}) and a reply's `transfer` list name the buffers of all its typed arrays, and each
 * of those arrays owns its whole buffer.
 */
import {
  isUnitLength,
  pca2d,
  rankIndex,
  similarityMatrix,
  similarityOrder,
  umap2d,
  type Matrix,
  type RankIndex,
} from './math';
import type { SimdKernels } from './simd';

export type ProjectionMethod = 'pca' | 'umap';

/** Main thread → worker. */
export type EmbeddingsRequest =
  | { id: number; op: 'similarity'; matrix: Matrix }
  | {
      id: number;
      op: 'rank';
      /**
       * Which set of texts to rank. The worker keeps the last one it was sent, so repeated queries over the
       * same texts carry only the query; `matrix` comes with the first query of a new `corpus`.
       */
      corpus: number;
      matrix?: Matrix;
      query: Float32Array;
      /** Only the best k; all when omitted. */
      k?: number;
    }
  | { id: number; op: 'project'; method: ProjectionMethod; matrix: Matrix; seed?: number }
  /** Stops request `id` if it is a UMAP still running (it then answers with an error); no reply of its own. */
  | { id: number; op: 'cancel' };

/** Worker → main thread. `ms` is the time the worker spent. */
export type EmbeddingsResponse =
  | {
      id: number;
      op: 'similarity';
      /** n × n cosine similarities, row-major. */
      matrix: Float32Array;
      /** An order of the texts that puts similar ones together (see similarityOrder). */
      order: Uint32Array;
      /** Whether every vector is unit length, so that cosine = dot product. */
      unitLength: boolean;
      ms: number;
    }
  | { id: number; op: 'rank'; indices: Uint32Array; scores: Float64Array; ms: number }
  | {
      id: number;
      op: 'project';
      method: ProjectionMethod;
      /** n × 2, row-major. */
      points: Float32Array;
      /** PCA's share of the variance on each axis; null for UMAP. */
      explained: [number, number] | null;
      ms: number;
    }
  | { id: number; error: string };

export interface EmbeddingsReply {
  response: EmbeddingsResponse;
  /** The buffers to transfer with the response. */
  transfer: ArrayBuffer[];
}

/** The buffers a request carries, for `postMessage(request, transfer)`. */
export function requestTransfer(request: EmbeddingsRequest): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  if ('matrix' in request && request.matrix) buffers.push(ownBuffer(request.matrix.data));
  if (request.op === 'rank') buffers.push(ownBuffer(request.query));
  return buffers;
}

/** A typed array's buffer, when the array is all of it (transferring a shared buffer would take too much). */
function ownBuffer(array: Float32Array): ArrayBuffer {
  const buffer = array.buffer;
  if (!(buffer instanceof ArrayBuffer) || array.byteOffset !== 0 || array.byteLength !== buffer.byteLength) {
    throw new RangeError('Only arrays that own their whole ArrayBuffer can be transferred; copy it first.');
  }
  return buffer;
}

export interface HandlerOptions {
  /** WebAssembly SIMD kernels; null or omitted = JavaScript loops. */
  simd?: SimdKernels | null;
  now?: () => number;
}

function isMatrix(value: unknown): value is Matrix {
  if (typeof value !== 'object' || value === null) return false;
  const { data, rows, dims } = value as Record<string, unknown>;
  return (
    data instanceof Float32Array &&
    Number.isInteger(rows) &&
    Number.isInteger(dims) &&
    (rows as number) >= 0 &&
    (dims as number) >= 0 &&
    (rows as number) * (dims as number) === data.length
  );
}

function malformed(request: unknown): string | null {
  if (typeof request !== 'object' || request === null) return 'Malformed request: expected an object.';
  const r = request as Record<string, unknown>;
  if (typeof r.id !== 'number') return 'Malformed request: no id.';
  switch (r.op) {
    case 'similarity':
      return isMatrix(r.matrix) ? null : 'Malformed similarity request: expected a matrix.';
    case 'rank':
      if (typeof r.corpus !== 'number') return 'Malformed rank request: no corpus.';
      if (r.matrix !== undefined && !isMatrix(r.matrix)) return 'Malformed rank request: bad matrix.';
      if (!(r.query instanceof Float32Array))
        return 'Malformed rank request: the query is not a Float32Array.';
      if (r.k !== undefined && !(typeof r.k === 'number' && r.k >= 0))
        return 'Malformed rank request: bad k.';
      return null;
    case 'project':
      if (r.method !== 'pca' && r.method !== 'umap') return 'Malformed project request: unknown method.';
      return isMatrix(r.matrix) ? null : 'Malformed project request: expected a matrix.';
    case 'cancel':
      return null;
    default:
      return `Malformed request: unknown operation ${JSON.stringify(r.op)}.`;
  }
}

/**
 * Turns each request into a reply (`cancel` into none). Never throws: a malformed request or a failed
 * computation becomes `{ id, error }`. Holds the texts of the last `rank` corpus, ready for more queries,
 * and the running UMAP layouts, so that a `cancel` can stop one.
 */
export function createEmbeddingsHandler(
  options: HandlerOptions = {},
): (request: EmbeddingsRequest) => Promise<EmbeddingsReply | null> {
  const { simd = null, now = () => performance.now() } = options;
  let corpus: { key: number; index: RankIndex } | null = null;
  const running = new Map<number, AbortController>();

  return async (request): Promise<EmbeddingsReply | null> => {
    const started = now();
    const id = typeof (request as { id?: unknown })?.id === 'number' ? request.id : -1;
    const problem = malformed(request);
    if (problem) return { response: { id, error: problem }, transfer: [] };
    if (request.op === 'cancel') {
      running.get(id)?.abort();
      return null;
    }
    try {
      switch (request.op) {
        case 'similarity': {
          const { matrix } = request;
          const sim = similarityMatrix(matrix, { simd });
          const order = Uint32Array.from(similarityOrder(sim, matrix.rows));
          const unitLength = isUnitLength(matrix);
          return {
            response: { id, op: 'similarity', matrix: sim, order, unitLength, ms: now() - started },
            transfer: [sim.buffer, order.buffer],
          };
        }
        case 'rank': {
          if (request.matrix) {
            corpus = null; // if indexing fails, no stale corpus stays behind under a new key
            corpus = { key: request.corpus, index: rankIndex(request.matrix, { simd }) };
          }
          if (!corpus || corpus.key !== request.corpus) {
            return {
              response: {
                id,
                error: 'The texts to rank against are not loaded in the worker; send them again.',
              },
              transfer: [],
            };
          }
          const ranked = corpus.index.rank(request.query, request.k);
          const indices = Uint32Array.from(ranked, (r) => r.index);
          const scores = Float64Array.from(ranked, (r) => r.score);
          return {
            response: { id, op: 'rank', indices, scores, ms: now() - started },
            transfer: [indices.buffer, scores.buffer],
          };
        }
        case 'project': {
          const { matrix, method } = request;
          const seed = request.seed ?? 1;
          const controller = new AbortController();
          running.set(id, controller);
          const { points, explained } =
            method === 'pca'
              ? pca2d(matrix, { simd, seed })
              : { ...(await umap2d(matrix, { simd, seed, signal: controller.signal })), explained: null };
          return {
            response: { id, op: 'project', method, points, explained, ms: now() - started },
            transfer: [points.buffer],
          };
        }
      }
    } catch (error) {
      return {
        response: { id, error: error instanceof Error ? error.message : String(error) },
        transfer: [],
      };
    } finally {
      running.delete(id);
    }
  };
}
