import { describeModels, type ModelInfo } from '../models';
import { createClient, type ClientConfig } from './client';
import { describeApiError, diagnoseNetworkFailure } from './errors';
import type { ApiProblem, LocalServer } from './problems';

/** The outcome of "Test connection". */
export type ConnectionResult =
  | { ok: true; models: ModelInfo[]; requestId: string | null; latencyMs: number }
  | { ok: false; problem: ApiProblem };

export interface ConnectionEnv {
  pageOrigin: string;
  likelyServer: LocalServer | null;
  signal?: AbortSignal;
  /** For the CORS diagnosis; the page's fetch by default. */
  fetch?: typeof fetch;
}

/**
 * Calls `GET /models` through the SDK and describes every model it lists; on failure, says why and
 * how to fix it. No retries and a short time limit: a person is waiting for the answer.
 */
export async function testConnection(config: ClientConfig, env: ConnectionEnv): Promise<ConnectionResult> {
  const started = performance.now();
  const ctx = {
    baseURL: config.baseURL,
    path: '/models',
    organization: config.organization,
    project: config.project,
  };
  let client: Awaited<ReturnType<typeof createClient>>;
  try {
    client = await createClient({ maxRetries: 0, timeoutMs: 20_000, ...config });
  } catch (err) {
    return { ok: false, problem: loadProblem(err) };
  }
  try {
    const { data: page, request_id } = await client.models.list({ signal: env.signal }).withResponse();
    const ids: string[] = [];
    for await (const model of page) ids.push(model.id);
    return {
      ok: true,
      models: describeModels(ids),
      requestId: request_id ?? null,
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    const problem = describeApiError(err, ctx);
    return {
      ok: false,
      problem: await diagnoseNetworkFailure(
        problem,
        { baseURL: config.baseURL, likelyServer: env.likelyServer, pageOrigin: env.pageOrigin },
        env.fetch,
      ),
    };
  }
}

/** The SDK is a separate file of this site; it can fail to load when the site is offline or updated. */
function loadProblem(err: unknown): ApiProblem {
  return {
    kind: 'unexpected',
    field: 'request',
    title: 'Part of Sandpit failed to load',
    cause: `The code that talks to the API could not be loaded (${err instanceof Error ? err.message : String(err)}).`,
    fix: 'Check your network connection and reload the page.',
  };
}
