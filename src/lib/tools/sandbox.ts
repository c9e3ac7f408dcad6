/**
 * The sandbox a function mock runs in: a dedicated Web Worker of its own (src/workers/mock.worker.ts),
 * locked down by {@link lockDown} before the mock's code is compiled by {@link compileMock}.
 *
 * Mock code may come from someone else (a shared link), and the page's IndexedDB holds the person's data,
 * the API key among it. A worker shares the page's origin, so it could read that storage and send it
 * anywhere. The lock-down keeps an allow-list, {@link ALLOWED_GLOBALS}, and removes everything else it
 * finds on the worker's global object and its prototype chain (in Chromium most web APIs, `fetch` and
 * `indexedDB` among them, live on `WorkerGlobalScope.prototype`, and `addEventListener` on
 * `EventTarget.prototype`). A deny-list would have to name every way out, and would miss the next one a
 * browser ships; a walk removes APIs nobody here has heard of. What goes, by what it would reach:
 *
 * - the network and storage: `fetch`, `XMLHttpRequest`, `WebSocket`, `importScripts`, `indexedDB`,
 *   `caches`, `navigator` (its `storage` reaches the origin's private file system), and whatever comes
 *   next;
 * - other contexts: `Worker` (a nested worker would start unlocked), `BroadcastChannel`, the worker's own
 *   `postMessage`/`onmessage`/`addEventListener` (the shell keeps private copies, so a mock cannot forge
 *   or read the worker's messages) and `close`;
 * - code from strings, which would bypass the check below: `eval`, `ShadowRealm`, `WebAssembly`; the
 *   global `Function` and the `constructor` of every kind of function (`(() => {}).constructor('…')`, and
 *   the same for async, generator and async generator functions) are replaced by stand-ins that throw,
 *   and `setTimeout`/`setInterval` refuse a string.
 *
 * Dynamic `import()` is syntax, not a global, so no deletion removes it; instead {@link compileMock}
 * refuses code in which the word `import` appears at all (a keyword cannot be spelled with escapes such as
 * `\u0069mport`: that is a syntax error). With code from strings blocked, no `import(` can be built at run
 * time either.
 *
 * The lock-down then checks its work: a worker in which anything outside the allow-list is still
 * reachable (a property that could be neither deleted nor overwritten) throws, and never runs a mock. A
 * mock that loops forever is stopped by its client terminating the worker; each worker runs one mock, so
 * one cannot leave state for the next.
 *
 * The pure parts take the scope and the function prototypes as arguments, so tests lock down a `node:vm`
 * context rather than the test process itself.
 */
import { describeThrown, mockContent, type MockOutcome } from './mock';

// Captured when this module loads, before any mock runs: mock code can replace the globals, not these.
const { apply, defineProperty, deleteProperty, getOwnPropertyDescriptor, getPrototypeOf, ownKeys } = Reflect;
const { create, freeze, hasOwn, setPrototypeOf } = Object;

/**
 * The globals {@link lockDown} keeps; every other property of the worker's global object and of the
 * objects it inherits from (up to `Object.prototype`), by string or symbol, is removed.
 *
 * - `language`: ECMAScript's own globals, which reach nothing outside the worker. Not `eval` (code from
 *   strings), nor `ShadowRealm` (its `evaluate` takes a string). `Function` is kept by name but replaced
 *   by a stand-in that throws. `SharedArrayBuffer` only exists in a cross-origin isolated page, and
 *   without `postMessage` there is no one to share it with. A global a future edition adds is removed
 *   until it is named here: the list errs on the side of taking too much.
 * - `web`: the few web APIs a mock has a use for, none of which stores or sends anything. `crypto` is
 *   replaced by a frozen object with only `getRandomValues` and `randomUUID` (`crypto.subtle` is not
 *   needed), `performance` by one with only `now`, and `setTimeout`/`setInterval` by versions that
 *   refuse a string. Not kept: `WebAssembly` (another compiler, and no mock needs one), `Event` and
 *   `EventTarget`, and with them `AbortController`/`AbortSignal`, which would be crippled anyway:
 *   `addEventListener` goes with `EventTarget.prototype`, which the worker's global object inherits from.
 */
