import vm from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MOCK_FUNCTION_EXAMPLE,
  MOCK_START_LIMIT_MS,
  MOCK_TIME_LIMIT_MS,
  describeThrown,
  mockContent,
  type MockRequest,
  type MockResult,
  type MockWorkerMessage,
} from '../../src/lib/tools/mock';
import {
  ALLOWED_GLOBALS,
  CODE_FROM_STRINGS_MESSAGE,
  MockCodeError,
  asyncFunctionConstructor,
  compileMock,
  forbiddenWord,
  functionPrototypes,
  lockDown,
  removeProperty,
  runCompiled,
  runMockCode,
  type FunctionPrototypes,
  type MockFunctionConstructor,
} from '../../src/lib/tools/sandbox';
import {
  MOCK_STOPPED_MESSAGE,
  NO_MOCK_MESSAGE,
  runMock,
  startLimitMessage,
  timeLimitMessage,
  type WorkerLike,
} from '../../src/lib/tools/mock-runner';

const AsyncFunction = asyncFunctionConstructor();

describe('mockContent', () => {
  it('passes a string on as it is', () => {
    expect(mockContent('It is sunny.')).toEqual({ ok: true, content: 'It is sunny.' });
    expect(mockContent('')).toEqual({ ok: true, content: '' });
  });

  it('turns anything else into JSON', () => {
    expect(mockContent({ city: 'Oslo', temperature: 21 })).toEqual({
      ok: true,
      content: '{"city":"Oslo","temperature":21}',
    });
    expect(mockContent([1, 'two'])).toEqual({ ok: true, content: '[1,"two"]' });
    expect(mockContent(42)).toEqual({ ok: true, content: '42' });
    expect(mockContent(false)).toEqual({ ok: true, content: 'false' });
    expect(mockContent(null)).toEqual({ ok: true, content: 'null' });
  });

  it('says so when the mock returned nothing', () => {
    expect(mockContent(undefined)).toEqual({
      ok: false,
      error: 'The mock returned nothing: end it with return …',
    });
  });

  it('names what JSON cannot hold', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const cases: [unknown, string][] = [
      [10n, 'a BigInt'],
      [{ big: 10n }, 'a BigInt'],
      [cycle, 'an object that contains itself'],
      [() => 1, 'a function'],
      [Symbol('s'), 'a symbol'],
      [
        {
          toJSON() {
            throw new RangeError('no');
          },
        },
        'RangeError: no',
      ],
    ];
    for (const [value, what] of cases) {
      const result = mockContent(value);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toContain(`JSON cannot hold (${what})`);
    }
  });
});

describe('describeThrown', () => {
  it('gives an error as `name: message`, and anything else thrown as it is', () => {
    expect(describeThrown(new TypeError('bad city'))).toBe('TypeError: bad city');
    expect(describeThrown({ name: 'WeatherError', message: 'offline' })).toBe('WeatherError: offline');
    expect(describeThrown('nope')).toBe('The mock threw "nope"');
    expect(describeThrown(42)).toBe('The mock threw 42');
  });

  it('never throws, whatever was thrown', () => {
    const hostile = {
      get message(): string {
        throw new Error('gotcha');
      },
    };
    expect(describeThrown(hostile)).toBe('The mock threw a value that cannot be shown.');
    expect(describeThrown(Object.create(null))).toBe('The mock threw a value that cannot be shown.');
  });
});

