/**
 * The main thread's side of token counting: one worker, started on first use, and the newest request wins.
 */
import type { PromptMessage, PromptTool, PromptToolChoice } from './count';
import type { EncodingName } from './encoding';
import type {
  CountReply,
  CountRequest,
  TextsCountReply,
  TextsCountRequest,
  TokenReply,
  TokenRequest,
} from './handler';
import { errorDetail } from '../worker-errors';

/** A finished count. `exact: false` = an o200k_base estimate for a model whose tokenizer is unknown. */
export interface CountResult {
  model: string;
  tokens: number;
  /** The part of `tokens` the tool definitions (and tool choice) take; 0 without tools. */
  toolTokens: number;
  /**
   * True when the prompt has tools, tool calls or tool results: those are counted by rules inferred from the
   * API's usage, not published by OpenAI, and may be a few tokens off (see `PromptTokenCount.approximate`).
   */
  toolsApproximate: boolean;
  encoding: EncodingName;
  exact: boolean;
  /** Time spent in the worker, loading the encoding included. */
  ms: number;
}

/** A finished count of texts: `counts[i]` is the tokens of the i-th text, on its own. */
export interface TextsCountResult {
  model: string;
  counts: number[];
  encoding: EncodingName;
  exact: boolean;
  /** Time spent in the worker, loading the encoding included. */
  ms: number;
}

/** What the counter needs of a Worker; a real `Worker` is one. */
export interface CountWorker {
  onmessage: ((event: MessageEvent<TokenReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(request: TokenRequest): void;
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

function startError(source: unknown): TokenCountError {
  return new TokenCountError(
    'start',
    `Token counting is unavailable: its worker could not start${errorDetail(source)}. It is tried again on the next change.`,
    { cause: source },
  );
}

/** A request's promise, while it may still get an answer. */
interface Live {
  id: number;
  settle(reply: TokenReply): void;
  drop(): void;
  reject(error: TokenCountError): void;
}

/** One kind of request (chat or texts): its newest promise, the request in flight and the one waiting. */
interface Lane {
  /** What the counted things are called in an error message. */
  readonly what: string;
  /** The newest request's promise: the only one of this kind that may still get an answer. */
  live: Live | null;
  /** The id of this kind's request the worker is counting. */
  inFlight: number | null;
  /** This kind's newest request, waiting for the worker to finish the one in flight. */
  queued: TokenRequest | null;
}

function lane(what: string): Lane {
  return { what, live: null, inFlight: null, queued: null };
}

/** The fields of a message that count, without undefined ones or an empty list of calls. */
function plainMessage(message: PromptMessage): PromptMessage {
  const { role, content, name, tool_calls: calls, tool_call_id: callId } = message;
  const plain: PromptMessage = { role };
  if (content !== undefined) plain.content = content;
  if (name !== undefined) plain.name = name;
  if (calls !== undefined && calls.length > 0) {
    plain.tool_calls = calls.map(({ id, function: { name, arguments: args } }) => ({
      id,
      type: 'function',
      function: { name, arguments: args },
    }));
  }
  if (callId !== undefined) plain.tool_call_id = callId;
  return plain;
}

/** What the API would receive: plain JSON, whatever proxies the caller holds. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Counts tokens in a Web Worker: the prompt of a chat (`count`) or each of many texts (`countTexts`). For
 * each kind only the newest request can get an answer: a call settles the older one of its kind with
 * `null` at once, and never touches the other kind's (typing in the chat does not cancel counting the
 * embeddings lab's texts). The worker counts one request of each kind at a time; requests made meanwhile
 * wait, and only the newest of them is sent, so typing never queues stale work.
 *
 * Failures reject with a {@link TokenCountError}. After the worker fails it is dropped, and the next call
 * starts a new one.
 */
export class TokenCounter {
  readonly #createWorker: CreateCountWorker;
  #worker: CountWorker | null = null;
  #answered = false;
  /** Shared by both kinds, so a reply's id says which kind it answers. */
  #lastId = 0;
  readonly #chat = lane('messages');
  readonly #texts = lane('texts');

  /** @param createWorker for tests; the default starts src/workers/tokens.worker.ts. */
  constructor(createWorker: CreateCountWorker = startTokensWorker) {
    this.#createWorker = createWorker;
  }

  /**
   * The prompt tokens of `messages` for `model`, with the request's function `tools` and `toolChoice` when
   * given, or null when a newer `count` (or `dispose`) came first. Messages are sent as plain copies of the
   * fields that count (role, content, name, tool calls, tool call id), the tools as JSON copies (Svelte
   * proxies cannot be posted).
   */
  count(
    model: string,
    messages: readonly PromptMessage[],
    tools?: readonly PromptTool[],
    toolChoice?: PromptToolChoice,
  ): Promise<CountResult | null> {
    const request: CountRequest = { id: ++this.#lastId, model, messages: messages.map(plainMessage) };
    try {
      if (tools !== undefined && tools.length > 0) request.tools = jsonCopy([...tools]);
      if (toolChoice !== undefined) request.toolChoice = jsonCopy(toolChoice);
    } catch (error) {
      // Not JSON (a cycle, a BigInt): the API could not take these tools either.
      const message = `The tools could not be sent for counting${errorDetail(error)}.`;
      return this.#refuse(this.#chat, new TokenCountError('count', message, { cause: error }));
    }
    return this.#submit(this.#chat, request, (reply: CountReply, resolve) => {
      if ('error' in reply) throw new TokenCountError('count', `Tokens could not be counted: ${reply.error}`);
      const { tokens, toolTokens, toolsApproximate, encoding, exact, ms } = reply;
      resolve({ model, tokens, toolTokens, toolsApproximate, encoding, exact, ms });
    });
  }

  /**
   * The tokens of each of `texts` for `model`, each counted alone as an embeddings input is, or null when a
   * newer `countTexts` (or `dispose`) came first. A `count` in between changes nothing here.
   */
  countTexts(model: string, texts: readonly string[]): Promise<TextsCountResult | null> {
    const request: TextsCountRequest = { id: ++this.#lastId, kind: 'texts', model, texts: [...texts] };
    return this.#submit(this.#texts, request, (reply: TextsCountReply, resolve) => {
      if ('error' in reply) throw new TokenCountError('count', `Tokens could not be counted: ${reply.error}`);
      const { counts, encoding, exact, ms } = reply;
      resolve({ model, counts, encoding, exact, ms });
    });
  }

  /** Stops the worker; pending counts of both kinds settle with null. A later call starts a new worker. */
  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
    for (const lane of [this.#chat, this.#texts]) {
      lane.inFlight = null;
      lane.queued = null;
      lane.live?.drop();
      lane.live = null;
    }
  }

  /**
   * Makes `request` its lane's newest, settling the older one with null, and sends it unless the worker
   * is busy with one of this kind. `answer` turns the worker's reply into the result (or throws).
   */
  #submit<Reply extends TokenReply, Result>(
    lane: Lane,
    request: TokenRequest,
    answer: (reply: Reply, resolve: (result: Result) => void) => void,
  ): Promise<Result | null> {
    lane.live?.drop();
    lane.queued = null;
    return new Promise((resolve, reject) => {
      lane.live = {
        id: request.id,
        // The reply's id matched this lane's request, so it is of this lane's kind.
        settle: (reply) => {
          try {
            answer(reply as Reply, resolve);
          } catch (error) {
            reject(error);
          }
        },
        drop: () => resolve(null),
        reject,
      };
      if (lane.inFlight === null) this.#send(lane, request);
      else lane.queued = request;
    });
  }

