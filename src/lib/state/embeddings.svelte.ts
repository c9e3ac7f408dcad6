import type * as Lab from '../api/embeddings-runner';
import type { ApiProblem } from '../api/problems';
import { newId } from '../chat/ids';
import { planBatches } from '../embeddings/batches';
import { cacheKeys } from '../embeddings/cache-key';
import type { Matrix } from '../embeddings/math';
import type { EmbeddingsMath } from '../embeddings/math-client';
import { planRun, sendableTexts } from '../embeddings/plan';
import { parsePasted, type EmbeddingItem } from '../embeddings/texts';
import type { ModelInfo } from '../models/types';
import {
  embeddingCacheRecord,
  embeddingsDraftRecord,
  embeddingsRunRecord,
  type EmbeddingsDraft,
  type EmbeddingsRunRecord,
  type RecordStore,
} from '../storage';
import { TokenCounter } from '../tokens/counter';
import type { ConnectionState } from './connection.svelte';
import { saveOnChange } from './autosave.svelte';

/** The lazy boundary of the lab: the SDK, the run loop and the catalog load on first use. */
const loadLab = (): Promise<typeof Lab> => import('../api/embeddings-runner');
/** The vector math and its worker, loaded with the first result. */
const loadMath = async (): Promise<EmbeddingsMath> =>
  new (await import('../embeddings/math-client')).EmbeddingsMath();

export const DEFAULT_EMBEDDING_MODEL = 'text-embedding-3-small';
/**
 * The heatmap shows at most this many texts: its matrix grows with the square (1,000 texts: 4 MB,
 * 5,000: 100 MB), and past a thousand rows a pixel no longer shows a pair. The map and the ranking
 * use every text.
 */
export const HEATMAP_MAX = 1000;
/** The API's limit on one input, when the catalog does not say otherwise. */
const MAX_INPUT_TOKENS = 8192;

export type LabStatus = 'idle' | 'running' | 'done' | 'stopped' | 'failed';
export type Projection = 'pca' | 'umap';

/** The vectors of one run, and what they are: a run's vectors are never mixed with another's. */
export interface LabResult {
  runId: string;
  model: string;
  dimensions: number | null;
  baseURL: string;
  /** Only the items that got a vector, in order, with their vectors. */
  items: EmbeddingItem[];
  vectors: Float32Array[];
  fromCache: number;
  tokens: number | null;
  costUsd: number | null;
  totalMs: number;
}

/** The token counts of the texts as they stand, for the estimate and the per-input limit. */
export interface TextCounts {
  key: string;
  counts: number[];
  exact: boolean;
}

function linesOf(items: readonly EmbeddingItem[]): string {
  return items.map((i) => (i.label ? `${i.label}\t${i.text}` : i.text)).join('\n');
}

/**
 * The embeddings lab: the texts (one per line, `label<TAB>text` for a label), the model and dimensions,
 * a run with progress and Cancel, and the views computed in a worker from the run's vectors.
 */
export class EmbeddingsState {
  text = $state('');
  model = $state(DEFAULT_EMBEDDING_MODEL);
  /** null = the model's full length (the parameter is not sent). */
  dimensions = $state<number | null>(null);
  query = $state('');

  readonly parsed = $derived(parsePasted(this.text));

  status = $state<LabStatus>('idle');
  progress = $state.raw({ done: 0, total: 0 });
  problem = $state.raw<ApiProblem | null>(null);
  /** Texts the last run could not send (over the per-input limit), by their position in the list. */
  skippedTooLong = $state.raw<number[]>([]);
  result = $state.raw<LabResult | null>(null);
  counts = $state.raw<TextCounts | null>(null);
  /** Why the texts could not be counted (the tokenizer did not load). */
  countError = $state<string | null>(null);
  /** Set by the Dimensions field while what is typed there is not a length this model takes. */
  dimensionsError = $state<string | null>(null);