export const ALLOWED_GLOBALS = {
  language: [
    'globalThis',
    'Infinity',
    'NaN',
    'undefined',
    'isFinite',
    'isNaN',
    'parseFloat',
    'parseInt',
    'decodeURI',
    'decodeURIComponent',
    'encodeURI',
    'encodeURIComponent',
    'escape',
    'unescape',
    'Object',
    'Function',
    'Boolean',
    'Symbol',
    'Number',
    'BigInt',
    'Math',
    'Date',
    'String',
    'RegExp',
    'Array',
    'Map',
    'Set',
    'WeakMap',
    'WeakSet',
    'WeakRef',
    'FinalizationRegistry',
    'Promise',
    'Proxy',
    'Reflect',
    'JSON',
    'Intl',
    'Iterator',
    'Temporal',
    'Error',
    'AggregateError',
    'EvalError',
    'RangeError',
    'ReferenceError',
    'SyntaxError',
    'TypeError',
    'URIError',
    'SuppressedError',
    'DisposableStack',
    'AsyncDisposableStack',
    'ArrayBuffer',
    'SharedArrayBuffer',
    'DataView',
    'Atomics',
    'Int8Array',
    'Uint8Array',
    'Uint8ClampedArray',
    'Int16Array',
    'Uint16Array',
    'Int32Array',
    'Uint32Array',
    'Float16Array',
    'Float32Array',
    'Float64Array',
    'BigInt64Array',
    'BigUint64Array',
  ],
  web: [
    'self',
    'console',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'queueMicrotask',
    'structuredClone',
    'TextEncoder',
    'TextDecoder',
    'URL',
    'URLSearchParams',
    'atob',
    'btoa',
    'crypto',
    'performance',
  ],
} as const satisfies Record<string, readonly string[]>;

const ALLOWED = new Set<PropertyKey>(Object.values(ALLOWED_GLOBALS).flat());

/** The members of `crypto` and `performance` that stay, on frozen objects that replace them. */
export const NARROWED_GLOBALS = {
  crypto: ['getRandomValues', 'randomUUID'],
  performance: ['now'],
} as const satisfies Partial<Record<(typeof ALLOWED_GLOBALS.web)[number], readonly string[]>>;

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

/** Gone: absent, or `undefined` (what a non-configurable but writable property is set to). */
function isGone(left: PropertyDescriptor | undefined): boolean {
  return left === undefined || ('value' in left && left.value === undefined);
}

/**
 * Deletes `owner`'s own `key`, or sets it to `undefined` when it cannot be deleted (non-configurable but
 * writable). Anything else is left for the caller's check.
 */
function removeOwn(owner: object, key: PropertyKey): void {
  if (deleteProperty(owner, key)) return;
  const left = getOwnPropertyDescriptor(owner, key);
  if (left && 'value' in left && left.writable === true) defineProperty(owner, key, { value: undefined });
}

/**
 * Removes `name` from `target` and everything it inherits from: deleted where it can be, set to
 * `undefined` where it cannot (a non-configurable but writable property). Throws when it stays reachable
 * with another value, so a sandbox that could not be locked down is never used.
 */
export function removeProperty(target: object, name: string): void {
  for (let owner: object | null = target; owner !== null; owner = getPrototypeOf(owner)) {
    if (hasOwn(owner, name)) removeOwn(owner, name);
  }
  for (let owner: object | null = target; owner !== null; owner = getPrototypeOf(owner)) {
    if (!isGone(getOwnPropertyDescriptor(owner, name))) {
      throw new Error(`The mock sandbox could not remove ${name}.`);
    }
  }
}

/** `scope` and the objects it inherits from, up to but not including its realm's `Object.prototype`. */
function globalChain(scope: object, objectPrototype: object): object[] {
  const chain: object[] = [];
  for (let owner: object | null = scope; owner !== null && owner !== objectPrototype;) {
    chain.push(owner);
    owner = getPrototypeOf(owner);
  }
  return chain;
}

/**
 * Whether a property left outside the allow-list is harmless: gone, or a constant that is not an object
 * (Chromium's `TEMPORARY` and `PERSISTENT`, numbers that can be neither deleted nor changed).
 */
function isHarmless(left: PropertyDescriptor | undefined): boolean {
  if (isGone(left)) return true;
  return (
    left !== undefined &&
    'value' in left &&
    left.writable === false &&
    left.configurable === false &&
    (typeof left.value !== 'object' || left.value === null) &&
    typeof left.value !== 'function'
  );
}

/**
 * Removes every property of `scope`'s prototype chain (up to `Object.prototype`) that is not in
 * {@link ALLOWED_GLOBALS}: own keys, strings and symbols, whatever they are called.
 */
function removeAllButAllowed(scope: object, objectPrototype: object): void {
  for (const owner of globalChain(scope, objectPrototype)) {
    for (const key of ownKeys(owner)) {
      if (!ALLOWED.has(key)) removeOwn(owner, key);
    }
  }
}

