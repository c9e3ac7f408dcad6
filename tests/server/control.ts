import type { RecordedRequest, Scenario, SessionInfo, SessionOptions } from './types.ts';

export type {
  RecordedRequest,
  Scenario,
  ScenarioMatch,
  ScenarioRoute,
  SessionInfo,
  SessionOptions,
} from './types.ts';

/** A session of the test server, seen from a test (Node side). */
export interface Session {
  id: string;
  /** Pass to `new OpenAI({ baseURL })` or the app's base URL field. */
  baseURL: string;
  /** The only key this session accepts (plus `SessionOptions.keys`). */
  key: string;
  /** Appends scenarios to the session's queue; rejects (with the server's reason) a scenario that cannot run. */
  queue(...scenarios: Scenario[]): Promise<void>;
  /** Every request the session received so far, preflights included, in order. */
  requests(): Promise<RecordedRequest[]>;
  /** Forgets the session; its URLs answer 404 afterwards. */
  dispose(): Promise<void>;
}

async function call(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (!response.ok) {
    throw new Error(
      `Test server control call ${init?.method ?? 'GET'} ${url} failed: ${response.status} ${await response.text()}`,
    );
  }
  return response;
}

/**
 * Creates a session on a running test server (`serverUrl` is its root, e.g. `http://127.0.0.1:8787`),
 * so that a test's scripted answers and request log are its own.
 */
export async function createSession(serverUrl: string, options: SessionOptions = {}): Promise<Session> {
  const root = `${serverUrl.replace(/\/+$/, '')}/__control/sessions`;
  const response = await call(root, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(options),
  });
  const info = (await response.json()) as SessionInfo;
  const base = `${root}/${encodeURIComponent(info.id)}`;
  return {
    ...info,
    queue: async (...scenarios) => {
      await call(`${base}/scenarios`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenarios }),
      });
    },
    requests: async () => (await (await call(`${base}/requests`)).json()) as RecordedRequest[],
    dispose: async () => {
      await call(base, { method: 'DELETE' });
    },
  };
}
