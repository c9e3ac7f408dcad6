import type OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
} from 'openai/resources/chat/completions';
import { ChatAssembler, type Assembled } from '../chat/assemble';
import type { RunEnd } from '../chat/types';
import { describeApiError, diagnoseNetworkFailure, type ErrorContext } from './errors';
import type { ApiProblem, LocalServer } from './problems';

/** A retry about to happen: the UI counts down to `until`. */
export interface RetryWait {
  /** The attempt that will run next (2 = the first retry). */
  attempt: number;
  /** Attempts in all (max retries + 1). */
  of: number;
  waitMs: number;
  /** `Date.now()` time at which it runs. */
  until: number;
  /** Why the previous attempt failed. */
  problem: ApiProblem;
}

/** What a run reports while it goes; all optional. */
export interface RunEvents {
  onAttempt?(attempt: number, of: number): void;
  onRetryWait?(wait: RetryWait): void;
  onResponse?(info: { requestId: string | null; status: number }): void;
  /** `t` is milliseconds since the attempt started; `visible` = the chunk carried text or a tool delta. */
  onChunk?(chunk: ChatCompletionChunk, t: number, visible: boolean, assembler: ChatAssembler): void;
  /** Nothing arrived for `silentMs`: the stream (or the answer) stalled. */
  onStall?(silentMs: number): void;
  /** Something arrived again after a stall. */
  onResume?(): void;
}

export interface RunOptions {
  signal: AbortSignal;
  /** Silence after which `onStall` fires. */
  stallMs: number;
  /** Retries before the first chunk, for 408/409/429 (not insufficient_quota), 5xx, timeouts and network failures. */
  maxRetries: number;
  errorContext: ErrorContext;
  network: { pageOrigin: string; likelyServer: LocalServer | null };
  events?: RunEvents;
  /** Injected in tests. */
  now?: () => number;
}

/** A chunk and when it arrived, in milliseconds since the attempt started. */
export interface TimedChunk {
  t: number;
  data: ChatCompletionChunk;
}

/** Everything a run produced: kept even when it stopped, broke off or failed. */
export interface RunOutcome {
  end: RunEnd;
  problem: ApiProblem | null;
  /** True when the user cancelled while a retry was waiting. */
  retryCancelled: boolean;
  requestId: string | null;
  attempts: number;
  /** Milliseconds spent waiting between attempts. */
  waitedMs: number;
  /** Relative to the start of the last attempt. */
  timings: {
    responseMs: number | null;
    firstChunkMs: number | null;
    firstTokenMs: number | null;
    totalMs: number;
  };
  chunks: TimedChunk[];
  /** How many chunks carried text, a refusal or a tool-call delta. */
  visibleChunks: number;
  /** The whole completion, when streaming was off. */
  response: ChatCompletion | null;
  assembled: Assembled;
}

const RETRYABLE = new Set<ApiProblem['kind']>(['rate-limit', 'server', 'timeout', 'network', 'unreachable']);
/** The SDK's own ceiling for honouring a wait the server asks for. */
const MAX_WAIT_MS = 60_000;

/** When to retry: the server's hint when it gave one, else the SDK's backoff (0.5 s · 2ⁿ, at most 8 s). */
export function retryDelay(problem: ApiProblem, attempt: number, random = Math.random): number | null {
  if (!RETRYABLE.has(problem.kind) && problem.status !== 408 && problem.status !== 409) return null;
  if (problem.retryAfterMs != null) return problem.retryAfterMs <= MAX_WAIT_MS ? problem.retryAfterMs : null;
  const backoff = Math.min(500 * 2 ** (attempt - 1), 8000);
  return Math.round(backoff * (1 - random() * 0.25));
}

/**
 * Sends one chat request through the SDK and follows it to the end. The SDK parses the stream and maps
 * errors; this adds what it lacks: retries with a visible countdown (the SDK's own are silent, so it
 * runs with `maxRetries: 0`), a watchdog for a stream that goes quiet, the arrival time of every chunk,
 * and partial answers kept when the stream breaks or the user stops it. Never throws.
 */
