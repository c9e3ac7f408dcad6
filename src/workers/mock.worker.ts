/**
 * Runs one function mock, then is terminated by its client (src/lib/tools/mock-runner.ts): a fresh worker,
 * and so a fresh realm, per call, so a mock cannot leave state for the next.
 *
 * Order matters: first capture what this shell needs, for the lock-down (src/lib/tools/sandbox.ts) removes
 * every global outside its allow-list: `postMessage` (a global operation), `addEventListener` (on
 * `EventTarget.prototype`, which the lock-down empties), `performance.now` (`performance` is narrowed) and
 * the async function constructor (its `constructor` then throws). Bound copies keep working after the
 * originals are gone. Then lock the scope down, listen, and only then say `{ ready: true }`: the client
 * sends the mock's code on that, and starts its time limit, so the limit does not count this start. Nothing
 * here touches the DOM, nor looks a global up after the lock-down.
 *
 * Compiling with the Function constructor works in this worker although the page's Content-Security-Policy
 * (a `<meta>` without 'unsafe-eval') forbids it in the page: a worker loaded from a same-origin URL takes
 * its policy from its own response's headers, not from the page.
 */
import type { MockRequest, MockWorkerMessage } from '../lib/tools/mock';
import { asyncFunctionConstructor, lockDown, runMockCode } from '../lib/tools/sandbox';

const post = self.postMessage.bind(self) as (message: MockWorkerMessage) => void;
const listen = self.addEventListener.bind(self);
const now = performance.now.bind(performance);
const AsyncFunction = asyncFunctionConstructor();

let lockDownError: string | null = null;
try {
  lockDown(self);
} catch (error) {
  lockDownError = error instanceof Error ? error.message : String(error);
}

let handled = false;
listen('message', async (event: MessageEvent<MockRequest>) => {
  // The client sends one message; anything after it (a mock dispatching events at itself) is ignored.
  if (handled) return;
  handled = true;
  const { id, code, args } = event.data;
  const started = now();
  const outcome = lockDownError
    ? {
        ok: false as const,
        error: `The mock was not run: its sandbox could not be set up (${lockDownError})`,
      }
    : await runMockCode(String(code), args, AsyncFunction);
  post({ id, ...outcome, ms: now() - started });
});

// Ready even when the lock-down failed: the request is then answered with that failure, not run.
post({ ready: true });