describe('forbiddenWord and compileMock', () => {
  it('refuses import, with its line', () => {
    expect(forbiddenWord("return import('https://example.com/x.js');")).toBe(
      'Line 1: Mock code may not use import (no network access in mocks).',
    );
    expect(forbiddenWord('const a = 1;\n\nconst m = await import(url);')).toMatch(/^Line 3: /);
    expect(forbiddenWord("importScripts('x.js');")).toBe(
      'Line 1: Mock code may not use importScripts (no network access in mocks).',
    );
    // Strings and comments are not told apart: the check cannot be fooled by them either.
    expect(forbiddenWord("// import the data\nreturn 'ok';")).toMatch(/^Line 1: /);
    expect(() => compileMock('return import("data:text/javascript,")', AsyncFunction)).toThrow(MockCodeError);
  });

  it('lets words that only contain import through', () => {
    for (const code of [
      'return args.important;',
      'const reimport = 1; return reimport;',
      'return _import;',
    ]) {
      expect(forbiddenWord(code)).toBeNull();
    }
  });

  it('needs no check for an escaped import: the engine refuses a keyword with escapes', () => {
    // In source text, \u0069mport spells "import"; a keyword may not contain escapes (ES2015+).
    for (const code of ['return \\u0069mport("x");', 'return im\\u0070ort("x");']) {
      expect(forbiddenWord(code)).toBeNull();
      expect(() => new AsyncFunction('args', code)).toThrow(SyntaxError);
      expect(() => compileMock(code, AsyncFunction)).toThrow(/^Line 1: /);
    }
  });

  it('gives a syntax error its line', () => {
    expect(() => compileMock('const a = 1;\nfoo(;\nreturn a;', AsyncFunction)).toThrow(
      /^Line 2: Unexpected token ';'$/,
    );
    expect(() => compileMock('const a = 1;\nconst a = 2;\n\n// done\n', AsyncFunction)).toThrow(
      /^Line 2: Identifier 'a' has already been declared$/,
    );
  });

  it('points at where a bracket is left open, not at the end', () => {
    expect(() => compileMock('if (args.city) {\n  return 1;\n', AsyncFunction)).toThrow(
      "Line 1: a '{' on this line or below is never closed.",
    );
    const code = 'const a = {\n  b: 1,\n};\nif (a.b) {\n  return a;';
    expect(() => compileMock(code, AsyncFunction)).toThrow("Line 4: a '{' on this line or below");
    expect(() => compileMock('return [1,\n2', AsyncFunction)).toThrow("Line 1: a '['");
    expect(() => compileMock('const a = 1;\nreturn `x\ny', AsyncFunction)).toThrow("Line 2: a '`'");
  });

  it('says when the page forbids compiling code', () => {
    const Refusing = function () {
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not allowed");
    } as unknown as MockFunctionConstructor;
    expect(() => compileMock('return 1;', Refusing)).toThrow(/Content-Security-Policy.*EvalError: Refused/);
  });

  it('compiles a strict async function of args', async () => {
    const fn = compileMock(MOCK_FUNCTION_EXAMPLE, AsyncFunction);
    expect(await fn({ city: 'Oslo' })).toEqual({
      city: 'Oslo',
      unit: 'celsius',
      temperature: 21,
      conditions: 'sunny',
    });
    expect(await compileMock('return this === undefined;', AsyncFunction)({})).toBe(true);
    await expect(compileMock('undeclared = 1; return 1;', AsyncFunction)({})).rejects.toThrow(ReferenceError);
  });
});

describe('runCompiled and runMockCode', () => {
  it('gives the content of what the mock returned', async () => {
    const fn = compileMock('await null; return { echoed: args };', AsyncFunction);
    expect(await runCompiled(fn, { q: 1 })).toEqual({ ok: true, content: '{"echoed":{"q":1}}' });
  });

  it('gives what the mock threw as `name: message`', async () => {
    expect(await runMockCode("throw new RangeError('No such city');", {}, AsyncFunction)).toEqual({
      ok: false,
      error: 'RangeError: No such city',
    });
    expect(await runMockCode('return args.missing.deep;', {}, AsyncFunction)).toEqual({
      ok: false,
      error: expect.stringMatching(/^TypeError: Cannot read properties of undefined/),
    });
  });

  it('gives compile errors as their message alone', async () => {
    expect(await runMockCode('return (;', {}, AsyncFunction)).toEqual({
      ok: false,
      error: "Line 1: Unexpected token ';'",
    });
  });
});

describe('removeProperty', () => {
  it('removes a property from the object and everything it inherits from', () => {
    const base = { fetch: () => 'base' };
    const scope = Object.create(Object.create(base)) as Record<string, unknown>;
    scope.fetch = () => 'own';
    removeProperty(scope, 'fetch');
    expect('fetch' in scope).toBe(false);
    expect('fetch' in base).toBe(false);
  });

  it('sets a non-configurable but writable property to undefined', () => {
    const scope = Object.defineProperty({}, 'caches', { value: {}, writable: true, configurable: false });
    removeProperty(scope, 'caches');
    expect((scope as { caches?: unknown }).caches).toBeUndefined();
  });

  it('throws when a property cannot be removed', () => {
    const frozen = Object.defineProperty({}, 'fetch', {
      value: () => 1,
      writable: false,
      configurable: false,
    });
    expect(() => removeProperty(frozen, 'fetch')).toThrow('The mock sandbox could not remove fetch.');
    const getter = Object.defineProperty({}, 'indexedDB', { get: () => ({}), configurable: false });
    expect(() => removeProperty(getter, 'indexedDB')).toThrow('could not remove indexedDB');
  });
});

