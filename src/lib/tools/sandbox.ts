/**
 * The sandbox a function mock runs in: a dedicated Web Worker of its own (src/workers/mock.worker.ts),
 * locked down by {@link lockDown} before the mock's code is compiled by {@link compileMock}.
 *
 * Mock code may come from someone else (a shared link), and the page's IndexedDB holds the person's data,
 * the API key among it. A worker shares the page's origin, so it could read that storage and send it
 * anywhere; the lock-down takes away every way to do either:
 *
 * - the network: `fetch`, `XMLHttpRequest`, `WebSocket`, `EventSource`, `WebTransport`, `importScripts`,
 *   `FontFace` (loads a URL), … ({@link BLOCKED_GLOBALS}`.network`);
 * - storage: `indexedDB`, `caches`, the old file-system API, and `navigator` (its `storage` reaches the
 *   origin's private file system and `storageBuckets` more IndexedDB; `locks`, `serviceWorker` and
 *   `sendBeacon` go first in case a `navigator` stays reachable);
 * - other contexts: `Worker` (a nested worker would start unlocked), `SharedWorker`, `BroadcastChannel`,
 *   `Notification`, and the worker's own `postMessage`/`onmessage` (the shell keeps private copies, so a
 *   mock cannot forge or read the worker's messages) and `close`;
 * - code from strings, which would bypass the check below: `eval`, the global `Function`, the
 *   `constructor` of every kind of function (`(() => {}).constructor('…')`, and the same for async,
 *   generator and async generator functions), and `setTimeout`/`setInterval` with a string.
 *
 * Dynamic `import()` is syntax, not a global, so no deletion removes it; instead {@link compileMock}
 * refuses code in which the word `import` appears at all (a keyword cannot be spelled with escapes such as
 * `\u0069mport`: that is a syntax error). With code from strings blocked, no `import(` can be built at run
 * time either.
 *
 * Left in place because they reach nothing outside the worker: `Request`, `Response`, `Headers` (nothing
 * left can send them), `Blob`, `URL`, `crypto`, `WebAssembly` (its modules can only call what they are
 * given), `structuredClone`, timers with a function. A mock that loops forever is stopped by its client
 * terminating the worker; each worker runs one mock, so one cannot leave state for the next.
 *
 * The pure parts take the scope and the function prototypes as arguments, so tests lock down a `node:vm`
 * context rather than the test process itself.
 */
import { describeThrown, mockContent, type MockOutcome } from './mock';