/** Throws when anything outside the allow-list is still reachable on `scope`'s prototype chain. */
function assertOnlyAllowed(scope: object, objectPrototype: object): void {
  for (const owner of globalChain(scope, objectPrototype)) {
    for (const key of ownKeys(owner)) {
      if (!ALLOWED.has(key) && !isHarmless(getOwnPropertyDescriptor(owner, key))) {
        throw new Error(`The mock sandbox could not remove ${String(key)}.`);
      }
    }
  }
}

/** `fn` as a function of the realm whose `Function.prototype` is given: nothing on it leads back here. */
function adopt<F extends object>(fn: F, functionPrototype: object): F {
  setPrototypeOf(fn, functionPrototype);
  return fn;
}

/**
 * A method named `name` that calls `original` on `target`, as a function of the realm whose
 * `Function.prototype` is given. A method has no prototype object; arguments are passed on without
 * iterating (mock code can replace `Array.prototype[Symbol.iterator]`, not the captured `apply`).
 */
function forwarder(
  name: string,
  original: (...args: never[]) => unknown,
  target: unknown,
  functionPrototype: object,
): (...args: unknown[]) => unknown {
  const method = {
    [name](...args: unknown[]): unknown {
      return apply(original, target, args);
    },
  }[name]!;
  return adopt(method, functionPrototype);
}

/**
 * A frozen object of `scope`'s realm holding forwarders to `members` of `source` (those that exist), or
 * null when there is no `source`. Made before the lock-down removes the original.
 */
function narrowed(
  source: unknown,
  members: readonly string[],
  prototypes: FunctionPrototypes,
): object | null {
  if (typeof source !== 'object' || source === null) return null;
  const narrow = create(getPrototypeOf(prototypes.function) as object) as Record<string, unknown>;
  for (const member of members) {
    const original = (source as Record<string, unknown>)[member];
    if (typeof original !== 'function') continue;
    defineProperty(narrow, member, {
      value: forwarder(member, original as (...args: never[]) => unknown, source, prototypes.function),
      enumerable: true,
    });
  }
  return freeze(narrow);
}

/** Puts `value` in `name`'s place as an own property of `scope`, or just removes `name` when null. */
function replaceGlobal(scope: object, name: string, value: unknown): void {
  removeProperty(scope, name);
  if (value !== null) defineProperty(scope, name, { value, writable: true, configurable: true });
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

  const kinds = Object.values(prototypes) as object[];
  for (const prototype of kinds) {
    const stand = adopt(function () {
      throw new ScopeEvalError(CODE_FROM_STRINGS_MESSAGE);
    }, prototypes.function);
    // Keeps `x instanceof Function` (and its async/generator kin) true; and gives the stand-in no
    // prototype object of this module's realm.
    defineProperty(stand, 'prototype', { value: prototype });
    if (
      !defineProperty(prototype, 'constructor', { value: stand }) ||
      getOwnPropertyDescriptor(prototype, 'constructor')?.value !== stand
    ) {
      throw new Error('The mock sandbox could not block the function constructors.');
    }
    if (prototype === prototypes.function) replaceGlobal(scope, 'Function', stand);
  }

  removeProperty(scope, 'eval');

  for (const name of ['setTimeout', 'setInterval']) {
    const original: unknown = realm[name];
    if (typeof original !== 'function') continue;
    // A method has no prototype object; arguments are passed on without iterating (see forwarder).
    const guarded = adopt(
      {
        [name](...args: unknown[]): unknown {
          if (typeof args[0] !== 'function') {
            throw new ScopeTypeError(`${name} needs a function. ${CODE_FROM_STRINGS_MESSAGE}`);
          }
          return apply(original, scope, args);
        },
      }[name]!,
      prototypes.function,
    );
    replaceGlobal(scope, name, guarded);
  }
}

/**
 * Locks `scope` down before any mock code runs in it: removes every global outside
 * {@link ALLOWED_GLOBALS} (see this module's comment for why an allow-list), narrows `crypto` and
 * `performance` ({@link NARROWED_GLOBALS}), blocks code from strings, then checks that nothing outside
 * the allow-list is left. Throws when something could not be removed; the worker then refuses to run the
 * mock.
 *
 * Whatever the caller needs afterwards (in the worker: `postMessage`, `addEventListener`,
 * `performance.now`, the async function constructor) it must capture first.
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
  const objectPrototype = getPrototypeOf(prototypes.function) as object;
  const narrow = Object.entries(NARROWED_GLOBALS).map(
    ([name, members]) => [name, narrowed(realm[name], members, prototypes)] as const,
  );
  removeAllButAllowed(scope, objectPrototype);
  for (const [name, value] of narrow) replaceGlobal(scope, name, value);
  blockCodeFromStrings(scope, prototypes);
  assertOnlyAllowed(scope, objectPrototype);
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