/**
 * A worker's global scope as Chromium builds it, with fakes, in a node:vm context (so locking it down
 * leaves the test process alone): the ECMAScript globals are the context's own; web APIs are own
 * properties (interface objects, `postMessage`, `onmessage`), and, as in Chromium, most of the rest sits on
 * a fake `WorkerGlobalScope.prototype` (`fetch`, `indexedDB`, `navigator`, the timers, `crypto`, …) and
 * `EventTarget.prototype` (`addEventListener`). `futureStorageThing` and a symbol-keyed API stand for what
 * browsers have not shipped yet; `TEMPORARY`/`PERSISTENT` are Chromium's constants that cannot be removed.
 * The allowed web APIs are Node's, passed in as `host`; the fakes "reach" something by returning a string
 * saying so.
 */
const FAKE_SCOPE = `(host) => {
  const reach = (what) => function () { return 'reached ' + what; };
  const data = (target, values) => {
    for (const [name, value] of Object.entries(values)) {
      Object.defineProperty(target, name, { value, writable: true, configurable: true });
    }
  };
  const accessors = (target, getters) => {
    for (const [name, get] of Object.entries(getters)) {
      Object.defineProperty(target, name, { get, set() {}, configurable: true, enumerable: true });
    }
  };

  const EventTargetPrototype = {};
  data(EventTargetPrototype, {
    addEventListener: reach('the worker\\'s messages'),
    removeEventListener: reach('the worker\\'s messages'),
    dispatchEvent: reach('the worker\\'s listeners'),
    when: reach('an observable'),
  });
  const WorkerGlobalScopePrototype = Object.create(EventTargetPrototype);
  accessors(WorkerGlobalScopePrototype, {
    self: () => globalThis,
    location: () => ({ href: 'https://sandpit.example/worker.js' }),
    navigator: () => ({
      userAgent: 'fake',
      storage: { getDirectory: reach('the file system') },
      sendBeacon: reach('the network'),
    }),
    indexedDB: () => ({ open: reach('the database with the API key') }),
    caches: () => ({ open: reach('the cache') }),
    fonts: () => ({ load: reach('the network') }),
    origin: () => 'https://sandpit.example',
    scheduler: () => ({ postTask: reach('a task') }),
    futureStorageThing: () => ({ read: reach('a storage API from the future') }),
    onerror: () => null,
    crypto: () => host.crypto,
    performance: () => host.performance,
  });
  data(WorkerGlobalScopePrototype, {
    fetch: reach('the network'),
    importScripts: reach('the network'),
    reportError: reach('the console'),
    createImageBitmap: reach('images'),
    atob: host.atob,
    btoa: host.btoa,
    queueMicrotask: host.queueMicrotask,
    structuredClone: host.structuredClone,
    setTimeout: host.setTimeout,
    clearTimeout: host.clearTimeout,
    setInterval: host.setInterval,
    clearInterval: host.clearInterval,
  });
  const DedicatedWorkerGlobalScopePrototype = Object.create(WorkerGlobalScopePrototype);
  for (const [name, value] of [['TEMPORARY', 0], ['PERSISTENT', 1]]) {
    Object.defineProperty(DedicatedWorkerGlobalScopePrototype, name, { value, enumerable: true });
  }
  DedicatedWorkerGlobalScopePrototype[Symbol.for('futureSymbolThing')] = reach('a symbol-keyed API');
  for (const [prototype, name] of [
    [EventTargetPrototype, 'EventTarget'],
    [WorkerGlobalScopePrototype, 'WorkerGlobalScope'],
    [DedicatedWorkerGlobalScopePrototype, 'DedicatedWorkerGlobalScope'],
  ]) {
    const Interface = reach(name);
    Interface.prototype = prototype;
    data(prototype, { constructor: Interface, [Symbol.toStringTag]: name });
    data(globalThis, { [name]: Interface });
  }
  Object.setPrototypeOf(globalThis, DedicatedWorkerGlobalScopePrototype);

  for (const name of [
    'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'EventSource', 'WebTransport', 'Worker',
    'SharedWorker', 'BroadcastChannel', 'MessageChannel', 'Notification', 'IDBFactory', 'CacheStorage',
    'FileSystemHandle', 'Blob', 'Request', 'Response', 'Headers', 'FileReader', 'FontFace', 'Event',
    'AbortController', 'AbortSignal', 'ShadowRealm',
  ]) {
    data(globalThis, { [name]: reach(name) });
  }
  data(globalThis, {
    postMessage: reach('the page'),
    close: reach('the worker'),
    requestAnimationFrame: reach('frames'),
    webkitRequestFileSystem: reach('the file system'),
    name: '',
    TextEncoder: host.TextEncoder,
    TextDecoder: host.TextDecoder,
    URL: host.URL,
    URLSearchParams: host.URLSearchParams,
  });
  let handler = null;
  accessors(globalThis, { onmessage: () => handler });
  // Neither deletable nor a constant: the lock-down can only overwrite it.
  Object.defineProperty(globalThis, 'legacyStorage', {
    value: { read: reach('old storage') },
    writable: true,
    configurable: false,
  });
}`;