  similarity = $state.raw<{ matrix: Float32Array; order: number[] } | null>(null);
  projectionMethod = $state<Projection>('pca');
  projection = $state.raw<{ points: Float32Array; method: Projection } | null>(null);
  ranking = $state.raw<{ index: number; score: number }[] | null>(null);
  /** The query the ranking answers (the box may have changed since). */
  rankingFor = $state<string | null>(null);
  rankBusy = $state(false);
  /** Why the last ranking failed; shown next to the query, apart from the run's own problem. */
  rankProblem = $state.raw<ApiProblem | null>(null);
  viewProblem = $state<string | null>(null);

  #store: RecordStore;
  #connection: ConnectionState;
  #describe = $state.raw<((id: string) => ModelInfo) | null>(null);
  #counter: TokenCounter | null = null;
  #onSaved: ((record: EmbeddingsRunRecord) => void) | null = null;
  #math: Promise<EmbeddingsMath> | null = null;
  /**
   * The result's vectors packed into one Float32Array, once: handing the worker a packed matrix is
   * one memcpy, where thousands of separate vectors would be packed on this thread for every view.
   */
  #packed: { result: LabResult; matrix: Promise<Matrix> } | null = null;
  #controller: AbortController | null = null;
  #rankGeneration = 0;

  constructor(store: RecordStore, connection: ConnectionState, draft?: EmbeddingsDraft) {
    this.#store = store;
    this.#connection = connection;
    if (draft) {
      this.text = linesOf(draft.items);
      this.model = draft.model;
      this.dimensions = draft.dimensions;
      this.query = draft.query;
    }
  }

  static async load(store: RecordStore, connection: ConnectionState): Promise<EmbeddingsState> {
    return new EmbeddingsState(store, connection, await store.get(embeddingsDraftRecord));
  }

  /** The embedding models the connection lists (or the catalog's three when not connected). */
  get models(): string[] {
    const listed = this.#connection.models.filter((m) => m.kind === 'embedding').map((m) => m.id);
    return listed.length
      ? listed
      : ['text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-ada-002'];
  }

  readonly modelInfo: ModelInfo | null = $derived.by(() => {
    const id = this.model.trim();
    return this.#connection.models.find((m) => m.id === id) ?? this.#describe?.(id) ?? null;
  });

  /** Whether the chosen model takes `dimensions` (text-embedding-3 and later); unknown → allowed. */
  get dimensionsAllowed(): boolean {
    return this.modelInfo?.embedding ? this.modelInfo.embedding.supportsDimensions : true;
  }

  get maxInputTokens(): number {
    return this.modelInfo?.embedding?.maxInputTokens ?? MAX_INPUT_TOKENS;
  }

  /** The texts' counts if they describe the texts and model as they are now. */
  get currentCounts(): TextCounts | null {
    return this.counts?.key === this.#countKey() ? this.counts : null;
  }

  get running(): boolean {
    return this.status === 'running';
  }

  snapshot(): EmbeddingsDraft {
    return {
      items: this.parsed.items,
      model: this.model,
      dimensions: this.dimensions,
      query: this.query,
    };
  }

  /**
   * Replaces the texts, model and dimensions (opening a saved run or a shared link); the last result
   * goes, since it no longer answers these texts. Refused while a run is on its way.
   */
  restore = (setup: { text: string; model: string; dimensions: number | null; query?: string }): boolean => {
    if (this.status === 'running') return false;
    this.text = setup.text;
    this.model = setup.model;
    this.dimensions = setup.dimensions;
    this.query = setup.query ?? '';
    this.result = null;
    this.similarity = null;
    this.projection = null;
    this.ranking = null;
    this.rankingFor = null;
    this.problem = null;
    return true;
  };

  /** Called with every run once it is saved (the history indexes it). */
  onRunSaved(listener: (record: EmbeddingsRunRecord) => void): void {
    this.#onSaved = listener;
  }

  /** Saves every change as it happens (see `saveOnChange`). */
  autosave = (): (() => void) =>
    saveOnChange(
      () => this.snapshot(),
      (draft) => this.#store.put(embeddingsDraftRecord, draft),
    );

