import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from 'openai';
import { CORS_SETTINGS, type ApiProblem, type LocalServer } from './problems';

/** What the failed call was doing, so the message can say it. */
export interface ErrorContext {
  baseURL: string;
  /** The path that was called, relative to the base URL, e.g. `/models`. */
  path: string;
  /** Whether an organization or project header was sent (a 401/403 may be about them). */
  organization?: string;
  project?: string;
}

/**
 * Turns anything a call through the SDK can throw into a problem a person can act on.
 * One place for every SDK error class; network failures come back as `network` and can be refined
 * into `cors` or `unreachable` with {@link diagnoseNetworkFailure}.
 */
export function describeApiError(err: unknown, ctx: ErrorContext): ApiProblem {
  if (err instanceof APIUserAbortError) {
    return {
      kind: 'aborted',
      field: 'request',
      title: 'Stopped',
      cause: 'The request was cancelled before it finished.',
      fix: 'Run it again when you are ready.',
    };
  }
  if (err instanceof APIConnectionTimeoutError) {
    return {
      kind: 'timeout',
      field: 'baseURL',
      title: 'No answer in time',
      cause: `${hostOf(ctx.baseURL)} accepted the connection but did not answer before the time limit.`,
      fix: 'Check that the server is running and not overloaded (a local server may still be loading the model), then try again.',
    };
  }
  if (err instanceof APIConnectionError) {
    return {
      kind: 'network',
      field: 'baseURL',
      title: 'Could not reach the server',
      cause: `The browser could not get an answer from ${hostOf(ctx.baseURL)}.`,
      fix: 'Check the base URL, that the server is running, and that it allows requests from this page (CORS).',
    };
  }
  if (!(err instanceof APIError)) {
    return {
      kind: 'unexpected',
      field: 'request',
      title: 'Something went wrong',
      cause: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      fix: 'Try again; if it keeps happening, the message above says where it comes from.',
    };
  }

  const apiMessage = messageOf(err);
  const base = {
    status: err.status,
    code: err.code ?? null,
    param: err.param ?? null,
    requestId: err.requestID ?? null,
    apiMessage,
  };

  if (err instanceof AuthenticationError) {
    if (/didn't provide an API key|no api key|missing.*(key|authorization)/i.test(apiMessage)) {
      return {
        ...base,
        kind: 'no-key',
        field: 'apiKey',
        title: 'The server received no API key',
        cause: 'The request reached the server without a key.',
        fix: 'Paste your key in the API key field.',
      };
    }
    if (/member of an organization/i.test(apiMessage)) {
      return {
        ...base,
        kind: 'invalid-key',
        field: 'apiKey',
        title: 'The account has no organization',
        cause:
          'The key is valid, but its account does not belong to an organization, which the API requires.',
        fix: 'Create or join an organization at platform.openai.com, then make a key inside it.',
      };
    }
    if (/organization/i.test(apiMessage) && ctx.organization) {
      return {
        ...base,
        kind: 'invalid-key',
        field: 'organization',
        title: 'The organization does not match the key',
        cause: 'The API refused the organization ID sent with the key.',
        fix: 'Clear the Organization ID, or use the ID of an organization the key belongs to (Settings › Organization on platform.openai.com).',
      };
    }
    return {
      ...base,
      kind: 'invalid-key',
      field: 'apiKey',
      title: 'Invalid API key',
      cause: 'The server rejected the key (401).',
      fix: 'Copy the key again from platform.openai.com/api-keys: keys are shown once, and a revoked key or one from a deleted project stops working. Check for missing characters or spaces.',
    };
  }

  if (err instanceof PermissionDeniedError) {
    if (err.code === 'unsupported_country_region_territory') {
      return {
        ...base,
        kind: 'forbidden',
        field: 'request',
        title: 'Region not supported',
        cause: 'OpenAI does not serve the country, region or territory this request came from (403).',
        fix: 'Use the API from a supported region; see OpenAI’s list of supported countries and territories.',
      };
    }
    const scopes = /missing scopes?:?\s*([\w.,\s]+)/i.exec(apiMessage)?.[1]?.trim();
    return {
      ...base,
      kind: 'forbidden',
      // Missing scopes are the key's permissions; otherwise a project that lacks access is the likelier cause.
      field: !scopes && ctx.project ? 'project' : 'apiKey',
      title: 'The key is not allowed to do this',
      cause: scopes
        ? `The key lacks the permission ${scopes} (403).`
        : `The server understood the key but refused the request to ${ctx.path} (403).`,
      fix: scopes
        ? 'Give the key that permission on platform.openai.com/api-keys (a restricted key needs “Models: Read” to list models and “Model capabilities: Write” to call them), or use an unrestricted key.'
        : 'Check the key’s permissions and the project’s allowed models on platform.openai.com, and that the project ID (if any) belongs to the key.',
    };
  }

  if (err instanceof NotFoundError) {
    if (err.code === 'model_not_found') {
      return {
        ...base,
        kind: 'not-found',
        field: 'model',
        title: 'Model not available',
        cause: 'The model does not exist, or this key has no access to it (404).',
        fix: 'Choose a model from the list the connection reports; new models may need a verified organization.',
      };
    }
    return {
      ...base,
      kind: 'not-found',
      field: 'baseURL',
      title: 'Nothing at that address',
      cause: `The server answered 404 for ${ctx.path} under ${ctx.baseURL}.`,
      fix: /\/v\d+$/.test(ctx.baseURL)
        ? 'Check the base URL: this server does not serve the OpenAI API at that path.'
        : 'The base URL probably lacks /v1 at the end (for example https://api.openai.com/v1 or http://localhost:11434/v1).',
    };
  }

  if (err instanceof RateLimitError) {
    if (err.code === 'insufficient_quota' || err.type === 'insufficient_quota') {
      return {
        ...base,
        kind: 'quota',
        field: 'request',
        title: 'Out of credit',
        cause: 'The account has used up its quota (429 insufficient_quota). Waiting will not help.',
        fix: 'Add credit or raise the spending limit at platform.openai.com/settings/organization/billing, then try again.',
      };
    }
    const retryAfterMs = retryAfterOf(err);
    return {
      ...base,
      retryAfterMs,
      kind: 'rate-limit',
      field: 'request',
      title: 'Rate limit reached',
      cause:
        retryAfterMs !== null
          ? `Too many requests or tokens per minute (429); the API asks to wait ${formatWait(retryAfterMs)}.`
          : 'Too many requests or tokens per minute (429).',
      fix: /request too large|must be reduced/i.test(apiMessage)
        ? 'This single request is larger than the per-minute limit: shorten the input or lower max tokens.'
        : 'Wait a moment and try again; higher usage tiers get higher limits.',
    };
  }

  if (
    err instanceof BadRequestError ||
    err instanceof UnprocessableEntityError ||
    err instanceof ConflictError
  ) {
    if (err.code === 'context_length_exceeded') {
      return {
        ...base,
        kind: 'context-length',
        field: 'request',
        title: 'Too long for the model',
        cause: 'The messages plus the room for the answer exceed the model’s context window.',
        fix: 'Remove or shorten earlier messages, lower max tokens, or pick a model with a larger context window.',
      };
    }
    return {
      ...base,
      kind: 'bad-request',
      field: err.param === 'model' ? 'model' : 'request',
      title: err.param ? `The API rejected “${err.param}”` : 'The API rejected the request',
      cause: `${err.status}: ${apiMessage}`,
      fix: err.param
        ? `Change or remove ${err.param} and try again.`
        : 'Check the request against the message above.',
    };
  }

  if (err instanceof InternalServerError) {
    return {
      ...base,
      retryAfterMs: retryAfterOf(err),
      kind: 'server',
      field: 'request',
      title: err.status === 503 ? 'The server is overloaded' : 'The server had an error',
      cause: `The server failed while handling the request (${err.status}). This is on its side, not yours.`,
      fix: base.requestId
        ? `Try again in a moment. If it keeps failing, quote request ID ${base.requestId} to the provider.`
        : 'Try again in a moment.',
    };
  }

  return {
    ...base,
    kind: 'unexpected',
    field: 'request',
    title: `Unexpected answer (${err.status ?? 'no status'})`,
    cause: apiMessage || 'The server answered with an error the API does not document.',
    fix: 'Check the base URL points at an OpenAI-compatible server.',
  };
}