// Captured when this module loads, before any mock runs: mock code can replace the globals, not these.
const { apply, defineProperty, deleteProperty, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
const { hasOwn, setPrototypeOf } = Object;

/** The globals {@link lockDown} removes, by what they would reach. */
export const BLOCKED_GLOBALS = {
  network: [
    'fetch',
    'fetchLater',
    'XMLHttpRequest',
    'WebSocket',
    'WebSocketStream',
    'EventSource',
    'WebTransport',
    'RTCPeerConnection',
    'webkitRTCPeerConnection',
    'importScripts',
    'FontFace',
    'fonts',
  ],
  storage: [
    'indexedDB',
    'webkitIndexedDB',
    'caches',
    'cookieStore',
    'localStorage',
    'sessionStorage',
    'openDatabase',
    'webkitRequestFileSystem',
    'webkitRequestFileSystemSync',
    'webkitResolveLocalFileSystemURL',
    'webkitResolveLocalFileSystemSyncURL',
    'navigator',
  ],
  contexts: [
    'Worker',
    'SharedWorker',
    'BroadcastChannel',
    'Notification',
    'postMessage',
    'onmessage',
    'onmessageerror',
    'close',
  ],
  code: ['eval', 'ShadowRealm'],
} as const satisfies Record<string, readonly string[]>;

/** Members of `navigator` taken away before `navigator` itself, in case an instance stays reachable. */
export const BLOCKED_NAVIGATOR_MEMBERS = [
  'storage',
  'storageBuckets',
  'locks',
  'serviceWorker',
  'sendBeacon',
  'usb',
  'hid',
  'serial',
  'bluetooth',
] as const;

/** The message of the error thrown by every way of compiling code from a string, once locked down. */
export const CODE_FROM_STRINGS_MESSAGE =
  'Mock code may not compile code from strings (eval, Function, a string passed to setTimeout): write the code itself.';

/** The prototypes of a realm's four kinds of function; each one's `constructor` compiles strings. */
export interface FunctionPrototypes {
  function: object;
  asyncFunction: object;
  generatorFunction: object;
  asyncGeneratorFunction: object;
}

/** This realm's function prototypes (in the worker: the worker's). */
export function functionPrototypes(): FunctionPrototypes {
  return {
    function: Function.prototype,
    asyncFunction: getPrototypeOf(async function () {}) as object,
    generatorFunction: getPrototypeOf(function* () {}) as object,
    asyncGeneratorFunction: getPrototypeOf(async function* () {}) as object,
  };
}

/**
 * Removes `name` from `target` and everything it inherits from: deleted where it can be, set to
 * `undefined` where it cannot (a non-configurable but writable property). Throws when it stays reachable
 * with another value, so a sandbox that could not be locked down is never used.
 */
export function removeProperty(target: object, name: string): void {
  for (let owner: object | null = target; owner !== null; owner = getPrototypeOf(owner)) {
    if (hasOwn(owner, name) && !deleteProperty(owner, name))
      defineProperty(owner, name, { value: undefined });
  }
  for (let owner: object | null = target; owner !== null; owner = getPrototypeOf(owner)) {
    const left = getOwnPropertyDescriptor(owner, name);
    if (left && (!('value' in left) || left.value !== undefined)) {
      throw new Error(`The mock sandbox could not remove ${name}.`);
    }
  }
}

/**
 * Makes every way of compiling code from a string throw: the `constructor` of the four function
 * prototypes, the global `Function` (its stand-in keeps `instanceof Function` working), `eval`, and string
 * handlers of `setTimeout`/`setInterval`. `prototypes` must be `scope`'s own realm's.
 */
export function blockCodeFromStrings(scope: typeof globalThis, prototypes: FunctionPrototypes): void {
  const realm = scope as unknown as Record<string, unknown>;
  const ScopeEvalError = realm.EvalError as ErrorConstructor;
  const ScopeTypeError = realm.TypeError as ErrorConstructor;

  /** A function of `scope`'s realm as far as a mock can tell: nothing on it leads back to ours. */
  const adopt = <F extends object>(fn: F): F => {
    setPrototypeOf(fn, prototypes.function);
    return fn;
  };

  const kinds = Object.values(prototypes) as object[];
  for (const prototype of kinds) {
    const stand = adopt(function () {
      throw new ScopeEvalError(CODE_FROM_STRINGS_MESSAGE);
    });
    // Keeps `x instanceof Function` (and its async/generator kin) true; and gives the stand-in no
    // prototype object of this module's realm.
    defineProperty(stand, 'prototype', { value: prototype });
    if (
      !defineProperty(prototype, 'constructor', { value: stand }) ||
      getOwnPropertyDescriptor(prototype, 'constructor')?.value !== stand
    ) {
      throw new Error('The mock sandbox could not block the function constructors.');
    }
    if (prototype === prototypes.function) {
      removeProperty(scope, 'Function');
      defineProperty(scope, 'Function', { value: stand, writable: true, configurable: true });
    }
  }

  removeProperty(scope, 'eval');

  for (const name of ['setTimeout', 'setInterval']) {
    const original: unknown = realm[name];
    if (typeof original !== 'function') continue;
    // A method has no prototype object; arguments are passed on without iterating (mock code can
    // replace Array.prototype[Symbol.iterator], not the captured `apply`).
    const guarded = adopt(
      {
        [name](...args: unknown[]): unknown {
          if (typeof args[0] !== 'function') {
            throw new ScopeTypeError(`${name} needs a function. ${CODE_FROM_STRINGS_MESSAGE}`);
          }
          return apply(original, scope, args);
        },
      }[name]!,
    );
    removeProperty(scope, name);
    defineProperty(scope, name, { value: guarded, writable: true, configurable: true });
  }
}

/**
 * Locks `scope` down before any mock code runs in it: see this module's comment for what is removed and
 * why. Throws when something could not be removed; the worker then refuses to run the mock.
 *
 * @param prototypes the function prototypes of `scope`'s realm; the default, this module's realm's, is
 *   right in the worker (tests pass a `node:vm` context's).
 */
export function lockDown(
  scope: typeof globalThis,
  prototypes: FunctionPrototypes = functionPrototypes(),
): void {
  const realm = scope as unknown as Record<string, unknown>;
  if ((realm.Function as { prototype?: unknown } | undefined)?.prototype !== prototypes.function) {
    throw new Error('The mock sandbox was given function prototypes of another realm.');
  }
  const navigator = realm.navigator;
  if (typeof navigator === 'object' && navigator !== null) {
    for (const member of BLOCKED_NAVIGATOR_MEMBERS) removeProperty(navigator, member);
  }
  for (const name of Object.values(BLOCKED_GLOBALS).flat()) removeProperty(scope, name);
  blockCodeFromStrings(scope, prototypes);
}

/** A constructor of async functions, such as `(async () => {}).constructor` before the lock-down. */
export type MockFunctionConstructor = new (...paramsAndBody: string[]) => (args: unknown) => unknown;

/**
 * This realm's async function constructor. The worker captures it before {@link lockDown}, after which
 * `constructor` only throws.
 */
export function asyncFunctionConstructor(): MockFunctionConstructor {
  return (getPrototypeOf(async function () {}) as { constructor: MockFunctionConstructor }).constructor;
}

/** Mock code that cannot be compiled: `message` says why, with the line when it is known. */
export class MockCodeError extends Error {
  override readonly name = 'MockCodeError';
}

/** JavaScript's line terminators. */
const LINE_END = /\r\n|[\n\r\u2028\u2029]/g;

function lineOf(code: string, index: number): number {
  return (code.slice(0, index).match(LINE_END)?.length ?? 0) + 1;
}

/**
 * Why `code` may not run, before it is compiled: the word `import` anywhere (dynamic `import()` would load
 * a module over the network, and no global can be removed to stop it) or `importScripts`. Strings and
 * comments are not told apart: rejecting a harmless `'import'` is the price of a check that cannot be
 * fooled. Null when the code passes.
 */
export function forbiddenWord(code: string): string | null {
  const found = /\b(import|importScripts)\b/.exec(code);
  if (!found) return null;
  return `Line ${lineOf(code, found.index)}: Mock code may not use ${found[1]} (no network access in mocks).`;
}

function tryCompile(AsyncFunction: MockFunctionConstructor, code: string): unknown {
  try {
    return new AsyncFunction('args', `'use strict';\n${code}`);
  } catch (error) {
    return { error };
  }
}

/** The most prefixes tried to find a syntax error's line; beyond that the line found is approximate. */
const MAX_PROBES = 500;

/**
 * 'Line N: message' for a syntax error in `code`. Engines do not give the position of an error in code
 * compiled from a string, so it is found by compiling ever shorter prefixes (whole lines): the error lies on
 * the first line of the longest run of prefixes at the end that all fail with the same message. For a
 * bracket that is never closed that is where the unfinished part begins, so the message says so.
 */
function syntaxErrorMessage(AsyncFunction: MockFunctionConstructor, code: string, error: unknown): string {
  const message = describeThrown(error).replace(/^SyntaxError: /, '');
  const failure = (source: string): string | null => {
    const result = tryCompile(AsyncFunction, source);
    return typeof result === 'object' && result !== null && 'error' in result
      ? describeThrown(result.error).replace(/^SyntaxError: /, '')
      : null;
  };
  const ends = [...code.matchAll(LINE_END)].map((m) => m.index).concat(code.length);
  let line = 0;
  for (let k = ends.length; k >= 1 && k > ends.length - MAX_PROBES; k--) {
    if (failure(code.slice(0, ends[k - 1])) !== message) break;
    line = k;
  }
  if (line === 0) return message;
  for (const closer of ['}', ')', ']', '`']) {
    if (failure(`${code}\n${closer}`) === null) {
      const opener = { '}': '{', ')': '(', ']': '[', '`': '`' }[closer];
      return `Line ${line}: a '${opener}' on this line or below is never closed.`;
    }
  }
  return `Line ${line}: ${message}`;
}

/**
 * Compiles a mock's function body into `async function (args) { 'use strict'; <code> }` with the async
 * function constructor captured before the lock-down. Throws a {@link MockCodeError}: for `import`, for a
 * syntax error ('Line N: message'), or when the page's policy forbids compiling code.
 *
 * The worker is loaded from a same-origin URL, so it does not inherit the page's Content-Security-Policy
 * (a `<meta>` in index.html, without 'unsafe-eval'): a worker's policy comes from its own response's
 * headers, and a static host sends none, so compiling works there while `eval` stays blocked in the page.
 */
export function compileMock(
  code: string,
  AsyncFunction: MockFunctionConstructor,
): (args: unknown) => unknown {
  const forbidden = forbiddenWord(code);
  if (forbidden) throw new MockCodeError(forbidden);
  const result = tryCompile(AsyncFunction, code);
  if (typeof result === 'function') return result as (args: unknown) => unknown;
  const { error } = result as { error: unknown };
  if ((error as { name?: unknown } | null)?.name === 'SyntaxError') {
    throw new MockCodeError(syntaxErrorMessage(AsyncFunction, code, error), { cause: error });
  }
  throw new MockCodeError(
    `Function mocks cannot run on this site: its Content-Security-Policy does not allow compiling code (${describeThrown(error)}).`,
    { cause: error },
  );
}

/** Runs a compiled mock on `args`: its result as the tool message's content, or what it threw. */
export async function runCompiled(fn: (args: unknown) => unknown, args: unknown): Promise<MockOutcome> {
  let returned: unknown;
  try {
    returned = await fn(args);
  } catch (thrown) {
    return { ok: false, error: describeThrown(thrown) };
  }
  return mockContent(returned);
}

/** Compiles and runs mock code in an already locked-down scope: what the worker does with its message. */
export async function runMockCode(
  code: string,
  args: unknown,
  AsyncFunction: MockFunctionConstructor,
): Promise<MockOutcome> {
  let fn: (args: unknown) => unknown;
  try {
    fn = compileMock(code, AsyncFunction);
  } catch (error) {
    return { ok: false, error: error instanceof MockCodeError ? error.message : describeThrown(error) };
  }
  return runCompiled(fn, args);
}
