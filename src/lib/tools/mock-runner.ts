/**
 * The main thread's side of tool-call mocks: a fixed reply is answered here, a function mock in a worker
 * of its own (src/workers/mock.worker.ts) that is terminated once it has answered, run out of time, been
 * stopped or failed.
 */
import { MOCK_TIME_LIMIT_MS, type MockReply, type MockRequest, type MockResult, type MockSpec } from './mock';
import { errorDetail } from '../worker-errors';

/** What the runner needs of a Worker; a real `Worker` is one. */
export interface WorkerLike {
  onmessage: ((event: MessageEvent<MockReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  postMessage(request: MockRequest): void;
  terminate(): void;
}

export interface MockRunOptions {
  /** How long a function mock may run; {@link MOCK_TIME_LIMIT_MS} by default. */
  timeoutMs?: number;
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

/** 'The mock took longer than 2 s …' for a limit of 2000 ms. */
export function timeLimitMessage(timeoutMs: number): string {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return `The mock took longer than ${seconds} s and was stopped (an endless loop?).`;
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
 * the time limit and an abort are a result with `ok: false` and a message for the person.
 */
export function runMock(spec: MockSpec, args: unknown, options: MockRunOptions = {}): Promise<MockResult> {
  if (spec.kind === 'none') return Promise.resolve({ ok: false, error: NO_MOCK_MESSAGE, ms: 0 });
  if (spec.kind === 'fixed') return Promise.resolve({ ok: true, content: spec.reply, ms: 0 });

  const { timeoutMs = MOCK_TIME_LIMIT_MS, signal, createWorker = startMockWorker } = options;
  // Each call has a worker of its own: the id only tells its reply from anything else.
  const id = Math.floor(Math.random() * 2 ** 31);
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  if (signal?.aborted) return Promise.resolve({ ok: false, error: MOCK_STOPPED_MESSAGE, ms: 0 });

  return new Promise<MockResult>((resolve) => {
    let worker: WorkerLike | null = null;
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

    const timer = setTimeout(() => fail(timeLimitMessage(timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      worker = createWorker();
    } catch (error) {
      fail(`The mock could not run: its worker did not start${errorDetail(error)}.`);
      return;
    }
    worker.onmessage = (event) => {
      const reply = event.data;
      if (!isReply(reply, id)) return fail("The mock's answer was not understood.");
      finish(
        reply.ok
          ? { ok: true, content: reply.content, ms: reply.ms }
          : { ok: false, error: reply.error, ms: reply.ms },
      );
    };
    worker.onerror = (event) => {
      // An error the mock did not catch (in a timer, say) has a message; a module worker that failed to
      // load gives an event without one.
      const detail = errorDetail(event);
      fail(
        detail
          ? `The mock failed${detail}.`
          : 'The mock could not run: its worker did not start. Reload the page and try again.',
      );
    };
    worker.onmessageerror = () => fail("The mock's answer could not be read.");
    try {
      worker.postMessage({ id, code: spec.code, args });
    } catch (error) {
      fail(`The arguments could not be sent to the mock${errorDetail(error)}.`);
    }
  });
}
