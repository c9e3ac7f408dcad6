import OpenAI, { type APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { extraErrors } from './extra-errors.ts';
import { clientFor, readFixtureJson, useServer } from './helpers.ts';

const { session } = useServer();

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

interface FixtureError {
  id: string;
  status: number;
  body?: ErrorBody;
  message_examples?: string[];
}

const fixture = readFixtureJson<{ errors: FixtureError[] }>('errors/openai_error_examples.json');

/** Every scriptable error id with the status and body a client must receive. */
const cases: [string, number, ErrorBody][] = [
  ...fixture.errors.flatMap((e): [string, number, ErrorBody][] => {
    if (e.body) return [[e.id, e.status, e.body]];
    const message = e.message_examples?.[0];
    return message
      ? [[e.id, e.status, { error: { message, type: 'tokens', param: null, code: 'rate_limit_exceeded' } }]]
      : [];
  }),
  [
    '403_unsupported_country_region_territory',
    403,
    {
      error: {
        code: 'unsupported_country_region_territory',
        message: 'Country, region, or territory not supported',
        param: null,
        type: 'request_forbidden',
      },
    },
  ],
  [
    '429_rate_limit_reached_try_again',
    429,
    {
      error: {
        message: fixture.errors.find((e) => e.id === '429_rate_limit_reached_tpm_message_only')!
          .message_examples![1]!,
        type: 'tokens',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
  ],
  [
    '400_invalid_function_parameters',
    400,
    {
      error: {
        message:
          "Invalid schema for function 'mongodb-list-databases': In context=(), object schema missing properties.",
        type: 'invalid_request_error',
        param: 'tools[1].function.parameters',
        code: 'invalid_function_parameters',
      },
    },
  ],
];

const CLASSES: Record<number, new (...args: never[]) => APIError> = {
  400: OpenAI.BadRequestError,
  401: OpenAI.AuthenticationError,
  403: OpenAI.PermissionDeniedError,
  404: OpenAI.NotFoundError,
  429: OpenAI.RateLimitError,
  500: OpenAI.InternalServerError,
};

describe('scripted errors', () => {
  it('covers every fixture error with a body or a message, and the extra table', () => {
    expect(cases.length).toBe(fixture.errors.length + Object.keys(extraErrors).length);
    expect(cases.map(([id]) => id)).toContain('429_rate_limit_reached_tpm_message_only');
  });

  it.each(cases)('%s reaches the SDK as the right error class with every field', async (id, status, body) => {
    const s = await session();
    await s.queue({ kind: 'error', error: id });
    const error = await clientFor(s)
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => null,
        (e: unknown) => e,
      );
    const expectedClass = CLASSES[status];
    if (!expectedClass) throw new Error(`no SDK class mapped for ${status}`);
    expect(error).toBeInstanceOf(expectedClass);
    const apiError = error as APIError;
    expect(apiError.status).toBe(status);
    expect(apiError.code).toBe(body.error.code);
    expect(apiError.param).toBe(body.error.param);
    expect(apiError.type).toBe(body.error.type);
    expect(apiError.message).toBe(`${status} ${body.error.message}`);
    expect(apiError.error).toEqual(body.error);
    expect(apiError.requestID).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('sends the status and body exactly, pretty-printed like the API', async () => {
    const s = await session();
    await s.queue({ kind: 'error', error: '400_unsupported_value_system_role_o1_mini' });
    const response = await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}` },
      body: JSON.stringify({ model: 'o1-mini', messages: [{ role: 'system', content: 'x' }] }),
    });
    const recorded = fixture.errors.find((e) => e.id === '400_unsupported_value_system_role_o1_mini')!;
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe(`${JSON.stringify(recorded.body, null, 4)}\n`);
  });

  it("adds a scenario's headers without exposing them to browsers", async () => {
    const s = await session();
    await s.queue({
      kind: 'error',
      error: '429_rate_limit_reached_try_again',
      headers: { 'retry-after': '4' },
    });
    const response = await fetch(`${s.baseURL}/models`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('4');
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Request-ID');
  });

  it('lets the SDK retry a 429 with retry-after, then succeed', async () => {
    const s = await session();
    await s.queue({
      kind: 'error',
      error: '429_rate_limit_exceeded_request_too_large',
      headers: { 'retry-after-ms': '10' },
    });
    const models = await clientFor(s, { maxRetries: 1 }).models.list();
    expect(models.data.length).toBeGreaterThan(0);
    expect((await s.requests()).map((r) => r.scenario)).toEqual([
      'error:429_rate_limit_exceeded_request_too_large',
      null,
    ]);
  });

  it('refuses to queue an unknown error id', async () => {
    const s = await session();
    await expect(s.queue({ kind: 'error', error: '418_teapot' })).rejects.toThrow(
      /unknown error id: 418_teapot/,
    );
  });
});
