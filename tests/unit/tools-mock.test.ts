import vm from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MOCK_FUNCTION_EXAMPLE,
  MOCK_TIME_LIMIT_MS,
  describeThrown,
  mockContent,
  type MockReply,
  type MockRequest,
  type MockResult,
} from '../../src/lib/tools/mock';
import {
  BLOCKED_GLOBALS,
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

/** Everything the worker's scope might hold, as fakes in a node:vm context, so locking it down leaves the
 *  test process alone. The fakes "reach" something by returning a string saying so. */
const FAKE_SCOPE = `
  for (const name of ${JSON.stringify(Object.values(BLOCKED_GLOBALS).flat())}) {
    globalThis[name] = function () { return 'reached ' + name; };
  }
  Object.defineProperty(globalThis, 'indexedDB', {
    get() { return { open: () => 'reached the database' }; },
    configurable: true,
    enumerable: true,
  });
  let handler = null;
  Object.defineProperty(globalThis, 'onmessage', {
    get() { return handler; },
    set(value) { handler = value; },
    configurable: true,
  });
  globalThis.navigator = Object.create({
    get storage() { return { getDirectory: () => 'reached the file system' }; },
    get locks() { return {}; },
    sendBeacon() { return true; },
    userAgent: 'fake',
  });
`;

const PROTOTYPES_OF_CONTEXT = `({
  function: Function.prototype,
  asyncFunction: Object.getPrototypeOf(async function () {}),
  generatorFunction: Object.getPrototypeOf(function* () {}),
  asyncGeneratorFunction: Object.getPrototypeOf(async function* () {}),
})`;

/** A node:vm realm set up like the worker: its async function constructor captured, then locked down. */
function lockedRealm() {
  const context = vm.createContext({ setTimeout, clearTimeout, setInterval, clearInterval });
  vm.runInContext(FAKE_SCOPE, context);
  const scope = vm.runInContext('globalThis', context) as typeof globalThis;
  const navigator = scope.navigator;
  const prototypes = vm.runInContext(PROTOTYPES_OF_CONTEXT, context) as FunctionPrototypes;
  const ContextAsyncFunction = vm.runInContext(
    'Object.getPrototypeOf(async function () {}).constructor',
    context,
  ) as MockFunctionConstructor;
  lockDown(scope, prototypes);
  return {
    scope,
    navigator,
    run: (code: string, args: unknown = {}) => runMockCode(code, args, ContextAsyncFunction),
  };
}

const blockedCode = `EvalError: ${CODE_FROM_STRINGS_MESSAGE}`;

describe('lockDown (in a node:vm context)', () => {
  it('leaves none of the blocked globals reachable', async () => {
    const { scope, run } = lockedRealm();
    const names = Object.values(BLOCKED_GLOBALS).flat();
    expect(names).toEqual(
      expect.arrayContaining(['fetch', 'XMLHttpRequest', 'WebSocket', 'indexedDB', 'caches', 'Worker']),
    );
    // The names come as arguments: 'importScripts' in the code itself would be refused.
    const left = await run(
      "return args.filter((n) => n in globalThis || typeof globalThis[n] !== 'undefined');",
      names,
    );
    expect(left).toEqual({ ok: true, content: '[]' });
    for (const name of names) expect(name in scope, name).toBe(false);
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
    expect(await run("return globalThis.fetch?.('x') ?? 'no fetch';")).toEqual({
      ok: true,
      content: 'no fetch',
    });
  });

  it('takes storage and beacons off the navigator too', () => {
    const { navigator } = lockedRealm();
    for (const member of ['storage', 'locks', 'sendBeacon']) expect(member in navigator, member).toBe(false);
  });

  it("takes away the worker's own messaging", async () => {
    const { run } = lockedRealm();
    expect(await run("return [typeof postMessage, 'onmessage' in globalThis];")).toEqual({
      ok: true,
      content: '["undefined",false]',
    });
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
      }),
    });
  });

  it('leaves the test process alone', () => {
    lockedRealm();
    expect((() => {}).constructor).toBe(Function);
    expect(new Function('return 1')()).toBe(1);
    expect(typeof globalThis.fetch).toBe('function');
  });

  it('refuses function prototypes of another realm', () => {
    const context = vm.createContext({});
    const scope = vm.runInContext('globalThis', context) as typeof globalThis;
    expect(() => lockDown(scope, functionPrototypes())).toThrow('another realm');
  });

  it('throws when a global cannot be removed', () => {
    const context = vm.createContext({});
    vm.runInContext(
      "Object.defineProperty(globalThis, 'fetch', { value: () => 1, writable: false, configurable: false });",
      context,
    );
    const scope = vm.runInContext('globalThis', context) as typeof globalThis;
    const prototypes = vm.runInContext(PROTOTYPES_OF_CONTEXT, context) as FunctionPrototypes;
    expect(() => lockDown(scope, prototypes)).toThrow('The mock sandbox could not remove fetch.');
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
  reply(reply: MockResult, id = this.sent[0]!.id): void {
    this.onmessage?.({ data: { id, ...reply } } as MessageEvent<MockReply>);
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

  it("sends the code and arguments, resolves with the worker's reply and terminates it", async () => {
    const { workers, createWorker } = setup();
    const result = runMock(weather, { city: 'Oslo' }, { createWorker });
    const [worker] = workers;
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
    workers[0]!.reply({ ok: false, error: 'RangeError: No such city', ms: 1 });
    expect(await result).toEqual({ ok: false, error: 'RangeError: No such city', ms: 1 });
    expect(workers[0]!.terminated).toBe(true);
  });

  it('stops a mock that runs past the time limit', async () => {
    vi.useFakeTimers();
    const { workers, createWorker } = setup();
    const result = runMock(weather, {}, { createWorker });
    vi.advanceTimersByTime(MOCK_TIME_LIMIT_MS - 1);
    expect(workers[0]!.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(workers[0]!.terminated).toBe(true);
    expect(await result).toEqual({
      ok: false,
      error: 'The mock took longer than 2 s and was stopped (an endless loop?).',
      ms: expect.any(Number),
    });
    // A reply that comes too late changes nothing.
    workers[0]!.reply({ ok: true, content: 'late', ms: 3000 });
    expect(await result).toMatchObject({ ok: false });
  });

  it('takes its time limit from the options', async () => {
    const { workers, createWorker } = setup();
    const result = await runMock(weather, {}, { createWorker, timeoutMs: 5 });
    expect(result).toMatchObject({ ok: false, error: timeLimitMessage(5) });
    expect(workers[0]!.terminated).toBe(true);
    expect(timeLimitMessage(500)).toBe('The mock took longer than 0.5 s and was stopped (an endless loop?).');
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
    workers[0]!.fail('Uncaught Error: boom');
    expect(await crashed).toMatchObject({ ok: false, error: 'The mock failed (Uncaught Error: boom).' });
    expect(workers[0]!.terminated).toBe(true);

    const unstarted = runMock(weather, {}, { createWorker });
    workers[1]!.fail();
    expect(await unstarted).toMatchObject({ ok: false, error: expect.stringMatching(/did not start/) });
    expect(workers[1]!.terminated).toBe(true);

    const unreadable = runMock(weather, {}, { createWorker });
    workers[2]!.onmessageerror?.({} as MessageEvent);
    expect(await unreadable).toMatchObject({ ok: false, error: "The mock's answer could not be read." });
    expect(workers[2]!.terminated).toBe(true);

    const garbled = runMock(weather, {}, { createWorker });
    workers[3]!.reply({ ok: true, content: 'x', ms: 1 }, -1);
    expect(await garbled).toMatchObject({ ok: false, error: "The mock's answer was not understood." });
    expect(workers[3]!.terminated).toBe(true);
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
    const unsent = await runMock(weather, { fn: 1 }, { createWorker: () => worker });
    expect(unsent).toMatchObject({
      ok: false,
      error: 'The arguments could not be sent to the mock (function could not be cloned).',
    });
    expect(worker.terminated).toBe(true);
  });

  it('runs a function mock end to end in a locked-down realm', async () => {
    // What src/workers/mock.worker.ts does, with a node:vm context in place of the worker's scope.
    class RealmWorker extends FakeWorker {
      override postMessage(request: MockRequest): void {
        super.postMessage(request);
        const { run } = lockedRealm();
        void run(request.code, request.args).then((outcome) => this.reply({ ...outcome, ms: 1 }));
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
      { kind: 'function', code: "return fetch('https://example.com');" },
      {},
      {
        createWorker: () => new RealmWorker(),
      },
    );
    expect(leak).toEqual({ ok: false, error: 'ReferenceError: fetch is not defined', ms: 1 });
  });
});
