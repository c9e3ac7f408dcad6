import { randomBytes } from 'node:crypto';
import { DEFAULT_MODELS } from './models.ts';
import type { RecordedRequest, Scenario, ScenarioRoute, SessionOptions } from './types.ts';

/** The key the CLI prints; the default session accepts it. */
export const DEFAULT_KEY = 'sk-sandpit-demo';

interface Queued {
  scenario: Scenario;
  remaining: number;
}

/** A short label for the request log (`replay:openai-node__stream_works_1.sse`). */
export function scenarioLabel(scenario: Scenario): string {
  if (scenario.name) return scenario.name;
  switch (scenario.kind) {
    case 'replay':
    case 'cut':
    case 'stall':
    case 'malformed':
      return `${scenario.kind}:${scenario.fixture}`;
    case 'error':
      return `error:${scenario.error}`;
    case 'delay':
      return `delay:${scenario.ms}`;
    case 'drop':
      return 'drop';
    case 'raw':
      return `raw:${scenario.status}`;
  }
}

/** One isolated client of the server: its keys, models, CORS behaviour, scripted answers and request log. */
export class Session {
  readonly id: string;
  readonly key: string;
  readonly requireKey: boolean;
  readonly models: readonly string[];
  readonly cors: boolean;
  /** The pause between chunks of the default answers; null = the server's own. */
  readonly chunkDelayMs: number | null;
  readonly #keys: Set<string>;
  #queue: Queued[] = [];
  #log: RecordedRequest[] = [];

  constructor(id: string, key: string, options: SessionOptions = {}) {
    this.id = id;
    this.key = key;
    this.#keys = new Set([key, ...(options.keys ?? [])]);
    this.requireKey = options.requireKey ?? true;
    this.models = options.models ?? DEFAULT_MODELS;
    this.cors = options.cors ?? true;
    this.chunkDelayMs = options.chunkDelayMs ?? null;
  }

  accepts(key: string): boolean {
    return this.#keys.has(key);
  }

  enqueue(scenarios: Scenario[]): void {
    for (const scenario of scenarios)
      this.#queue.push({ scenario, remaining: Math.max(1, scenario.times ?? 1) });
  }

  /**
   * Takes the first queued scenario that matches the request, if any; `times` keeps it queued for
   * later ones. A scenario built on a recorded stream waits for `/chat/completions` unless its match
   * says otherwise, so an app that lists models first does not swallow it.
   */
  take(route: ScenarioRoute, method: string): Scenario | undefined {
    const index = this.#queue.findIndex(({ scenario }) => {
      const path = scenario.match?.path ?? ('fixture' in scenario ? '/chat/completions' : undefined);
      if (path && path !== route) return false;
      const wanted = scenario.match?.method;
      return !wanted || wanted.toUpperCase() === method.toUpperCase();
    });
    const queued = this.#queue[index];
    if (!queued) return undefined;
    queued.remaining -= 1;
    if (queued.remaining === 0) this.#queue.splice(index, 1);
    return queued.scenario;
  }

  record(request: RecordedRequest): void {
    this.#log.push(request);
  }

  requests(): RecordedRequest[] {
    return [...this.#log];
  }

  reset(): void {
    this.#queue = [];
    this.#log = [];
  }
}

/** All sessions of one server; the default one serves `/v1/...` for people trying the app by hand. */
export class SessionStore {
  readonly default = new Session('default', DEFAULT_KEY);
  readonly #sessions = new Map<string, Session>();

  create(options: SessionOptions): Session {
    const id = randomBytes(6).toString('hex');
    const session = new Session(id, `sk-sandpit-${id}`, options);
    this.#sessions.set(id, session);
    return session;
  }

  /** `default` names the default session so scripts can queue scenarios for a person's manual run. */
  get(id: string): Session | undefined {
    return id === this.default.id ? this.default : this.#sessions.get(id);
  }

  delete(id: string): boolean {
    if (id === this.default.id) {
      this.default.reset();
      return true;
    }
    return this.#sessions.delete(id);
  }
}