/** Names a mock must not reach, each of them in the fake scope: the network, storage, other contexts. */
const UNSAFE_NAMES = [
  'fetch',
  'importScripts',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  'MessageChannel',
  'Notification',
  'indexedDB',
  'IDBFactory',
  'caches',
  'CacheStorage',
  'FileSystemHandle',
  'navigator',
  'location',
  'fonts',
  'FontFace',
  'scheduler',
  'futureStorageThing',
  'legacyStorage',
  'webkitRequestFileSystem',
  'postMessage',
  'onmessage',
  'onerror',
  'addEventListener',
  'dispatchEvent',
  'close',
  'reportError',
  'Blob',
  'Request',
  'Response',
  'EventTarget',
  'WorkerGlobalScope',
  'eval',
  'ShadowRealm',
  'WebAssembly',
];

const PROTOTYPES_OF_CONTEXT = `({
  function: Function.prototype,
  asyncFunction: Object.getPrototypeOf(async function () {}),
  generatorFunction: Object.getPrototypeOf(function* () {}),
  asyncGeneratorFunction: Object.getPrototypeOf(async function* () {}),
})`;

/** A node:vm realm set up like the worker: its async function constructor captured, then locked down. */
function lockedRealm() {
  const context = vm.createContext({});
  (vm.runInContext(FAKE_SCOPE, context) as (host: object) => void)({
    crypto: globalThis.crypto,
    performance: globalThis.performance,
    atob,
    btoa,
    queueMicrotask,
    structuredClone,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
  });
  const scope = vm.runInContext('globalThis', context) as typeof globalThis;
  const objectPrototype = vm.runInContext('Object.prototype', context) as object;
  const prototypes = vm.runInContext(PROTOTYPES_OF_CONTEXT, context) as FunctionPrototypes;
  const ContextAsyncFunction = vm.runInContext(
    'Object.getPrototypeOf(async function () {}).constructor',
    context,
  ) as MockFunctionConstructor;
  lockDown(scope, prototypes);
  return {
    scope,
    objectPrototype,
    prototypes,
    run: (code: string, args: unknown = {}) => runMockCode(code, args, ContextAsyncFunction),
  };
}

/**
 * The own keys of `scope` and of what it inherits (up to Object.prototype) that still hold something: an
 * accessor, or a value other than undefined.
 */
function leftOnChain(scope: object, objectPrototype: object): PropertyKey[] {
  const left: PropertyKey[] = [];
  for (let owner: object | null = scope; owner && owner !== objectPrototype;) {
    for (const key of Reflect.ownKeys(owner)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(owner, key)!;
      if (!('value' in descriptor) || descriptor.value !== undefined) left.push(key);
    }
    owner = Reflect.getPrototypeOf(owner);
  }
  return left;
}

const allowed = new Set<PropertyKey>(Object.values(ALLOWED_GLOBALS).flat());
const blockedCode = `EvalError: ${CODE_FROM_STRINGS_MESSAGE}`;