export async function runChat(
  client: OpenAI,
  body: ChatCompletionCreateParams,
  options: RunOptions,
): Promise<RunOutcome> {
  const now = options.now ?? (() => performance.now());
  const events = options.events ?? {};
  const of = options.maxRetries + 1;
  const assembler = new ChatAssembler();
  const chunks: TimedChunk[] = [];
  const timings: RunOutcome['timings'] = {
    responseMs: null,
    firstChunkMs: null,
    firstTokenMs: null,
    totalMs: 0,
  };
  let requestId: string | null = null;
  let response: ChatCompletion | null = null;
  let waitedMs = 0;
  let visibleChunks = 0;
  let attempt = 0;
  let start = now();

  const finish = (end: RunEnd, problem: ApiProblem | null, retryCancelled = false): RunOutcome => {
    timings.totalMs = now() - start;
    return {
      end,
      problem,
      retryCancelled,
      requestId,
      attempts: attempt,
      waitedMs,
      timings,
      chunks,
      visibleChunks,
      response,
      assembled: assembler.result(),
    };
  };

  // Only a stream can stall: a whole answer may legitimately take minutes (the SDK's timeout covers it).
  const watchdog = new Watchdog(body.stream === true ? options.stallMs : null, events);
  try {
    for (;;) {
      attempt++;
      events.onAttempt?.(attempt, of);
      start = now();
      watchdog.arm();
      try {
        const {
          data,
          response: raw,
          request_id,
        } = await client.chat.completions
          .create(body, { signal: options.signal, maxRetries: 0 })
          .withResponse();
        requestId = request_id;
        timings.responseMs = now() - start;
        events.onResponse?.({ requestId, status: raw.status });
        watchdog.arm();
        if (isStream(data)) {
          for await (const chunk of data) {
            const t = now() - start;
            watchdog.arm();
            timings.firstChunkMs ??= t;
            const visible = assembler.add(chunk);
            if (visible) {
              timings.firstTokenMs ??= t;
              visibleChunks++;
            }
            chunks.push({ t, data: chunk });
            events.onChunk?.(chunk, t, visible, assembler);
          }
        } else {
          response = data;
          assembler.addCompletion(data);
          timings.firstChunkMs = timings.firstTokenMs = timings.responseMs;
        }
      } catch (err) {
        if (options.signal.aborted) return finish('stopped', null);
        const described = describeApiError(err, options.errorContext);
        // Once the answer started (headers in), a failure is the stream breaking, not a request to retry.
        if (chunks.length > 0 || timings.responseMs !== null) {
          return finish('interrupted', brokenStream(err, described, chunks.length));
        }
        const problem = await diagnose(described, options);
        const delay = attempt < of ? retryDelay(problem, attempt) : null;
        if (delay === null) return finish('failed', problem);
        watchdog.disarm();
        events.onRetryWait?.({ attempt: attempt + 1, of, waitMs: delay, until: Date.now() + delay, problem });
        const waitStart = now();
        const waited = await sleep(delay, options.signal);
        waitedMs += now() - waitStart;
        if (!waited) return finish('failed', problem, true);
        continue;
      }
      if (options.signal.aborted) return finish('stopped', null);
      const unfinished = assembler.result().choices.filter((c) => c.finishReason === null);
      if (response === null && (chunks.length === 0 || unfinished.length > 0)) {
        return finish('interrupted', endedEarly(chunks.length));
      }
      return finish('done', null);
    }
  } finally {
    watchdog.disarm();
  }
}

function isStream(data: unknown): data is AsyncIterable<ChatCompletionChunk> {
  return typeof data === 'object' && data !== null && Symbol.asyncIterator in data;
}

async function diagnose(problem: ApiProblem, options: RunOptions): Promise<ApiProblem> {
  return diagnoseNetworkFailure(problem, {
    baseURL: options.errorContext.baseURL,
    likelyServer: options.network.likelyServer,
    pageOrigin: options.network.pageOrigin,
    signal: options.signal,
  });
}

function brokenStream(err: unknown, problem: ApiProblem, received: number): ApiProblem {
  const malformed = err instanceof SyntaxError;
  return {
    ...problem,
    kind: 'interrupted',
    title: malformed ? 'The stream sent something unreadable' : 'The stream broke off',
    cause: `${after(received)}, ${
      malformed
        ? 'the server sent data that is not valid JSON'
        : `the connection ended before the answer was complete (${err instanceof Error ? err.message : String(err)})`
    }.`,
    fix: 'What arrived is kept below. Retry to ask again.',
  };
}

const after = (received: number): string =>
  received === 0
    ? 'After the response started and before any chunk'
    : `After ${received} ${received === 1 ? 'chunk' : 'chunks'}`;

function endedEarly(received: number): ApiProblem {
  return {
    kind: 'interrupted',
    field: 'request',
    title: 'The stream ended early',
    cause:
      received === 0
        ? 'The server closed the stream without sending any chunk.'
        : `The server closed the stream after ${received} ${received === 1 ? 'chunk' : 'chunks'}, before a finish_reason.`,
    fix: 'What arrived is kept below. Retry to ask again.',
  };
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Fires `onStall` after each period of silence, and `onResume` when something arrives after it. */
class Watchdog {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stalled = false;
  #ms: number | null;
  #events: RunEvents;

  /** `ms` null: never reports a stall. */
  constructor(ms: number | null, events: RunEvents) {
    this.#ms = ms;
    this.#events = events;
  }

  arm(): void {
    this.disarm();
    if (this.#stalled) {
      this.#stalled = false;
      this.#events.onResume?.();
    }
    if (this.#ms !== null) this.#schedule(this.#ms, this.#ms);
  }

  // Keeps reporting while the silence lasts, so a dismissed notice comes back after another period.
  #schedule(silentMs: number, period: number): void {
    this.#timer = setTimeout(() => {
      this.#stalled = true;
      this.#events.onStall?.(silentMs);
      this.#schedule(silentMs + period, period);
    }, period);
  }

  disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
