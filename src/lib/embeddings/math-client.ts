/**
 * The main thread's side of the embeddings math: one worker, started on first use, and per operation the
 * newest request wins.
 */
import {
  pack,
  pca2d,
  rank,
  similarityMatrix,
  similarityOrder,
  isUnitLength,
  type Matrix,
  type Ranked,
} from './math';
import {
  requestTransfer,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
  type ProjectionMethod,
} from './worker-protocol';
import { errorDetail } from '../worker-errors';

/** The texts' vectors: a packed {@link Matrix} or one Float32Array per text. */
export type Vectors = Matrix | readonly Float32Array[];

export interface SimilarityResult {
  /** n × n cosine similarities, row-major. */
  matrix: Float32Array;
  /** The texts in an order that puts similar ones together. */
  order: number[];
  /** Whether every vector is unit length, so that cosine = dot product. */
  unitLength: boolean;
  /** Time spent computing, in the worker or on the main thread. */
  ms: number;
}

export interface ProjectionResult {
  method: ProjectionMethod;
  /** n × 2, row-major. */
  points: Float32Array;
  /** PCA's share of the variance on each axis; null for UMAP. */
  explained: [number, number] | null;
  ms: number;
}

/** What the client needs of a Worker; a real `Worker` is one. */
export interface EmbeddingsWorker {
  onmessage: ((event: MessageEvent<EmbeddingsResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: EmbeddingsRequest, transfer: Transferable[]): void;
  terminate(): void;
}

export type CreateEmbeddingsWorker = () => EmbeddingsWorker;

/** Why a computation failed: the worker did not start, it failed later, or it could not compute this one. */
export type EmbeddingsMathFailure = 'start' | 'crash' | 'compute';

export class EmbeddingsMathError extends Error {
  override readonly name = 'EmbeddingsMathError';
  readonly reason: EmbeddingsMathFailure;