describe('lockDown (in a node:vm context)', () => {
  it('leaves nothing outside the allow-list on the scope or its prototypes, future APIs included', async () => {
    const { scope, objectPrototype, run } = lockedRealm();
    const left = leftOnChain(scope, objectPrototype).filter((key) => !allowed.has(key));
    // Chromium's constants, numbers that can be neither deleted nor changed, are all that stays.
    expect(left).toEqual(['TEMPORARY', 'PERSISTENT']);
    // The names come as arguments: 'importScripts' in the code itself would be refused.
    expect(
      await run(
        "return args.filter((n) => typeof globalThis[n] !== 'undefined' || typeof self[n] !== 'undefined');",
        UNSAFE_NAMES,
      ),
    ).toEqual({ ok: true, content: '[]' });
    for (const name of UNSAFE_NAMES.filter((n) => n !== 'legacyStorage')) {
      expect(name in scope, name).toBe(false);
    }
    expect((scope as unknown as { legacyStorage: unknown }).legacyStorage).toBeUndefined();
    expect(
      await run('return Object.getOwnPropertySymbols(Object.getPrototypeOf(globalThis)).length;'),
    ).toEqual({
      ok: true,
      content: '0',
    });
  });

  it('makes the network and storage unreachable to mock code', async () => {
    const { run } = lockedRealm();
    expect(await run("return fetch('https://example.com/?key=' + args.key);", { key: 'sk' })).toEqual({
      ok: false,
      error: 'ReferenceError: fetch is not defined',
    });
    expect(await run('return new XMLHttpRequest();')).toEqual({
      ok: false,
      error: 'ReferenceError: XMLHttpRequest is not defined',
    });
    expect(await run("return indexedDB.open('sandpit');")).toEqual({
      ok: false,
      error: 'ReferenceError: indexedDB is not defined',
    });
    expect(await run('return futureStorageThing.read();')).toEqual({
      ok: false,
      error: 'ReferenceError: futureStorageThing is not defined',
    });
    expect(await run('return navigator.storage.getDirectory();')).toEqual({
      ok: false,
      error: 'ReferenceError: navigator is not defined',
    });
    expect(await run("return globalThis.fetch?.('x') ?? self.caches?.open('x') ?? 'no fetch';")).toEqual({
      ok: true,
      content: 'no fetch',
    });
  });

  it("takes away the worker's own messaging", async () => {
    const { run } = lockedRealm();
    expect(
      await run("return [typeof postMessage, 'onmessage' in globalThis, typeof addEventListener];"),
    ).toEqual({ ok: true, content: '["undefined",false,"undefined"]' });
  });

  it('keeps the allowed web APIs working, crypto and performance narrowed', async () => {
    const { scope, run } = lockedRealm();
    const code = `
      const bytes = new TextEncoder().encode('hé');
      const url = new URL('https://example.com/weather?city=Oslo');
      const random = crypto.getRandomValues(new Uint8Array(8));
      let micro = false;
      queueMicrotask(() => { micro = true; });
      await null;
      const timer = setTimeout(() => {}, 1000);
      clearTimeout(timer);
      return {
        encoded: bytes.length,
        decoded: new TextDecoder().decode(bytes),
        city: url.searchParams.get('city'),
        query: new URLSearchParams({ a: '1', b: 'x y' }).toString(),
        base64: btoa('hi'),
        text: atob('aGk='),
        cloned: structuredClone({ list: [1, 2] }).list[1],
        micro,
        uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
        random: random.length,
        crypto: [Object.keys(crypto), Object.isFrozen(crypto), typeof crypto.subtle],
        performance: [Object.keys(performance), typeof performance.now(), Object.isFrozen(performance)],
        self: self === globalThis,
        console: typeof console.log,
        language: [typeof Intl.NumberFormat, typeof BigInt, typeof WeakRef, typeof Reflect.ownKeys],
      };
    `;
    expect(await run(code)).toEqual({
      ok: true,
      content: JSON.stringify({
        encoded: 3,
        decoded: 'hé',
        city: 'Oslo',
        query: 'a=1&b=x+y',
        base64: 'aGk=',
        text: 'hi',
        cloned: 2,
        micro: true,
        uuid: true,
        random: 8,
        crypto: [['getRandomValues', 'randomUUID'], true, 'undefined'],
        performance: [['now'], 'number', true],
        self: true,
        console: 'function',
        language: ['function', 'function', 'function', 'function'],
      }),
    });
    // Every ECMAScript global this Node has stays (eval aside).
    const language = vm.runInContext('Reflect.ownKeys(globalThis)', vm.createContext({})) as string[];
    expect(language).toEqual(expect.arrayContaining(['Math', 'JSON', 'Promise', 'Intl', 'eval']));
    for (const name of language.filter((n) => n !== 'eval' && n !== 'WebAssembly' && n !== 'console')) {
      expect(ALLOWED_GLOBALS.language, name).toContain(name);
      expect(name in scope, name).toBe(true);
    }
  });

  it('blocks every way of compiling code from a string', async () => {
    const { run } = lockedRealm();
    const attempts = [
      "return (() => {}).constructor('return 1')();",
      "return (function () {}).constructor('return 1')();",
      "return Function('return 1')();",
      "return new Function('return 1')();",
      "return Object.constructor('return 1')();",
      "return (async () => {}).constructor('return 1')();",
      "return (async () => {}).constructor.prototype.constructor('return 1')();",
      "return Object.getPrototypeOf(async function () {}).constructor('return 1')();",
      "return (function* () {}).constructor('yield 1')().next();",
      "return (async function* () {}).constructor('yield 1')().next();",
      "return setTimeout.constructor('return 1')();",
      "return class {}.constructor('return 1')();",
      "return crypto.randomUUID.constructor('return 1')();",
      "return performance.now.constructor('return 1')();",
      "return crypto.constructor.constructor('return 1')();",
    ];
    for (const code of attempts) expect(await run(code), code).toEqual({ ok: false, error: blockedCode });
    expect(await run("return eval('1');")).toEqual({
      ok: false,
      error: 'ReferenceError: eval is not defined',
    });
    expect(await run("return (0, globalThis['ev' + 'al'])('1');")).toEqual({
      ok: false,
      error: expect.stringMatching(/^TypeError: .* is not a function$/),
    });
    for (const timer of ['setTimeout', 'setInterval']) {
      expect(await run(`return ${timer}("globalThis.escaped = 1", 0);`)).toEqual({
        ok: false,
        error: `TypeError: ${timer} needs a function. ${CODE_FROM_STRINGS_MESSAGE}`,
      });
    }
  });

  it('keeps ordinary code working', async () => {
    const { run } = lockedRealm();
    const code = `
      const { items, when } = args;
      const total = items.map((i) => i.price * i.qty).reduce((a, b) => a + b, 0);
      const waited = await new Promise((resolve) => setTimeout(() => resolve('waited'), 1));
      const [x, y] = await Promise.all([Promise.resolve(1), (async () => 2)()]);
      const date = new Date(when).toISOString().slice(0, 10);
      const unique = [...new Set(['a', 'b', 'a'])].sort();
      class Point { constructor(x) { this.x = x; } }
      return {
        total: Math.round(total * 100) / 100,
        waited, sum: x + y, date, unique,
        parsed: JSON.parse('{"ok":true}').ok,
        isFunction: (() => 1) instanceof Function && (async () => 1) instanceof Function,
        point: new Point(3).x,
        upper: 'oslo'.replace(/^o/, 'O'),
        id: crypto.randomUUID().length,
        host: new URL('https://api.example.com/v1').host,
      };
    `;
    const args = {
      items: [
        { price: 2.5, qty: 2 },
        { price: 0.1, qty: 3 },
      ],
      when: '2024-05-01T12:00:00Z',
    };
    expect(await run(code, args)).toEqual({
      ok: true,
      content: JSON.stringify({
        total: 5.3,
        waited: 'waited',
        sum: 3,
        date: '2024-05-01',
        unique: ['a', 'b'],
        parsed: true,
        isFunction: true,
        point: 3,
        upper: 'Oslo',
        id: 36,
        host: 'api.example.com',
      }),
    });
  });

  it('leaves the test process alone', () => {
    lockedRealm();
    expect((() => {}).constructor).toBe(Function);
    expect(new Function('return 1')()).toBe(1);
    expect(typeof globalThis.fetch).toBe('function');
    expect(typeof globalThis.crypto.subtle).toBe('object');
  });

  it('refuses function prototypes of another realm', () => {
    const context = vm.createContext({});
    const scope = vm.runInContext('globalThis', context) as typeof globalThis;
    expect(() => lockDown(scope, functionPrototypes())).toThrow('another realm');
  });

  it('throws when a global cannot be removed', () => {
    const cases = [
      "Object.defineProperty(globalThis, 'fetch', { value: () => 1, writable: false, configurable: false });",
      "Object.setPrototypeOf(globalThis, Object.defineProperty({}, 'futureStorageThing', { get: () => ({}) }));",
    ];
    for (const [setup, name] of [
      [cases[0]!, 'fetch'],
      [cases[1]!, 'futureStorageThing'],
    ] as const) {
      const context = vm.createContext({});
      vm.runInContext(setup, context);
      const scope = vm.runInContext('globalThis', context) as typeof globalThis;
      const prototypes = vm.runInContext(PROTOTYPES_OF_CONTEXT, context) as FunctionPrototypes;
      expect(() => lockDown(scope, prototypes)).toThrow(`The mock sandbox could not remove ${name}.`);
    }
  });
});

