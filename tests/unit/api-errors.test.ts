import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  ConflictError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import { describeApiError, diagnoseNetworkFailure, parseTryAgainIn } from '../../src/lib/api/errors';
import errorFixtures from '../fixtures/errors/openai_error_examples.json' with { type: 'json' };

interface FixtureError {
  id: string;
  status: number;
  body?: { error: Record<string, unknown> };
  message_examples?: string[];
}

const fixtures = errorFixtures.errors as FixtureError[];
const ctx = { baseURL: 'https://api.openai.com/v1', path: '/models' };

/** The error the SDK itself builds for a response with this status, body and headers. */
function sdkError(status: number, body: unknown, headers: Record<string, string> = {}): APIError {
  return APIError.generate(
    status,
    body as object,
    undefined,
    new Headers({ 'x-request-id': 'req_abc', ...headers }),
  );
}

function fixture(id: string): FixtureError & { body: { error: Record<string, unknown> } } {
  const found = fixtures.find((f) => f.id === id);
  if (!found?.body) throw new Error(`no fixture body ${id}`);
  return found as FixtureError & { body: { error: Record<string, unknown> } };
}

describe('describeApiError on every real error body', () => {
  const expected: Record<string, { kind: string; field: string; title: RegExp; cls: unknown }> = {
    '401_invalid_api_key': {
      kind: 'invalid-key',
      field: 'apiKey',
      title: /Invalid API key/,
      cls: AuthenticationError,
    },
    '401_missing_api_key': {
      kind: 'no-key',
      field: 'apiKey',
      title: /received no API key/,
      cls: AuthenticationError,
    },
    '429_insufficient_quota': {
      kind: 'quota',
      field: 'request',
      title: /Out of credit/,
      cls: RateLimitError,
    },
    '429_rate_limit_exceeded_request_too_large': {
      kind: 'rate-limit',
      field: 'request',
      title: /Rate limit/,
      cls: RateLimitError,
    },
    '400_context_length_exceeded': {
      kind: 'context-length',
      field: 'request',
      title: /Too long/,
      cls: BadRequestError,
    },
    '400_unsupported_parameter_max_tokens_reasoning_model': {
      kind: 'bad-request',
      field: 'request',
      title: /rejected “max_tokens”/,
      cls: BadRequestError,
    },
    '400_unsupported_parameter_temperature': {
      kind: 'bad-request',
      field: 'request',
      title: /rejected “temperature”/,
      cls: BadRequestError,
    },
    '400_unsupported_value_temperature': {
      kind: 'bad-request',
      field: 'request',
      title: /rejected “temperature”/,
      cls: BadRequestError,
    },
    '400_unsupported_value_system_role_o1_mini': {
      kind: 'bad-request',
      field: 'request',
      title: /rejected “messages\[0\]\.role”/,
      cls: BadRequestError,
    },
    '400_web_search_options_not_supported': {
      kind: 'bad-request',
      field: 'request',
      title: /web_search_options/,
      cls: BadRequestError,
    },
    '400_model_not_found_requested_model_does_not_exist': {
      kind: 'bad-request',
      field: 'model',
      title: /rejected “model”/,
      cls: BadRequestError,
    },
    '404_model_not_found_chat': {
      kind: 'not-found',
      field: 'model',
      title: /Model not available/,
      cls: NotFoundError,
    },
    '404_model_not_found_embeddings': {
      kind: 'not-found',
      field: 'model',
      title: /Model not available/,
      cls: NotFoundError,
    },
    '400_embeddings_max_tokens_per_request': {
      kind: 'bad-request',
      field: 'request',
      title: /rejected the request/,
      cls: BadRequestError,
    },
    '500_server_error': {
      kind: 'server',
      field: 'request',
      title: /server had an error/,
      cls: InternalServerError,
    },
    '400_unsupported_value_reasoning_effort': {
      kind: 'bad-request',
      field: 'request',
      title: /reasoning\.effort/,
      cls: BadRequestError,
    },
    '400_function_tools_with_reasoning_effort': {
      kind: 'bad-request',
      field: 'request',
      title: /reasoning_effort/,
      cls: BadRequestError,
    },
  };

  it('covers every fixture with a body', () => {
    const withBody = fixtures.filter((f) => f.body).map((f) => f.id);
    expect(Object.keys(expected).sort()).toEqual(withBody.sort());
  });

  for (const [id, want] of Object.entries(expected)) {
    it(id, () => {
      const f = fixture(id);
      const err = sdkError(f.status, f.body);
      expect(err).toBeInstanceOf(want.cls);
      const problem = describeApiError(err, ctx);
      expect(problem.kind).toBe(want.kind);
      expect(problem.field).toBe(want.field);
      expect(problem.title).toMatch(want.title);
      expect(problem.status).toBe(f.status);
      expect(problem.code).toBe(f.body.error.code ?? null);
      expect(problem.param).toBe(f.body.error.param ?? null);
      expect(problem.apiMessage).toBe(f.body.error.message);
      expect(problem.requestId).toBe('req_abc');
      expect(problem.fix.length).toBeGreaterThan(10);
    });
  }
});