  /** Loads the catalog and the SDK in the background, once the user turns to the lab. */
  activate = (): void => {
    if (this.#describe) return;
    loadLab().then(
      (lab) => (this.#describe ??= lab.describeModel),
      () => undefined,
    );
  };

  /** Counts each text's tokens (in the worker), for the estimate and the 8,192-token limit. */
  countTokens = async (): Promise<void> => {
    const key = this.#countKey();
    const texts = this.parsed.items.map((i) => i.text);
    if (texts.length === 0) {
      this.counts = { key, counts: [], exact: true };
      return;
    }
    try {
      const result = await this.#tokenCounter().countTexts(this.model.trim(), texts);
      if (result) this.counts = { key, counts: result.counts, exact: result.exact };
      this.countError = null;
    } catch (err) {
      // Without the tokenizer there is no estimate; the run itself does not need it.
      this.counts = null;
      this.countError = err instanceof Error ? err.message : String(err);
    }
  };

  #tokenCounter(): TokenCounter {
    this.#counter ??= new TokenCounter();
    return this.#counter;
  }

  /**
   * The run's own count of exactly the texts it sends: a count for the text box (newest wins) may
   * supersede it, so it asks again; null when the tokenizer is unavailable.
   */
  async #countForRun(model: string, texts: string[]): Promise<number[] | null> {
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const result = await this.#tokenCounter().countTexts(model, texts);
        if (result) return result.counts;
      }
    } catch {
      // Counted as unknown below: nothing is dropped on a guess.
    }
    return null;
  }

  cancel = (): void => {
    this.#controller?.abort();
  };

  /** Embeds every text that is not in the cache yet, in batches within the API's limits. */
  embed = async (): Promise<void> => {
    if (this.running) return;
    const items = this.parsed.items;
    this.problem = null;
    if (items.length === 0) {
      this.problem = {
        kind: 'bad-request',
        field: 'request',
        title: 'No texts',
        cause: 'There is nothing to embed.',
        fix: 'Write or paste texts in the Texts box, one per line, or import a .txt or .csv file.',
      };
      return;
    }
    if (this.dimensionsError && this.dimensionsAllowed) {
      this.problem = {
        kind: 'bad-request',
        field: 'request',
        title: 'Dimensions',
        cause: this.dimensionsError,
        fix: 'Correct the Dimensions field, or clear it to get the full length.',
      };
      return;
    }
    const request = this.#connection.requestConfig();
    if (!request.ok) {
      this.problem = request.problem;
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.status = 'running';
    this.progress = { done: 0, total: items.length };
    const model = this.model.trim();
    const dimensions = this.dimensionsAllowed ? this.dimensions : null;
    const { config, check } = request;
    const runId = newId();
    const started = Date.now();
    try {
      const lab = await loadLab();
      this.#describe ??= lab.describeModel;
      const info = this.modelInfo ?? lab.describeModel(model);
      const texts = items.map((i) => i.text);
      const counted = await this.#countForRun(model, texts);
      // Without real counts nothing is left out on a guess (the API refuses a text that is too long);
      // the rough estimate only sizes the batches.
      const counts = counted ?? texts.map((t) => Math.ceil(t.length / 3));
      const maxInputTokens = counted ? this.maxInputTokens : Number.POSITIVE_INFINITY;
      const sendable = sendableTexts(counts, maxInputTokens);
      const keys = await cacheKeys(
        sendable.map((i) => ({ baseURL: config.baseURL, model, dimensions, text: texts[i]! })),
      );
      const cached = await this.#store.getMany(embeddingCacheRecord, keys);
      const plan = planRun({ counts, maxInputTokens, keys, cached, model, dimensions });
      const { keyOf, vectors, misses } = plan;
      this.skippedTooLong = plan.long;
      const fromCache = vectors.size;
      this.progress = { done: fromCache, total: sendable.length };
      const outcome = await lab.runEmbeddings(
        lab.createClient(config),
        {
          model,
          dimensions,
          texts: misses.map((i) => texts[i]!),
          batches: planBatches(misses.map((i) => counts[i]!)),
        },
        {
          signal: controller.signal,
          errorContext: {
            baseURL: config.baseURL,
            path: '/embeddings',
            organization: config.organization,
            project: config.project,
          },
          network: { pageOrigin: this.#connection.pageOrigin, likelyServer: check.likelyServer },
          onBatch: async (start, got) => {
            got.forEach((vector, j) => vectors.set(misses[start + j]!, vector));
            this.progress = { done: vectors.size, total: sendable.length };
            await this.#store.putMany(
              embeddingCacheRecord,
              got.map((vector, j) => [keyOf.get(misses[start + j]!)!, { vector, model, dimensions }]),
            );
          },
        },
      );
      const order = texts.map((_, i) => i).filter((i) => vectors.has(i));
      const cost =
        outcome.tokens !== null
          ? lab.costOf(info, { prompt_tokens: outcome.tokens, completion_tokens: 0 })
          : null;
      const result: LabResult = {
        runId,
        model,
        dimensions,
        baseURL: config.baseURL,
        items: order.map((i) => items[i]!),
        vectors: order.map((i) => vectors.get(i)!),
        fromCache,
        tokens: outcome.tokens,
        costUsd: cost?.known ? cost.usd : null,
        totalMs: Date.now() - started,
      };
      this.problem = outcome.problem;
      this.status = outcome.end;
      // Saved first: storing thousands of vectors is a copy on this thread, which must not land
      // while the worker computes the views.
      await this.#save(
        result,
        items,
        texts.map((_, i) => vectors.get(i) ?? null),
        outcome,
        started,
      );
      if (result.vectors.length) this.#show(result);
    } catch (err) {
      this.status = 'failed';
      this.problem = {
        kind: 'unexpected',
        field: 'request',
        title: 'The run could not finish',
        cause: err instanceof Error ? err.message : String(err),
        fix: 'Check the texts and try again; reload the page if it keeps happening.',
      };
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  };

  /** Ranks every text of the last run by its similarity to the query, embedded with the same model. */
  rank = async (): Promise<void> => {
    const result = this.result;
    const query = this.query.trim();
    if (!result || !query || this.running) return;
    const generation = ++this.#rankGeneration;
    const current = () => generation === this.#rankGeneration && this.result === result;
    this.rankProblem = null;
    this.rankBusy = true;
    try {
      const request = this.#connection.requestConfig();
      if (!request.ok) {
        this.rankProblem = request.problem;
        return;
      }
      const { config, check } = request;
      // The query must come from the same server, model and length as the texts: another server's
      // vector would live in another space, and be cached under the wrong key.
      if (config.baseURL.replace(/\/+$/, '') !== result.baseURL.replace(/\/+$/, '')) {
        this.rankProblem = {
          kind: 'bad-request',
          field: 'baseURL',
          title: 'Another server',
          cause: `The texts were embedded at ${result.baseURL}; the query would go to ${config.baseURL}.`,
          fix: 'Embed the texts again on this server, or switch the base URL back.',
        };
        return;
      }
      const lab = await loadLab();
      const parts = { baseURL: result.baseURL, model: result.model, dimensions: result.dimensions };
      const [key] = await cacheKeys([{ ...parts, text: query }]);
      let vector = (await this.#store.getMany(embeddingCacheRecord, [key!]))[0]?.vector;
      if (!vector) {
        const outcome = await lab.runEmbeddings(
          lab.createClient(config),
          {
            model: result.model,
            dimensions: result.dimensions,
            texts: [query],
            batches: [{ start: 0, end: 1 }],
          },
          {
            signal: new AbortController().signal,
            errorContext: {
              baseURL: config.baseURL,
              path: '/embeddings',
              organization: config.organization,
              project: config.project,
            },
            network: { pageOrigin: this.#connection.pageOrigin, likelyServer: check.likelyServer },
          },
        );
        if (!current()) return;
        if (!outcome.vectors[0]) {
          this.rankProblem = outcome.problem;
          return;
        }
        vector = outcome.vectors[0];
        void this.#store.put(
          embeddingCacheRecord,
          { vector, model: result.model, dimensions: result.dimensions },
          key!,
        );
      }
      const ranking = await (await this.#mathWorker()).rank(await this.#matrix(result), vector);
      if (ranking && current()) {
        this.ranking = ranking;
        this.rankingFor = query;
      }
    } catch (err) {
      if (current()) this.rankProblem = unexpected('The ranking could not be computed', err);
    } finally {
      if (generation === this.#rankGeneration) this.rankBusy = false;
    }
  };

  /** Recomputes the 2D map with another method. */
  project = async (method: Projection): Promise<void> => {
    this.projectionMethod = method;
    const result = this.result;
    if (!result) return;
    try {
      const projected = await (await this.#mathWorker()).project(await this.#matrix(result), method);
      if (projected && this.result === result) this.projection = { points: projected.points, method };
      this.viewProblem = null;
    } catch (err) {
      this.viewProblem = err instanceof Error ? err.message : String(err);
    }
  };

  #show(result: LabResult): void {
    this.result = result;
    this.similarity = null;
    this.projection = null;
    this.ranking = null;
    this.rankingFor = null;
    // Marks for the bench: the page must stay responsive while the worker computes the views (from
    // the moment the packed vectors go to the worker until its answers are in).
    this.#matrix(result).then(
      () => performance.mark('sandpit:views-start'),
      (err: unknown) => (this.viewProblem = unexpected('The vectors could not be prepared', err).cause),
    );
    const similarity =
      result.vectors.length > HEATMAP_MAX
        ? Promise.resolve()
        : this.#mathWorker()
            .then(async (math) => math.similarity(await this.#matrix(result)))
            .then(
              (sim) => {
                if (sim && this.result === result) this.similarity = sim;
              },
              (err: unknown) => (this.viewProblem = err instanceof Error ? err.message : String(err)),
            );
    const projection = this.project(
      result.vectors.length >= 3 || this.projectionMethod === 'pca' ? this.projectionMethod : 'pca',
    );
    void Promise.all([similarity, projection]).then(() => performance.mark('sandpit:views-computed'));
    if (this.query.trim()) void this.rank();
  }

  async #save(
    result: LabResult,
    items: EmbeddingItem[],
    vectors: (Float32Array | null)[],
    outcome: { end: 'done' | 'stopped' | 'failed'; problem: ApiProblem | null; requests: number },
    started: number,
  ): Promise<void> {
    const record: EmbeddingsRunRecord = {
      id: result.runId,
      kind: 'embeddings',
      createdAt: started,
      finishedAt: Date.now(),
      baseURL: result.baseURL,
      model: result.model,
      dimensions: result.dimensions,
      items,
      vectors,
      end: outcome.end,
      problem: outcome.problem
        ? {
            kind: outcome.problem.kind,
            title: outcome.problem.title,
            cause: outcome.problem.cause,
            fix: outcome.problem.fix,
          }
        : null,
      fromCache: result.fromCache,
      requests: outcome.requests,
      tokens: result.tokens,
      costUsd: result.costUsd,
      totalMs: result.totalMs,
    };
    await this.#store.put(embeddingsRunRecord, record, result.runId);
    this.#onSaved?.(record);
  }

  #matrix(result: LabResult): Promise<Matrix> {
    if (this.#packed?.result !== result) {
      this.#packed = {
        result,
        matrix: import('../embeddings/math').then(({ pack }) => pack(result.vectors)),
      };
    }
    return this.#packed.matrix;
  }

  #mathWorker(): Promise<EmbeddingsMath> {
    this.#math ??= loadMath();
    return this.#math;
  }

  #countKey(): string {
    return JSON.stringify([this.model.trim(), this.text]);
  }
}

function unexpected(title: string, err: unknown): ApiProblem {
  return {
    kind: 'unexpected',
    field: 'request',
    title,
    cause: err instanceof Error ? err.message : String(err),
    fix: 'Try again; reload the page if it keeps happening.',
  };
}