/** A worker that records what it is sent and answers only when the test says so. */
class FakeWorker implements WorkerLike {
  onmessage: WorkerLike['onmessage'] = null;
  onerror: WorkerLike['onerror'] = null;
  onmessageerror: WorkerLike['onmessageerror'] = null;
  readonly sent: MockRequest[] = [];
  terminated = false;
  /** When set, postMessage throws it, as a real one does with data it cannot clone. */
  refuse: Error | null = null;

  postMessage(request: MockRequest): void {
    if (this.refuse) throw this.refuse;
    this.sent.push(structuredClone(request));
  }
  terminate(): void {
    this.terminated = true;
  }
  /** What the real worker posts once it has locked itself down. */
  ready(): void {
    this.onmessage?.({ data: { ready: true } } as MessageEvent<MockWorkerMessage>);
  }
  reply(reply: MockResult, id = this.sent[0]!.id): void {
    this.onmessage?.({ data: { id, ...reply } } as MessageEvent<MockWorkerMessage>);
  }
  fail(message = ''): void {
    this.onerror?.({ message } as ErrorEvent);
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const createWorker = () => {
    const worker = new FakeWorker();
    workers.push(worker);
    return worker;
  };
  return { workers, createWorker };
}

const weather = { kind: 'function', code: MOCK_FUNCTION_EXAMPLE } as const;

describe('runMock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers without a worker when there is no mock or a fixed reply', async () => {
    const { workers, createWorker } = setup();
    expect(await runMock({ kind: 'none' }, {}, { createWorker })).toEqual({
      ok: false,
      error: NO_MOCK_MESSAGE,
      ms: 0,
    });
    expect(await runMock({ kind: 'fixed', reply: ' {"temp": 21}\n' }, {}, { createWorker })).toEqual({
      ok: true,
      content: ' {"temp": 21}\n',
      ms: 0,
    });
    expect(workers).toHaveLength(0);
  });