describe('describeApiError for the other SDK classes', () => {
  it('403 region and 403 missing scopes', () => {
    const region = describeApiError(
      sdkError(403, {
        error: {
          code: 'unsupported_country_region_territory',
          message: 'Country, region, or territory not supported',
          param: null,
          type: 'request_forbidden',
        },
      }),
      ctx,
    );
    expect(region).toMatchObject({ kind: 'forbidden', title: 'Region not supported' });
    const scopes = describeApiError(
      sdkError(403, {
        error: {
          message: 'You have insufficient permissions for this operation. Missing scopes: api.model.read.',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      }),
      { ...ctx, project: 'proj_1' },
    );
    // Missing scopes are the key's permissions, even with a project set.
    expect(scopes.field).toBe('apiKey');
    expect(scopes.cause).toMatch(/lacks the permission api\.model\.read/);
    expect(scopes.fix).toMatch(/Models: Read/);
    const projectAccess = describeApiError(
      sdkError(403, {
        error: { message: 'Project does not have access to model', type: 'x', param: null, code: null },
      }),
      { ...ctx, project: 'proj_1' },
    );
    expect(projectAccess.field).toBe('project');
    expect(sdkError(403, {})).toBeInstanceOf(PermissionDeniedError);
  });

  it('401 for an account without an organization says so, instead of blaming the key', () => {
    const problem = describeApiError(
      sdkError(401, {
        error: {
          message:
            'You must be a member of an organization to use the API. Please contact us through our help center at help.openai.com.',
          type: 'invalid_request_error',
          param: null,
          code: 'no_organization',
        },
      }),
      ctx,
    );
    expect(problem).toMatchObject({ field: 'apiKey', title: 'The account has no organization' });
  });

  it('404 on a path (not a model) points at the base URL and its missing /v1', () => {
    const body = {
      error: { message: 'Invalid URL (GET /models)', type: 'invalid_request_error', param: null, code: null },
    };
    const without = describeApiError(sdkError(404, body), {
      baseURL: 'https://api.openai.com',
      path: '/models',
    });
    expect(without).toMatchObject({ kind: 'not-found', field: 'baseURL' });
    expect(without.fix).toMatch(/lacks \/v1/);
    const withV1 = describeApiError(sdkError(404, body), ctx);
    expect(withV1.fix).not.toMatch(/lacks \/v1/);
  });

  it('429 reads the wait from a readable header first, then from the message', () => {
    const hint = fixtures.find((f) => f.id === '429_rate_limit_reached_tpm_message_only')!
      .message_examples![1]!;
    const body = { error: { message: hint, type: 'tokens', param: null, code: 'rate_limit_exceeded' } };
    expect(describeApiError(sdkError(429, body), ctx).retryAfterMs).toBe(3890);
    expect(describeApiError(sdkError(429, body, { 'retry-after': '7' }), ctx).retryAfterMs).toBe(7000);
    expect(describeApiError(sdkError(429, body, { 'retry-after-ms': '1500' }), ctx).retryAfterMs).toBe(1500);
    expect(describeApiError(sdkError(429, body), ctx).cause).toMatch(/wait 3\.9 s/);
  });

  it('401 about the organization points at the organization field', () => {
    const body = {
      error: {
        message: 'OpenAI-Organization header should match organization for API key',
        type: 'invalid_request_error',
        param: null,
        code: 'mismatched_organization',
      },
    };
    const problem = describeApiError(sdkError(401, body), { ...ctx, organization: 'org-x' });
    expect(problem.field).toBe('organization');
  });

  it('409, 422, 503 and an undocumented status', () => {
    expect(sdkError(409, { error: { message: 'conflict' } })).toBeInstanceOf(ConflictError);
    expect(describeApiError(sdkError(409, { error: { message: 'conflict' } }), ctx).kind).toBe('bad-request');
    expect(sdkError(422, { error: { message: 'bad' } })).toBeInstanceOf(UnprocessableEntityError);
    expect(describeApiError(sdkError(422, { error: { message: 'bad' } }), ctx).kind).toBe('bad-request');
    expect(describeApiError(sdkError(503, { error: { message: 'overloaded' } }), ctx).title).toBe(
      'The server is overloaded',
    );
    const teapot = describeApiError(sdkError(418, { error: { message: 'short and stout' } }), ctx);
    expect(teapot).toMatchObject({ kind: 'unexpected', title: 'Unexpected answer (418)' });
  });

  it('connection errors, timeouts, aborts and non-SDK errors', () => {
    expect(describeApiError(new APIConnectionError({ message: 'Connection error.' }), ctx)).toMatchObject({
      kind: 'network',
      field: 'baseURL',
    });
    expect(describeApiError(new APIConnectionTimeoutError(), ctx)).toMatchObject({
      kind: 'timeout',
      field: 'baseURL',
    });
    expect(describeApiError(new APIUserAbortError(), ctx).kind).toBe('aborted');
    expect(describeApiError(new TypeError('boom'), ctx)).toMatchObject({
      kind: 'unexpected',
      cause: 'TypeError: boom',
    });
  });
});

describe('diagnoseNetworkFailure', () => {
  const network = describeApiError(new APIConnectionError({}), {
    baseURL: 'http://localhost:11434/v1',
    path: '/models',
  });
  const env = {
    baseURL: 'http://localhost:11434/v1',
    likelyServer: 'Ollama' as const,
    pageOrigin: 'https://sandpit.dev',
  };

  it('calls it CORS when something answers a no-cors request, naming the likely server first', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const problem = await diagnoseNetworkFailure(network, env, async (url, init) => {
      calls.push([String(url), init]);
      return new Response(null);
    });
    expect(calls).toEqual([
      ['http://localhost:11434/v1/models', expect.objectContaining({ mode: 'no-cors' })],
    ]);
    expect(problem.kind).toBe('cors');
    expect(problem.cause).toMatch(/https:\/\/sandpit\.dev/);
    expect(problem.corsSettings!.map((s) => s.server)).toEqual(['Ollama', 'LM Studio', 'vLLM']);
    expect(problem.corsSettings![0]!.setting).toMatch(/OLLAMA_ORIGINS/);
  });

  it('calls it unreachable when nothing answers', async () => {
    const problem = await diagnoseNetworkFailure(network, { ...env, likelyServer: null }, async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(problem.kind).toBe('unreachable');
    expect(problem.cause).toMatch(/No server answered at localhost:11434/);
  });

  it('leaves other problems alone', async () => {
    const invalid = describeApiError(sdkError(401, fixture('401_invalid_api_key').body), ctx);
    expect(await diagnoseNetworkFailure(invalid, env, async () => new Response(null))).toBe(invalid);
  });
});

describe('parseTryAgainIn', () => {
  it.each([
    ['Please try again in 174ms.', 174],
    ['Please try again in 3.89s.', 3890],
    ['Please try again in 9.816s. Visit', 9816],
    ['Please try again in 1m2.5s.', 62500],
    ['Please try again in 6m0s.', 360000],
    ['Rate limit reached.', null],
  ])('%s', (message, ms) => {
    expect(parseTryAgainIn(message)).toBe(ms);
  });
});
