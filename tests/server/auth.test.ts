import OpenAI, { type AuthenticationError } from 'openai';
import { describe, expect, it } from 'vitest';
import { maskApiKey } from './errors.ts';
import { clientFor, readFixtureJson, useServer } from './helpers.ts';

const { server, session } = useServer();

interface FixtureError {
  id: string;
  status: number;
  body?: { error: { message: string; type: string; param: string | null; code: string | null } };
}

const errors = readFixtureJson<{ errors: FixtureError[] }>('errors/openai_error_examples.json').errors;
const fixtureBody = (id: string) => errors.find((e) => e.id === id)?.body;

describe('API keys', () => {
  it('answers a request without a key with the real missing-key 401', async () => {
    const s = await session();
    const response = await fetch(`${s.baseURL}/models`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(fixtureBody('401_missing_api_key'));
  });

  it('treats a non-Bearer Authorization header as no key', async () => {
    const s = await session();
    const response = await fetch(`${s.baseURL}/models`, { headers: { authorization: `Basic ${s.key}` } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(fixtureBody('401_missing_api_key'));
  });

  it('answers a wrong key with the real invalid-key 401, the key masked like the API masks it', async () => {
    const s = await session();
    // Same length and shape as the reported key: 8 shown, 39 hidden, 4 shown.
    const wrong = 'sk-PMafP' + 'x'.repeat(39) + 'E873';
    const error = await clientFor(s, { apiKey: wrong })
      .models.list()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const apiError = error as AuthenticationError;
    expect(apiError.error).toEqual(fixtureBody('401_invalid_api_key')?.error);
    expect(apiError.code).toBe('invalid_api_key');
  });

  it('masks short keys too', () => {
    expect(maskApiKey('sk-proj-abcdefgh1234')).toBe('sk-proj-********1234');
    expect(maskApiKey('abcdefgh')).toBe('ab****gh');
    expect(maskApiKey('abc')).toBe('***');
  });

  it("rejects another session's key", async () => {
    const a = await session();
    const b = await session();
    await expect(clientFor(a, { apiKey: b.key }).models.list()).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
  });

  it('accepts extra keys named in the session options', async () => {
    const s = await session({ keys: ['sk-extra-key-for-tests'] });
    await expect(clientFor(s, { apiKey: 'sk-extra-key-for-tests' }).models.list()).resolves.toBeDefined();
  });

  it('requireKey: false accepts any key or none, like a local server', async () => {
    const s = await session({ requireKey: false });
    await expect(clientFor(s, { apiKey: 'ollama' }).models.list()).resolves.toBeDefined();
    const response = await fetch(`${s.baseURL}/models`);
    expect(response.status).toBe(200);
  });

  it('the default session serves /v1 with the printed key', async () => {
    const client = new OpenAI({ apiKey: server().defaultKey, baseURL: `${server().url}/v1`, maxRetries: 0 });
    expect(server().defaultKey).toBe('sk-sandpit-demo');
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o');
    await expect(
      new OpenAI({ apiKey: 'sk-nope', baseURL: `${server().url}/v1`, maxRetries: 0 }).models.list(),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