/**
 * A failed `fetch` looks the same whether the server is down or CORS blocked the answer. A `no-cors`
 * request tells them apart: it resolves (opaquely) when something answered, and fails when nothing did.
 * It goes to the same base URL, so the page still talks to no other host.
 */
export async function diagnoseNetworkFailure(
  problem: ApiProblem,
  ctx: {
    baseURL: string;
    likelyServer: LocalServer | null;
    pageOrigin: string;
    signal?: AbortSignal | undefined;
  },
  fetchFn: typeof fetch = globalThis.fetch.bind(globalThis),
): Promise<ApiProblem> {
  if (problem.kind !== 'network') return problem;
  // A server that accepts connections but never answers must not hold the check forever.
  const timeout = AbortSignal.timeout(5000);
  const reachable = await fetchFn(`${ctx.baseURL}/models`, {
    mode: 'no-cors',
    cache: 'no-store',
    credentials: 'omit',
    signal: ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout,
  }).then(
    () => true,
    () => false,
  );
  const host = hostOf(ctx.baseURL);
  if (reachable) {
    const order: LocalServer[] = ['Ollama', 'LM Studio', 'vLLM'];
    if (ctx.likelyServer)
      order.sort((a, b) => Number(b === ctx.likelyServer) - Number(a === ctx.likelyServer));
    return {
      ...problem,
      kind: 'cors',
      title: 'The server does not allow this page (CORS)',
      cause: `${host} answered, but without the CORS headers that let a page from ${ctx.pageOrigin} read the answer, so the browser blocked it.`,
      fix: 'Enable CORS on the server for this page’s origin. The setting for each common server:',
      corsSettings: order.map((server) => ({ server, setting: CORS_SETTINGS[server] })),
    };
  }
  return {
    ...problem,
    kind: 'unreachable',
    title: 'Nothing answered at that address',
    cause: `No server answered at ${host}: it may be stopped, on another port, or the name may be wrong.`,
    fix: ctx.likelyServer
      ? `Start ${ctx.likelyServer} and check the port in the base URL.`
      : 'Check the base URL and that the server is running; for a local server, start it and check the port.',
  };
}

/** Parses the API's "Please try again in 3.89s / 174ms / 1m2s" hint. */
export function parseTryAgainIn(message: string): number | null {
  const m = /try again in ((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)/i.exec(message);
  if (!m) return null;
  let total = 0;
  for (const part of m[1]!.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(part[1]);
    total += part[2] === 'ms' ? n : part[2] === 's' ? n * 1000 : part[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  return Math.round(total);
}

/** How long to wait: a readable `retry-after-ms` / `retry-after` header, else the message's hint. */
export function retryAfterOf(err: APIError): number | null {
  const headers = err.headers;
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.round(Number(ms));
  const after = headers?.get('retry-after');
  if (after) {
    if (Number.isFinite(Number(after))) return Math.round(Number(after) * 1000);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  return parseTryAgainIn(messageOf(err));
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function messageOf(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string') return body.message;
  return err.message.replace(/^\d{3} /, '');
}

function hostOf(baseURL: string): string {
  try {
    return new URL(baseURL).host;
  } catch {
    return baseURL;
  }
}
