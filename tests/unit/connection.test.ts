import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConnection, type ConnectionEnv } from '../../src/lib/api/connection';
import { createSession } from '../server/control';
import { startTestServer, type TestServer } from '../server/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ port: 0, quiet: true });
});
afterAll(() => server.close());

const env: ConnectionEnv = { pageOrigin: 'http://localhost:5173', likelyServer: null };

describe('testConnection through the real SDK and the test server', () => {
  it('lists and describes every model the key can use', async () => {
    const session = await createSession(server.url);
    const result = await testConnection({ apiKey: session.key, baseURL: session.baseURL }, env);
    if (!result.ok) throw new Error(result.problem.cause);
    expect(result.models.map((m) => m.id)).toContain('gpt-4o');
    expect(result.models).toHaveLength(14);
    expect(result.requestId).toMatch(/^req_[0-9a-f]{32}$/);
    expect(result.models.find((m) => m.id === 'o3-mini')).toMatchObject({ kind: 'reasoning', known: true });
    const [request] = await session.requests();
    expect(request).toMatchObject({ method: 'GET', path: '/models' });
    expect(request!.headers.authorization).toBe(`Bearer ${session.key}`);
  });

  it('a local server with its own model names gets safe defaults and no price', async () => {
    const session = await createSession(server.url, {
      models: ['llama3.1:8b', 'nomic-embed-text'],
      requireKey: false,
    });
    const result = await testConnection({ apiKey: 'anything', baseURL: session.baseURL }, env);
    if (!result.ok) throw new Error(result.problem.cause);
    expect(result.models.map((m) => [m.id, m.kind, m.known, m.price])).toEqual([
      ['llama3.1:8b', 'chat', false, null],
      ['nomic-embed-text', 'embedding', false, null],
    ]);
  });

  it('sends the organization and project headers', async () => {
    const session = await createSession(server.url);
    await testConnection(
      { apiKey: session.key, baseURL: session.baseURL, organization: ' org-1 ', project: 'proj_2' },
      env,
    );
    const [request] = await session.requests();
    expect(request!.headers['openai-organization']).toBe('org-1');
    expect(request!.headers['openai-project']).toBe('proj_2');
  });

  it('401 with the real body: the key field, the masked key, the request id', async () => {
    const session = await createSession(server.url);
    const result = await testConnection({ apiKey: 'sk-wrong-key-0000', baseURL: session.baseURL }, env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({
      kind: 'invalid-key',
      field: 'apiKey',
      status: 401,
      code: 'invalid_api_key',
    });
    expect(result.problem.apiMessage).toMatch(/^Incorrect API key provided: sk-wrong\*+0000\./);
    expect(result.problem.requestId).toMatch(/^req_/);
  });

  it('404 for a base URL without /v1 points at the base URL', async () => {
    const session = await createSession(server.url);
    const result = await testConnection(
      { apiKey: session.key, baseURL: session.baseURL.replace(/\/v1$/, '') },
      env,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ kind: 'not-found', field: 'baseURL', status: 404 });
    expect(result.problem.fix).toMatch(/lacks \/v1/);
  });

  it.each([
    ['403_unsupported_country_region_territory', 'forbidden'],
    ['429_insufficient_quota', 'quota'],
    ['429_rate_limit_reached_try_again', 'rate-limit'],
    ['500_server_error', 'server'],
  ])('%s → %s, without retrying', async (error, kind) => {
    const session = await createSession(server.url);
    await session.queue({ kind: 'error', error });
    const result = await testConnection({ apiKey: session.key, baseURL: session.baseURL }, env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.kind).toBe(kind);
    expect((await session.requests()).filter((r) => r.method === 'GET')).toHaveLength(1);
  });

  it('a 200 that is not a model list (LM Studio at an unknown path) is not "connected, 0 models"', async () => {
    const session = await createSession(server.url);
    await session.queue({
      kind: 'raw',
      status: 200,
      body: '{"error":"Unexpected endpoint or method. (GET /models)"}',
    });
    const result = await testConnection({ apiKey: session.key, baseURL: session.baseURL }, env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ field: 'baseURL', title: 'Not an OpenAI-compatible answer' });
    expect(result.problem.fix).toMatch(/OpenAI-compatible API/);
  });

  it('an empty but real model list is "connected, 0 models"', async () => {
    const session = await createSession(server.url, { models: [] });
    const result = await testConnection({ apiKey: session.key, baseURL: session.baseURL }, env);
    expect(result).toMatchObject({ ok: true, models: [] });
  });

  it('a dropped connection with nothing listening behind it is "unreachable"', async () => {
    const result = await testConnection({ apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9/v1' }, env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ kind: 'unreachable', field: 'baseURL' });
  });

  it('an abort is reported as such, not as a failure', async () => {
    const session = await createSession(server.url);
    await session.queue({ kind: 'delay', ms: 2000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await testConnection(
      { apiKey: session.key, baseURL: session.baseURL },
      { ...env, signal: controller.signal },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.kind).toBe('aborted');
  });
});
