import OpenAI from 'openai';
import { VERSION } from 'openai/version';
import { describe, expect, it } from 'vitest';
import { clientFor, useServer } from './helpers.ts';

const { server, session } = useServer();

describe('request log', () => {
  it('records the exact body and headers the SDK sent', async () => {
    const s = await session();
    const params = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system' as const, content: 'Be brief.' },
        { role: 'user' as const, content: 'Hello' },
      ],
      temperature: 0.2,
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const stream = await clientFor(s).chat.completions.create(params);
    for await (const _chunk of stream) {
      // drain
    }
    const [request, ...rest] = await s.requests();
    expect(rest).toEqual([]);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/chat/completions');
    expect(request?.url).toBe(`/s/${s.id}/v1/chat/completions`);
    expect(request?.body).toEqual(params);
    expect(JSON.parse(request?.rawBody ?? '')).toEqual(params);
    expect(request?.scenario).toBeNull();
    expect(request?.schemaErrors).toEqual([]);
    expect(request?.at).toBeGreaterThan(Date.now() - 60_000);
    const headers = request?.headers ?? {};
    expect(headers.authorization).toBe(`Bearer ${s.key}`);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-stainless-lang']).toBe('js');
    expect(headers['x-stainless-package-version']).toBe(VERSION);
    expect(headers['x-stainless-retry-count']).toBe('0');
    expect(
      Object.keys(headers).filter((name) => name.startsWith('x-stainless-')).length,
    ).toBeGreaterThanOrEqual(5);
    for (const name of Object.keys(headers)) expect(name).toBe(name.toLowerCase());
  });

  it('records preflights, paths outside /v1 and bodies that are not JSON', async () => {
    const s = await session();
    await fetch(`${s.baseURL}/models`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    await fetch(`${s.baseURL.replace(/\/v1$/, '')}/models`);
    await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}` },
      body: '{"model": "gpt-4o",',
    });
    const log = await s.requests();
    expect(log.map((r) => [r.method, r.path])).toEqual([
      ['OPTIONS', '/models'],
      ['GET', '/models'],
      ['POST', '/chat/completions'],
    ]);
    expect(log[0]?.headers.origin).toBe('http://localhost:5173');
    expect(log[0]?.body).toBeNull();
    expect(log[1]?.url).toBe(`/s/${s.id}/models`);
    expect(log[2]?.body).toBeNull();
    expect(log[2]?.rawBody).toBe('{"model": "gpt-4o",');
    expect(log[2]?.schemaErrors).toEqual(['/ body is not valid JSON']);
  });

  it('records what the schema says about a bad body', async () => {
    const s = await session();
    await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}` },
      body: JSON.stringify({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 'warm',
      }),
    });
    const [request] = await s.requests();
    expect(request?.schemaErrors).toContain('/temperature must be number');
  });
});

describe('session isolation', () => {
  it('scenarios and logs of one session never touch another', async () => {
    const a = await session();
    const b = await session();
    await a.queue({ kind: 'error', error: '500_server_error', times: 3 });
    await expect(clientFor(b).models.list()).resolves.toBeDefined();
    await expect(clientFor(a).models.list()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(clientFor(b).models.list()).resolves.toBeDefined();
    expect((await a.requests()).map((r) => r.scenario)).toEqual(['error:500_server_error']);
    expect((await b.requests()).map((r) => r.scenario)).toEqual([null, null]);
  });

  it('the default session is not affected by other sessions', async () => {
    const s = await session();
    await s.queue({ kind: 'drop', times: 5 });
    const response = await fetch(`${server().url}/v1/models`, {
      headers: { authorization: `Bearer ${server().defaultKey}` },
    });
    expect(response.status).toBe(200);
  });

  it('serves each session under its own base URL with its own key', async () => {
    const s = await session();
    expect(s.baseURL).toBe(`${server().url}/s/${s.id}/v1`);
    expect(s.key).toBe(`sk-sandpit-${s.id}`);
  });

  it('a disposed or unknown session answers 404 like an unknown URL', async () => {
    const s = await session();
    await s.dispose();
    const response = await fetch(`${s.baseURL}/models`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: `Invalid URL (GET /s/${s.id}/v1/models)`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    await expect(s.requests()).rejects.toThrow(/404/);
  });

  it('many sessions in parallel keep their own scripted answers', async () => {
    const sessions = await Promise.all(Array.from({ length: 8 }, () => session()));
    await Promise.all(
      sessions.map((s, i) =>
        s.queue({
          kind: 'replay',
          fixture: i % 2 ? 'openai-node__stream_works_1.sse' : 'pydantic-ai__gpt-5_text.1.sse',
        }),
      ),
    );
    const answers = await Promise.all(
      sessions.map((s) =>
        clientFor(s).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
      ),
    );
    answers.forEach((answer, i) =>
      expect(answer.choices[0]?.message.content).toBe(
        i % 2 ? '{"city":"San Francisco","units":"c"}' : 'Paris.',
      ),
    );
  });

  it('paces its default answers by the session’s chunkDelayMs, and refuses a bad one', async () => {
    const s = await session({ chunkDelayMs: 40 });
    const started = Date.now();
    const stream = await clientFor(s).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'one two three four' }],
      stream: true,
    });
    let chunks = 0;
    for await (const _chunk of stream) chunks++;
    expect(chunks).toBeGreaterThan(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40 * (chunks - 1));
    await expect(session({ chunkDelayMs: -1 })).rejects.toThrow(/chunkDelayMs must be a non-negative number/);
  });
});