  it('sends the code and arguments once the worker is ready, resolves with its reply and terminates it', async () => {
    const { workers, createWorker } = setup();
    const result = runMock(weather, { city: 'Oslo' }, { createWorker });
    const [worker] = workers;
    expect(worker!.sent).toEqual([]);
    worker!.ready();
    expect(worker!.sent).toEqual([
      { id: expect.any(Number), code: MOCK_FUNCTION_EXAMPLE, args: { city: 'Oslo' } },
    ]);
    worker!.reply({ ok: true, content: '{"city":"Oslo"}', ms: 4 });
    expect(await result).toEqual({ ok: true, content: '{"city":"Oslo"}', ms: 4 });
    expect(worker!.terminated).toBe(true);
    expect(worker!.onmessage).toBeNull();
  });

  it("passes on the mock's own error", async () => {
    const { workers, createWorker } = setup();
    const result = runMock(weather, {}, { createWorker });
    workers[0]!.ready();
    workers[0]!.reply({ ok: false, error: 'RangeError: No such city', ms: 1 });
    expect(await result).toEqual({ ok: false, error: 'RangeError: No such city', ms: 1 });
    expect(workers[0]!.terminated).toBe(true);
  });

  it('stops a mock that runs past the time limit, counted from when its worker is ready', async () => {
    vi.useFakeTimers();
    const { workers, createWorker } = setup();
    const result = runMock(weather, {}, { createWorker });
    // A slow start does not count against the mock.
    vi.advanceTimersByTime(10_000);
    expect(workers[0]!.terminated).toBe(false);
    workers[0]!.ready();
    vi.advanceTimersByTime(MOCK_TIME_LIMIT_MS - 1);
    expect(workers[0]!.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(workers[0]!.terminated).toBe(true);
    expect(await result).toEqual({
      ok: false,
      error: 'The mock took longer than 2 s and was stopped (an endless loop?).',
      ms: MOCK_TIME_LIMIT_MS,
    });
    // A reply that comes too late changes nothing.
    workers[0]!.reply({ ok: true, content: 'late', ms: 3000 });
    expect(await result).toMatchObject({ ok: false });
  });

  it('stops a worker that never says it is ready, without sending it the mock', async () => {
    vi.useFakeTimers();
    const { workers, createWorker } = setup();
    const result = runMock(weather, {}, { createWorker });
    vi.advanceTimersByTime(MOCK_START_LIMIT_MS - 1);
    expect(workers[0]!.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(workers[0]!.terminated).toBe(true);
    expect(await result).toEqual({
      ok: false,
      error: 'The mock worker did not start in 15 s.',
      ms: MOCK_START_LIMIT_MS,
    });
    expect(workers[0]!.sent).toEqual([]);
  });

  it('takes its time limits from the options', async () => {
    const { workers, createWorker } = setup();
    const running = runMock(weather, {}, { createWorker, timeoutMs: 5 });
    workers[0]!.ready();
    expect(await running).toMatchObject({ ok: false, error: timeLimitMessage(5) });
    expect(workers[0]!.terminated).toBe(true);
    expect(timeLimitMessage(500)).toBe('The mock took longer than 0.5 s and was stopped (an endless loop?).');

    const starting = await runMock(weather, {}, { createWorker, startTimeoutMs: 5 });
    expect(starting).toMatchObject({ ok: false, error: startLimitMessage(5) });
    expect(workers[1]!.terminated).toBe(true);
    expect(startLimitMessage(1500)).toBe('The mock worker did not start in 1.5 s.');
  });

  it('stops the mock on abort, and does not start one for a signal already aborted', async () => {
    const { workers, createWorker } = setup();
    const controller = new AbortController();
    const result = runMock(weather, {}, { createWorker, signal: controller.signal });
    controller.abort();
    expect(await result).toMatchObject({ ok: false, error: MOCK_STOPPED_MESSAGE });
    expect(workers[0]!.terminated).toBe(true);

    expect(await runMock(weather, {}, { createWorker, signal: controller.signal })).toMatchObject({
      ok: false,
      error: MOCK_STOPPED_MESSAGE,
    });
    expect(workers).toHaveLength(1);
  });

  it('resolves with what went wrong when the worker fails', async () => {
    const { workers, createWorker } = setup();
    const crashed = runMock(weather, {}, { createWorker });
    workers[0]!.ready();
    workers[0]!.fail('Uncaught Error: boom');
    expect(await crashed).toMatchObject({ ok: false, error: 'The mock failed (Uncaught Error: boom).' });
    expect(workers[0]!.terminated).toBe(true);

    const unstarted = runMock(weather, {}, { createWorker });
    workers[1]!.fail();
    expect(await unstarted).toMatchObject({
      ok: false,
      error: 'The mock could not run: its worker did not start. Reload the page and try again.',
    });
    expect(workers[1]!.terminated).toBe(true);

    const broken = runMock(weather, {}, { createWorker });
    workers[2]!.fail('Uncaught SyntaxError: Unexpected token');
    expect(await broken).toMatchObject({
      ok: false,
      error:
        'The mock could not run: its worker did not start (Uncaught SyntaxError: Unexpected token). Reload the page and try again.',
    });

    const unreadable = runMock(weather, {}, { createWorker });
    workers[3]!.ready();
    workers[3]!.onmessageerror?.({} as MessageEvent);
    expect(await unreadable).toMatchObject({ ok: false, error: "The mock's answer could not be read." });
    expect(workers[3]!.terminated).toBe(true);

    const garbled = runMock(weather, {}, { createWorker });
    workers[4]!.ready();
    workers[4]!.reply({ ok: true, content: 'x', ms: 1 }, -1);
    expect(await garbled).toMatchObject({ ok: false, error: "The mock's answer was not understood." });
    expect(workers[4]!.terminated).toBe(true);

    // A reply before the worker said it was ready is not understood either, and nothing is sent.
    const early = runMock(weather, {}, { createWorker });
    workers[5]!.reply({ ok: true, content: 'x', ms: 1 }, 1);
    expect(await early).toMatchObject({ ok: false, error: "The mock's answer was not understood." });
    expect(workers[5]!.sent).toEqual([]);
  });

  it('resolves when the worker cannot be created or sent the arguments', async () => {
    const noWorker = await runMock(
      weather,
      {},
      {
        createWorker: () => {
          throw new Error('Workers are disabled');
        },
      },
    );
    expect(noWorker).toMatchObject({
      ok: false,
      error: 'The mock could not run: its worker did not start (Workers are disabled).',
    });

    const worker = new FakeWorker();
    worker.refuse = new Error('function could not be cloned');
    const unsent = runMock(weather, { fn: 1 }, { createWorker: () => worker });
    worker.ready();
    expect(await unsent).toMatchObject({
      ok: false,
      error: 'The arguments could not be sent to the mock (function could not be cloned).',
    });
    expect(worker.terminated).toBe(true);
  });

  it('runs a function mock end to end in a locked-down realm', async () => {
    // What src/workers/mock.worker.ts does, with a node:vm context in place of the worker's scope: lock
    // down, say it is ready, run the one request.
    class RealmWorker extends FakeWorker {
      readonly #realm = lockedRealm();
      constructor() {
        super();
        queueMicrotask(() => this.ready());
      }
      override postMessage(request: MockRequest): void {
        super.postMessage(request);
        void this.#realm.run(request.code, request.args).then((outcome) => this.reply({ ...outcome, ms: 1 }));
      }
    }
    const result = await runMock(
      weather,
      { city: 'Oslo', unit: 'fahrenheit' },
      {
        createWorker: () => new RealmWorker(),
      },
    );
    expect(result).toEqual({
      ok: true,
      content: '{"city":"Oslo","unit":"fahrenheit","temperature":21,"conditions":"sunny"}',
      ms: 1,
    });
    const leak = await runMock(
      { kind: 'function', code: "return indexedDB.open('sandpit');" },
      {},
      {
        createWorker: () => new RealmWorker(),
      },
    );
    expect(leak).toEqual({ ok: false, error: 'ReferenceError: indexedDB is not defined', ms: 1 });
  });
});
