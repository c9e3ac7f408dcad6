/**
 * Tool-call mocks: when the model calls a tool, a per-tool mock can produce the result in place of the
 * person. This module is the pure part (types, the worker's messages, turning a returned value into the
 * tool message's content); the sandbox is ./sandbox.ts, the worker src/workers/mock.worker.ts and the
 * main thread's client ./mock-runner.ts.
 */

/** What answers a tool's calls: nobody (the person types it), a fixed reply, or a JavaScript function body. */
export type MockSpec =
  { kind: 'none' } | { kind: 'fixed'; reply: string } | { kind: 'function'; code: string };

/** A mock's answer: the tool message's content, or why there is none. `ms` = how long it took. */
export type MockResult = { ok: true; content: string; ms: number } | { ok: false; error: string; ms: number };

/** A mock's answer before it is timed. */
export type MockOutcome = { ok: true; content: string } | { ok: false; error: string };

/** How long a function mock may run before its worker is stopped, from the moment the worker is ready. */
export const MOCK_TIME_LIMIT_MS = 2000;

/**
 * How long the mock worker may take to start (load, lock itself down and say it is ready). Apart from
 * {@link MOCK_TIME_LIMIT_MS} and generous: a first start may load the worker's chunk over a slow network.
 */
export const MOCK_START_LIMIT_MS = 15_000;

/** A function body to start from: it receives the call's parsed arguments as `args`. */
export const MOCK_FUNCTION_EXAMPLE = `const { city, unit = 'celsius' } = args;
return { city, unit, temperature: 21, conditions: 'sunny' };`;

/**
 * The one message the mock worker is sent, once it is ready: the function body and the call's parsed
 * arguments.
 */
export interface MockRequest {
  id: number;
  code: string;
  args: unknown;
}

/** The mock worker's one reply; `ms` is the time spent compiling and running the function. */
export type MockReply = { id: number } & MockResult;

/** The mock worker's first message: it has locked itself down and waits for its {@link MockRequest}. */
export interface MockReady {
  ready: true;
}

/** What the mock worker posts: {@link MockReady} once, then, for the request, one {@link MockReply}. */
export type MockWorkerMessage = MockReady | MockReply;

/**
 * The tool message's content for what a function mock returned: a string as it is, anything else as JSON.
 * `undefined` (no `return`), and values JSON cannot hold (a function, a symbol, a BigInt, an object that
 * contains itself, a `toJSON` that throws) are errors the person can act on.
 */
export function mockContent(returned: unknown): MockOutcome {
  if (typeof returned === 'string') return { ok: true, content: returned };
  if (returned === undefined) {
    return { ok: false, error: 'The mock returned nothing: end it with return …' };
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(returned);
  } catch (error) {
    return { ok: false, error: cannotHold(reason(error)) };
  }
  // JSON.stringify gives undefined for a function or a symbol at the top.
  if (json === undefined) return { ok: false, error: cannotHold(`a ${typeof returned}`) };
  return { ok: true, content: json };
}

function cannotHold(what: string): string {
  return `The mock returned something JSON cannot hold (${what}). Return a string, or plain data: objects, arrays, strings, numbers, booleans and null.`;
}

function reason(error: unknown): string {
  const described = describeThrown(error);
  if (/circular|cyclic/i.test(described)) return 'an object that contains itself';
  if (/bigint/i.test(described)) return 'a BigInt';
  return described;
}

/**
 * `Name: message` for a thrown error, the value itself for anything else thrown. Never throws, even for a
 * value whose getters or `toString` do (mock code is the person's, or someone else's).
 */
export function describeThrown(thrown: unknown): string {
  try {
    if (typeof thrown === 'object' && thrown !== null) {
      const { name, message } = thrown as { name?: unknown; message?: unknown };
      if (typeof message === 'string') {
        const label = typeof name === 'string' && name !== '' ? name : 'Error';
        return message === '' ? label : `${label}: ${message}`;
      }
    }
    return `The mock threw ${typeof thrown === 'string' ? JSON.stringify(thrown) : String(thrown)}`;
  } catch {
    return 'The mock threw a value that cannot be shown.';
  }
}
