/**
 * The main thread's side of token counting: one worker, started on first use, and the newest request wins.
 */
import type { PromptMessage } from './count';
import type { EncodingName } from './encoding';
import type { CountReply, CountRequest } from './handler';

/** A finished count. `exact: false` = an o200k_base estimate for a model whose tokenizer is unknown. */
export interface CountResult {
  model: string;
  tokens: number;
  encoding: EncodingName;
  exact: boolean;
  /** Time spent in the worker, loading the encoding included. */
  ms: number;
}

/** What the counter needs of a Worker; a real `Worker` is one. */
export interface CountWorker {
  onmessage: ((event: MessageEvent<CountReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(request: CountRequest): void;
  terminate(): void;
}

export type CreateCountWorker = () => CountWorker;

/** Why a count failed: the worker did not start, it failed later, or it could not count this request. */
export type TokenCountFailure = 'start' | 'crash' | 'count';

export class TokenCountError extends Error {
  override readonly name = 'TokenCountError';
  readonly reason: TokenCountFailure;

  constructor(reason: TokenCountFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The real worker, bundled by Vite as its own chunk together with the encodings it imports. */
export function startTokensWorker(): CountWorker {
  return new Worker(new URL('../../workers/tokens.worker.ts', import.meta.url), { type: 'module' });
}

interface Live {
  id: number;
  model: string;
  resolve: (result: CountResult | null) => void;
  reject: (error: TokenCountError) => void;
}

/** ' (message)' from an Error or an ErrorEvent; '' when there is none (a module worker that failed to load has none). */
function detail(source: unknown): string {
  const message =
    typeof source === 'object' && source !== null ? (source as { message?: unknown }).message : null;
  return typeof message === 'string' && message !== '' ? ` (${message})` : '';
}

function startError(source: unknown): TokenCountError {
  return new TokenCountError(
    'start',
    `Token counting is unavailable: its worker could not start${detail(source)}. It is tried again on the next change.`,
    { cause: source },
  );
}

/**
 * Counts prompt tokens in a Web Worker. Only the newest request can get an answer: `count` settles every
 * older one with `null` at once. The worker counts one request at a time; requests made meanwhile wait,
 * and only the newest of them is sent, so typing never queues stale work.
 *
 * Failures reject with a {@link TokenCountError}. After the worker fails it is dropped, and the next `count`
 * starts a new one.
 */
export class TokenCounter {
  readonly #createWorker: CreateCountWorker;
  #worker: CountWorker | null = null;
  #answered = false;
  #lastId = 0;
  /** The newest request's promise: the only one that may still get an answer. */
  #live: Live | null = null;
  /** The id of the request the worker is counting. */
  #inFlight: number | null = null;
  /** The newest request, waiting for the worker to finish the one in flight. */
  #queued: CountRequest | null = null;

  /** @param createWorker for tests; the default starts src/workers/tokens.worker.ts. */
  constructor(createWorker: CreateCountWorker = startTokensWorker) {
    this.#createWorker = createWorker;
  }

  /**
   * The prompt tokens of `messages` for `model`, or null when a newer `count` (or `dispose`) came first.
   * Only role, content and name are sent, as plain copies (Svelte proxies cannot be posted).
   */
  count(model: string, messages: readonly PromptMessage[]): Promise<CountResult | null> {
    const request: CountRequest = {
      id: ++this.#lastId,
      model,
      messages: messages.map(({ role, content, name }) =>
        name === undefined ? { role, content } : { role, content, name },
      ),
    };
    this.#live?.resolve(null);
    this.#queued = null;
    return new Promise((resolve, reject) => {
      this.#live = { id: request.id, model, resolve, reject };
      if (this.#inFlight === null) this.#send(request);
      else this.#queued = request;
    });
  }

  /** Stops the worker; a pending count settles with null. A later `count` starts a new worker. */
  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#inFlight = null;
    this.#queued = null;
    this.#live?.resolve(null);
    this.#live = null;
  }

  #send(request: CountRequest): void {
    let worker: CountWorker;
    try {
      worker = this.#ensureWorker();
    } catch (error) {
      this.#fail(startError(error));
      return;
    }
    try {
      worker.postMessage(request);
      this.#inFlight = request.id;
    } catch (error) {
      this.#fail(
        new TokenCountError('count', `The messages could not be sent for counting${detail(error)}.`, {
          cause: error,
        }),
      );
    }
  }

  #ensureWorker(): CountWorker {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.onmessage = (event) => this.#receive(worker, event.data);
    worker.onerror = (event) => this.#crashed(worker, event);
    this.#worker = worker;
    this.#answered = false;
    return worker;
  }

  #receive(worker: CountWorker, reply: CountReply): void {
    // Answers from a worker already dropped, or to a request it was not counting, are not ours.
    if (worker !== this.#worker || reply.id !== this.#inFlight) return;
    this.#answered = true;
    this.#inFlight = null;
    const live = this.#live;
    if (live?.id === reply.id) {
      this.#live = null;
      if ('error' in reply)
        live.reject(new TokenCountError('count', `Tokens could not be counted: ${reply.error}`));
      else {
        const { tokens, encoding, exact, ms } = reply;
        live.resolve({ model: live.model, tokens, encoding, exact, ms });
      }
    }
    const next = this.#queued;
    this.#queued = null;
    if (next) this.#send(next);
  }

  #crashed(worker: CountWorker, event: ErrorEvent): void {
    if (worker !== this.#worker) return;
    const error = this.#answered
      ? new TokenCountError('crash', `Token counting stopped: its worker failed${detail(event)}.`, {
          cause: event,
        })
      : startError(event);
    worker.terminate();
    this.#worker = null;
    this.#inFlight = null;
    this.#queued = null;
    this.#fail(error);
  }

  #fail(error: TokenCountError): void {
    const live = this.#live;
    this.#live = null;
    live?.reject(error);
  }
}