  /** Fails a request that cannot be made, as the newest of its lane: the older ones settle with null. */
  #refuse(lane: Lane, error: TokenCountError): Promise<never> {
    lane.live?.drop();
    lane.live = null;
    lane.queued = null;
    return Promise.reject(error);
  }

  #send(lane: Lane, request: TokenRequest): void {
    let worker: CountWorker;
    try {
      worker = this.#ensureWorker();
    } catch (error) {
      this.#fail(lane, startError(error));
      return;
    }
    try {
      worker.postMessage(request);
      lane.inFlight = request.id;
    } catch (error) {
      this.#fail(
        lane,
        new TokenCountError(
          'count',
          `The ${lane.what} could not be sent for counting${errorDetail(error)}.`,
          {
            cause: error,
          },
        ),
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

  #receive(worker: CountWorker, reply: TokenReply): void {
    // Answers from a worker already dropped, or to a request it was not counting, are not ours.
    const lane = [this.#chat, this.#texts].find((l) => l.inFlight === reply.id);
    if (worker !== this.#worker || !lane) return;
    this.#answered = true;
    lane.inFlight = null;
    const live = lane.live;
    if (live?.id === reply.id) {
      lane.live = null;
      live.settle(reply);
    }
    const next = lane.queued;
    lane.queued = null;
    if (next) this.#send(lane, next);
  }

  #crashed(worker: CountWorker, event: ErrorEvent): void {
    if (worker !== this.#worker) return;
    const error = this.#answered
      ? new TokenCountError('crash', `Token counting stopped: its worker failed${errorDetail(event)}.`, {
          cause: event,
        })
      : startError(event);
    worker.terminate();
    this.#worker = null;
    for (const lane of [this.#chat, this.#texts]) {
      lane.inFlight = null;
      lane.queued = null;
      this.#fail(lane, error);
    }
  }

  #fail(lane: Lane, error: TokenCountError): void {
    const live = lane.live;
    lane.live = null;
    live?.reject(error);
  }
}