  constructor(reason: EmbeddingsMathFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The real worker, bundled by Vite as its own chunk (umap-js is a further chunk inside it, loaded on use). */
export function startEmbeddingsWorker(): EmbeddingsWorker {
  return new Worker(new URL('../../workers/embeddings.worker.ts', import.meta.url), { type: 'module' });
}

/** Up to this many texts, similarity, ranking and PCA run on the main thread: a few milliseconds at most. */
export const MAIN_THREAD_MAX = 64;

type Op = 'similarity' | 'rank' | 'project';

interface Live {
  id: number;
  resolve: (value: unknown) => void;
  reject: (error: EmbeddingsMathError) => void;
  finish: (response: EmbeddingsResponse) => unknown;
}

/** A request not yet posted; `build` makes its copies when it is. */
interface Outgoing {
  id: number;
  op: Op;
  build: () => EmbeddingsRequest;
}

interface Slot {
  /** The newest request's promise: the only one of this operation that may still get an answer. */
  live: Live | null;
  /** The id of this operation's request the worker is computing. */
  inFlight: number | null;
  /** The newest request, waiting for the one in flight. */
  queued: Outgoing | null;
}

function toMatrix(vectors: Vectors): Matrix {
  return 'data' in vectors ? vectors : pack(vectors);
}

/** A copy that owns its buffer, to transfer; the caller's vectors stay as they are. */
function copyOf(vectors: Vectors): Matrix {
  if (!('data' in vectors)) return pack(vectors); // packing is the copy
  return { data: vectors.data.slice(), rows: vectors.rows, dims: vectors.dims };
}

/**
 * The embeddings lab's math in a Web Worker. Each operation (`similarity`, `rank`, `project`) keeps only
 * its newest request: a new call settles the previous one of the same operation with `null` at once. The
 * worker computes one request per operation at a time; calls made meanwhile wait, and only the newest is
 * sent, so dragging a control never queues stale work.
 *
 * Small inputs (at most {@link MAIN_THREAD_MAX} texts) skip the worker: similarity, ranking and PCA are
 * computed on the main thread by the same pure functions (./math), which is quicker than the round trip.
 * UMAP always runs in the worker.
 *
 * Arrays are copied, then the copies transferred, so the caller's stay usable. The vectors are treated as
 * immutable: the texts ranked against stay in the worker, known by the identity of the `vectors` object, so
 * further queries send only the query. Pass a new array or Matrix when the vectors change.
 *
 * Failures reject with an {@link EmbeddingsMathError}. After the worker fails it is dropped, and the next
 * call starts a new one.
 */
export class EmbeddingsMath {
  readonly #createWorker: CreateEmbeddingsWorker;
  readonly #mainThreadMax: number;
  #worker: EmbeddingsWorker | null = null;
  #answered = false;
  #lastId = 0;
  readonly #slots: Record<Op, Slot> = {
    similarity: { live: null, inFlight: null, queued: null },
    rank: { live: null, inFlight: null, queued: null },
    project: { live: null, inFlight: null, queued: null },
  };
  readonly #corpusKeys = new WeakMap<object, number>();
  #lastCorpus = 0;
  /** The corpus the current worker holds (or has been sent). */
  #workerCorpus: number | null = null;

  /**
   * @param options.createWorker for tests; the default starts src/workers/embeddings.worker.ts.
   * @param options.mainThreadMax texts up to which the main thread computes; 0 sends everything to the worker.
   */
  constructor(options: { createWorker?: CreateEmbeddingsWorker; mainThreadMax?: number } = {}) {
    this.#createWorker = options.createWorker ?? startEmbeddingsWorker;
    this.#mainThreadMax = options.mainThreadMax ?? MAIN_THREAD_MAX;
  }

  /** The cosine similarity matrix and an order that groups similar texts; null when superseded. */
  similarity(vectors: Vectors): Promise<SimilarityResult | null> {
    const id = this.#begin('similarity');
    if (this.#small(vectors)) {
      return this.#onMainThread(() => {
        const started = performance.now();
        const m = toMatrix(vectors);
        const matrix = similarityMatrix(m);
        const order = similarityOrder(matrix, m.rows);
        return { matrix, order, unitLength: isUnitLength(m), ms: performance.now() - started };
      });
    }
    return this.#viaWorker<SimilarityResult>(
      { id, op: 'similarity', build: () => ({ id, op: 'similarity', matrix: copyOf(vectors) }) },
      (r) => {
        if (!('op' in r) || r.op !== 'similarity') throw new TypeError('not a similarity reply');
        return { matrix: r.matrix, order: Array.from(r.order), unitLength: r.unitLength, ms: r.ms };
      },
    );
  }

  /**
   * Every text ranked by cosine similarity to `query`, best first (only the best `k` when given); null when
   * superseded.
   */
  rank(vectors: Vectors, query: Float32Array, k?: number): Promise<Ranked[] | null> {
    const id = this.#begin('rank');
    if (this.#small(vectors)) return this.#onMainThread(() => rank(toMatrix(vectors), query, k));
    const ownQuery = query.slice();
    const corpus = this.#corpusKey(vectors);
    return this.#viaWorker<Ranked[]>(
      {
        id,
        op: 'rank',
        build: () => {
          const request: EmbeddingsRequest = {
            id,
            op: 'rank',
            corpus,
            query: ownQuery,
            ...(k !== undefined && { k }),
            ...(this.#workerCorpus !== corpus && { matrix: copyOf(vectors) }),
          };
          this.#workerCorpus = corpus;
          return request;
        },
      },
      (r) => {
        if (!('op' in r) || r.op !== 'rank') throw new TypeError('not a rank reply');
        return Array.from(r.indices, (index, i) => ({ index, score: r.scores[i]! }));
      },
    );
  }

  /** A 2D map of the texts by PCA or UMAP (UMAP needs at least 3 texts); null when superseded. */
  project(
    vectors: Vectors,
    method: ProjectionMethod = 'pca',
    options: { seed?: number } = {},
  ): Promise<ProjectionResult | null> {
    const id = this.#begin('project');
    const seed = options.seed ?? 1;
    if (method === 'pca' && this.#small(vectors)) {
      return this.#onMainThread(() => {
        const started = performance.now();
        const { points, explained } = pca2d(toMatrix(vectors), { seed });
        return { method, points, explained, ms: performance.now() - started };
      });
    }
    return this.#viaWorker<ProjectionResult>(
      { id, op: 'project', build: () => ({ id, op: 'project', method, seed, matrix: copyOf(vectors) }) },
      (r) => {
        if (!('op' in r) || r.op !== 'project') throw new TypeError('not a projection reply');
        return { method: r.method, points: r.points, explained: r.explained, ms: r.ms };
      },
    );
  }

  /** Stops the worker; pending calls settle with null. A later call starts a new worker. */
  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#workerCorpus = null;
    for (const slot of Object.values(this.#slots)) {
      slot.inFlight = null;
      slot.queued = null;
      slot.live?.resolve(null);
      slot.live = null;
    }
  }

  /**
   * A new request of `op`: the previous one settles with null and its queued message is dropped. A map
   * still being computed is cancelled (a UMAP layout stops at its next pause; PCA is over too soon to).
   */
  #begin(op: Op): number {
    const slot = this.#slots[op];
    if (op === 'project' && slot.live && slot.live.id === slot.inFlight) {
      this.#worker?.postMessage({ id: slot.inFlight, op: 'cancel' }, []);
    }
    slot.live?.resolve(null);
    slot.live = null;
    slot.queued = null;
    return ++this.#lastId;
  }

  #small(vectors: Vectors): boolean {
    const rows = 'data' in vectors ? vectors.rows : vectors.length;
    return rows <= this.#mainThreadMax;
  }

  #onMainThread<T>(compute: () => T): Promise<T> {
    try {
      return Promise.resolve(compute());
    } catch (error) {
      return Promise.reject(
        new EmbeddingsMathError('compute', `The embeddings could not be compared${errorDetail(error)}.`, {
          cause: error,
        }),
      );
    }
  }

  #viaWorker<T>(outgoing: Outgoing, finish: (response: EmbeddingsResponse) => T): Promise<T | null> {
    const slot = this.#slots[outgoing.op];
    return new Promise<T | null>((resolve, reject) => {
      slot.live = { id: outgoing.id, resolve: resolve as (value: unknown) => void, reject, finish };
      if (slot.inFlight === null) this.#send(outgoing);
      else slot.queued = outgoing;
    });
  }

  #corpusKey(vectors: Vectors): number {
    let key = this.#corpusKeys.get(vectors);
    if (key === undefined) {
      key = ++this.#lastCorpus;
      this.#corpusKeys.set(vectors, key);
    }
    return key;
  }

  #send(outgoing: Outgoing): void {
    const slot = this.#slots[outgoing.op];
    let worker: EmbeddingsWorker;
    try {
      worker = this.#ensureWorker();
    } catch (error) {
      this.#fail(slot, this.#startError(error));
      return;
    }
    try {
      const request = outgoing.build();
      worker.postMessage(request, requestTransfer(request));
      slot.inFlight = outgoing.id;
    } catch (error) {
      if (outgoing.op === 'rank') this.#workerCorpus = null;
      this.#fail(
        slot,
        new EmbeddingsMathError(
          'compute',
          `The embeddings could not be sent to the worker${errorDetail(error)}.`,
          {
            cause: error,
          },
        ),
      );
    }
  }

  #ensureWorker(): EmbeddingsWorker {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.onmessage = (event) => this.#receive(worker, event.data);
    worker.onerror = (event) => this.#crashed(worker, event);
    this.#worker = worker;
    this.#answered = false;
    this.#workerCorpus = null;
    return worker;
  }

  #receive(worker: EmbeddingsWorker, response: EmbeddingsResponse): void {
    if (worker !== this.#worker) return;
    const op = (Object.keys(this.#slots) as Op[]).find((o) => this.#slots[o].inFlight === response.id);
    if (!op) return; // not a request this worker is computing
    const slot = this.#slots[op];
    this.#answered = true;
    slot.inFlight = null;
    if ('error' in response && op === 'rank') this.#workerCorpus = null;
    const live = slot.live;
    if (live?.id === response.id) {
      slot.live = null;
      if ('error' in response) {
        live.reject(new EmbeddingsMathError('compute', response.error));
      } else {
        try {
          live.resolve(live.finish(response));
        } catch (error) {
          live.reject(
            new EmbeddingsMathError(
              'compute',
              `The worker's answer was not understood${errorDetail(error)}.`,
            ),
          );
        }
      }
    }
    const next = slot.queued;
    slot.queued = null;
    if (next) this.#send(next);
  }

  #crashed(worker: EmbeddingsWorker, event: ErrorEvent): void {
    if (worker !== this.#worker) return;
    const error = this.#answered
      ? new EmbeddingsMathError('crash', `The embeddings worker stopped${errorDetail(event)}.`, {
          cause: event,
        })
      : this.#startError(event);
    worker.terminate();
    this.#worker = null;
    this.#workerCorpus = null;
    for (const slot of Object.values(this.#slots)) {
      slot.inFlight = null;
      slot.queued = null;
      this.#fail(slot, error);
    }
  }

  #startError(source: unknown): EmbeddingsMathError {
    return new EmbeddingsMathError(
      'start',
      `The embeddings math is unavailable: its worker could not start${errorDetail(source)}. It is tried again on the next change.`,
      { cause: source },
    );
  }

  #fail(slot: Slot, error: EmbeddingsMathError): void {
    const live = slot.live;
    slot.live = null;
    live?.reject(error);
  }
}
