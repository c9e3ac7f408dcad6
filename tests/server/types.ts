/**
 * The shapes shared by the test server and its control client (`control.ts`).
 * Kept in one module so a Playwright test and the server cannot disagree about a scenario.
 */

/** The API routes a scenario can be restricted to, relative to the `/v1` root. */
export type ScenarioRoute = '/chat/completions' | '/models' | '/embeddings';

/**
 * Which requests a scenario applies to. Without a `path`, a scenario built on a recorded stream
 * (`replay`, `cut`, `stall`, `malformed`) applies to `/chat/completions` only; the others apply to any API request.
 */
export interface ScenarioMatch {
  path?: ScenarioRoute;
  /** Compared case-insensitively. */
  method?: string;
}

interface ScenarioCommon {
  match?: ScenarioMatch;
  /** How many matching requests the scenario answers before it leaves the queue (default 1). */
  times?: number;
  /** Shown in the request log instead of the generated label. */
  name?: string;
}

/** Replays a recorded stream from `tests/fixtures/sse/` byte for byte (or as one object when not streaming). */
export interface ReplayScenario extends ScenarioCommon {
  kind: 'replay';
  /** A file name in `tests/fixtures/sse/`, `.sse` or `.jsonl`. */
  fixture: string;
  chunkDelayMs?: number;
  firstChunkDelayMs?: number;
}

/** Answers with a real error body from `errors/openai_error_examples.json` or the server's extra table. */
export interface ErrorScenario extends ScenarioCommon {
  kind: 'error';
  error: string;
  /** Added to the response (e.g. `retry-after`); never exposed through CORS. */
  headers?: Record<string, string>;
}

/** Sends `afterChunks` SSE blocks of the fixture, then destroys the socket (no `[DONE]`). */
export interface CutScenario extends ScenarioCommon {
  kind: 'cut';
  fixture: string;
  afterChunks: number;
  chunkDelayMs?: number;
}

/** Sends `afterChunks` SSE blocks, then keeps the connection open and silent. */
export interface StallScenario extends ScenarioCommon {
  kind: 'stall';
  fixture: string;
  afterChunks: number;
  chunkDelayMs?: number;
}

/** Sends `afterChunks` SSE blocks, then a block whose JSON is broken, then ends the response. */
export interface MalformedScenario extends ScenarioCommon {
  kind: 'malformed';
  fixture: string;
  afterChunks: number;
  /** Written as is; the default is a truncated chunk. */
  text?: string;
}

/** Resets the connection without any response. */
export interface DropScenario extends ScenarioCommon {
  kind: 'drop';
}

/**
 * Answers with exactly this status and body (and the usual headers): what a server that is not quite
 * OpenAI-compatible sends, e.g. LM Studio's `200 {"error":"Unexpected endpoint or method. (GET /models)"}`.
 */
export interface RawScenario extends ScenarioCommon {
  kind: 'raw';
  status: number;
  body: string;
  /** Default `application/json`. */
  contentType?: string;
}

/** Waits, then answers as if no scenario were queued. */
export interface DelayScenario extends ScenarioCommon {
  kind: 'delay';
  ms: number;
}

/** One scripted answer of the test server. */
export type Scenario =
  | ReplayScenario
  | ErrorScenario
  | CutScenario
  | StallScenario
  | MalformedScenario
  | DropScenario
  | DelayScenario
  | RawScenario;

/** Options of `POST /__control/sessions`. */
export interface SessionOptions {
  /** Keys accepted besides the session's own `sk-sandpit-<id>`. */
  keys?: string[];
  /** `false` accepts any key or none, like a local server (default `true`). */
  requireKey?: boolean;
  /** The ids `GET /models` lists and the endpoints accept (default: a realistic OpenAI list). */
  models?: string[];
  /** `false` sends no `access-control-*` header at all, like a server without CORS (default `true`). */
  cors?: boolean;
  /** The pause between chunks of the default (unscripted) chat answers; the server's own by default. */
  chunkDelayMs?: number;
}

/** What `POST /__control/sessions` answers. */
export interface SessionInfo {
  id: string;
  /** `http://HOST:PORT/s/<id>/v1`, ready for `new OpenAI({ baseURL })`. */
  baseURL: string;
  /** `sk-sandpit-<id>`. */
  key: string;
}

/** One request as a session received it. */
export interface RecordedRequest {
  method: string;
  /** Relative to the session's `/v1` root (`/models`); for a request outside `/v1`, relative to the session root. */
  path: string;
  /** The request target exactly as received, query included (`/s/<id>/v1/models?x=1`). */
  url: string;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The parsed JSON body, or `null` when there is none or it is not JSON. */
  body: unknown;
  rawBody: string;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** Label of the scenario that answered, or `null` for the default behaviour. */
  scenario: string | null;
  /** What the OpenAPI schema says is wrong with the body (chat and embeddings only). */
  schemaErrors: string[];
}
