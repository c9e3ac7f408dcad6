/**
 * The main thread's side of tool-call mocks: a fixed reply is answered here, a function mock in a worker
 * of its own (src/workers/mock.worker.ts) that is terminated once it has answered, run out of time, been
 * stopped or failed.
 */
import {
  MOCK_START_LIMIT_MS,
  MOCK_TIME_LIMIT_MS,
  type MockReady,
  type MockReply,
  type MockRequest,
  type MockResult,
  type MockSpec,
  type MockWorkerMessage,
} from './mock';
import { errorDetail } from '../worker-errors';

/** What the runner needs of a Worker; a real `Worker` is one. */
export interface WorkerLike {
  onmessage: ((event: MessageEvent<MockWorkerMessage>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  postMessage(request: MockRequest): void;
  terminate(): void;
}

export interface MockRunOptions {
  /**
   * How long a function mock may run, from the moment its worker is ready; {@link MOCK_TIME_LIMIT_MS} by
   * default.
   */
  timeoutMs?: number;
  /** How long its worker may take to start and say it is ready; {@link MOCK_START_LIMIT_MS} by default. */
  startTimeoutMs?: number;
  /** Aborting stops the mock: its worker is terminated and the result says it was stopped. */
  signal?: AbortSignal;
  /** For tests; the default starts src/workers/mock.worker.ts. */
  createWorker?: () => WorkerLike;
}

/** The real worker, bundled by Vite as its own chunk. */
export function startMockWorker(): WorkerLike {
  return new Worker(new URL('../../workers/mock.worker.ts', import.meta.url), { type: 'module' });
}

export const NO_MOCK_MESSAGE = 'No mock for this tool: type the result, or set a mock.';
export const MOCK_STOPPED_MESSAGE = 'The mock was stopped.';

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** 'The mock took longer than 2 s …' for a limit of 2000 ms. */
export function timeLimitMessage(timeoutMs: number): string {
  return `The mock took longer than ${seconds(timeoutMs)} s and was stopped (an endless loop?).`;
}

/** 'The mock worker did not start in 15 s.' for a limit of 15000 ms. */
export function startLimitMessage(startTimeoutMs: number): string {
  return `The mock worker did not start in ${seconds(startTimeoutMs)} s.`;
}

function isReady(data: unknown): data is MockReady {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>).ready === true;
}

function isReply(data: unknown, id: number): data is MockReply {
  if (typeof data !== 'object' || data === null) return false;
  const reply = data as Record<string, unknown>;
  return (
    reply.id === id &&
    typeof reply.ms === 'number' &&
    (reply.ok === true
      ? typeof reply.content === 'string'
      : reply.ok === false && typeof reply.error === 'string')
  );
}

/**
 * A tool call's result from its mock. 'none' answers that there is no mock, 'fixed' its reply as it is; a
 * 'function' mock runs in a new locked-down worker (see src/lib/tools/sandbox.ts) on `args`, the call's
 * parsed arguments (plain data: pass `$state.snapshot`s, not Svelte proxies). Never rejects: every failure,
 * either time limit and an abort are a result with `ok: false` and a message for the person.
 *
 * The worker is sent the mock only once it says it is ready (locked down and listening), and the time
 * limit starts then: starting a worker can take longer than a mock may run, on a slow machine or network,
 * and has a limit of its own. A failure's `ms` counts from that moment too, or from the call while the
 * worker is starting.
 */
export function runMock(spec: MockSpec, args: unknown, options: MockRunOptions = {}): Promise<MockResult> {
  if (spec.kind === 'none') return Promise.resolve({ ok: false, error: NO_MOCK_MESSAGE, ms: 0 });
  if (spec.kind === 'fixed') return Promise.resolve({ ok: true, content: spec.reply, ms: 0 });

  const {
    timeoutMs = MOCK_TIME_LIMIT_MS,
    startTimeoutMs = MOCK_START_LIMIT_MS,
    signal,
    createWorker = startMockWorker,
  } = options;
  // Each call has a worker of its own: the id only tells its reply from anything else.
  const id = Math.floor(Math.random() * 2 ** 31);
  let started = performance.now();
  const elapsed = () => performance.now() - started;
  if (signal?.aborted) return Promise.resolve({ ok: false, error: MOCK_STOPPED_MESSAGE, ms: 0 });

  return new Promise<MockResult>((resolve) => {
    let worker: WorkerLike | null = null;
    let ready = false;
    let done = false;

    const finish = (result: MockResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (worker) {
        worker.onmessage = worker.onerror = worker.onmessageerror = null;
        worker.terminate();
      }
      resolve(result);
    };
    const fail = (error: string): void => finish({ ok: false, error, ms: elapsed() });
    const onAbort = (): void => fail(MOCK_STOPPED_MESSAGE);

    let timer = setTimeout(() => fail(startLimitMessage(startTimeoutMs)), startTimeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    let created: WorkerLike;
    try {
      created = createWorker();
    } catch (error) {
      fail(`The mock could not run: its worker did not start${errorDetail(error)}.`);
      return;
    }
    worker = created;
    const send = (): void => {
      ready = true;
      clearTimeout(timer);
      started = performance.now();
      timer = setTimeout(() => fail(timeLimitMessage(timeoutMs)), timeoutMs);
      try {
        created.postMessage({ id, code: spec.code, args });
      } catch (error) {
        fail(`The arguments could not be sent to the mock${errorDetail(error)}.`);
      }
    };
    created.onmessage = (event) => {
      const message = event.data;
      if (!ready) return isReady(message) ? send() : fail("The mock's answer was not understood.");
      if (!isReply(message, id)) return fail("The mock's answer was not understood.");
      finish(
        message.ok
          ? { ok: true, content: message.content, ms: message.ms }
          : { ok: false, error: message.error, ms: message.ms },
      );
    };
    created.onerror = (event) => {
      // Once ready, an error is the mock's own (uncaught in a timer, say); before, the worker did not
      // start (a module worker that failed to load gives an event without a message).
      const detail = errorDetail(event);
      fail(
        ready
          ? `The mock failed${detail}.`
          : `The mock could not run: its worker did not start${detail}. Reload the page and try again.`,
      );
    };
    created.onmessageerror = () => fail("The mock's answer could not be read.");
  });
}
