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
  try {
    const client = createClient({ maxRetries: 0, timeoutMs: 20_000, ...config });
    const { data: page, request_id } = await client.models.list({ signal: env.signal }).withResponse();
    // The SDK reads a missing `data` as an empty list. A 200 that is not a model list (LM Studio's
    // answer to an unknown path, or a web page) must not pass for "connected, no models".
    if (page.object !== 'list' && page.data.length === 0)
      return { ok: false, problem: notAModelList(ctx.baseURL) };
    const ids: string[] = [];
    for await (const model of page) if (typeof model?.id === 'string') ids.push(model.id);
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
        {
          baseURL: config.baseURL,
          likelyServer: env.likelyServer,
          pageOrigin: env.pageOrigin,
          signal: env.signal,
        },
        env.fetch,
      ),
    };
  }
}

function notAModelList(baseURL: string): ApiProblem {
  return {
    kind: 'not-found',
    field: 'baseURL',
    title: 'Not an OpenAI-compatible answer',
    cause: `${baseURL}/models answered, but not with a list of models.`,
    fix: /\/v\d+$/.test(baseURL)
      ? 'Check that the base URL points at the server’s OpenAI-compatible API.'
      : 'The base URL probably lacks /v1 at the end (for example http://localhost:1234/v1 for LM Studio).',
  };
}
