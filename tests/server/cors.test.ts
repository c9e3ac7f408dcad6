import { describe, expect, it } from 'vitest';
import { useServer } from './helpers.ts';

const { server, session } = useServer();

const BROWSER = { origin: 'http://localhost:5173' };

function corsHeaderNames(response: Response): string[] {
  return [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
}

describe('CORS like api.openai.com', () => {
  it('answers a preflight with 200, no body, the methods, the requested headers echoed and a 2-hour max-age', async () => {
    const s = await session();
    const requested = 'authorization,content-type,x-stainless-arch,x-stainless-lang,x-stainless-retry-count';
    const response = await fetch(`${s.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        ...BROWSER,
        'access-control-request-method': 'POST',
        'access-control-request-headers': requested,
      },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe(
      'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    );
    expect(response.headers.get('access-control-allow-headers')).toBe(requested);
    expect(response.headers.get('access-control-max-age')).toBe('7200');
  });

  it('never asks a preflight for a key, even on a session that requires one', async () => {
    const s = await session({ requireKey: true });
    const response = await fetch(`${s.baseURL}/models`, { method: 'OPTIONS', headers: BROWSER });
    expect(response.status).toBe(200);
  });

  it.each([
    ['a success', '/models', true],
    ['a 401', '/models', false],
    ['a 404', '/nope', true],
  ])('exposes exactly X-Request-ID on %s', async (_label, path, withKey) => {
    const s = await session();
    const response = await fetch(`${s.baseURL}${path}`, {
      headers: { ...BROWSER, ...(withKey ? { authorization: `Bearer ${s.key}` } : {}) },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Request-ID');
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('exposes exactly X-Request-ID on a stream', async () => {
    const s = await session();
    const response = await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { ...BROWSER, authorization: `Bearer ${s.key}` },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Request-ID');
    await response.text();
  });

  it('answers a base URL without /v1 with the API 404 and CORS, so a page can read it', async () => {
    const response = await fetch(`${server().url}/models`, { headers: BROWSER });
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual({
      error: { message: 'Invalid URL (GET /models)', type: 'invalid_request_error', param: null, code: null },
    });
    const preflight = await fetch(`${server().url}/models`, { method: 'OPTIONS', headers: BROWSER });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a cors: false session sends no access-control header at all and refuses preflights', async () => {
    const s = await session({ cors: false });
    const preflight = await fetch(`${s.baseURL}/models`, {
      method: 'OPTIONS',
      headers: {
        ...BROWSER,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect([404, 405]).toContain(preflight.status);
    expect(corsHeaderNames(preflight)).toEqual([]);
    for (const path of ['/models', '/nope']) {
      const response = await fetch(`${s.baseURL}${path}`, {
        headers: { ...BROWSER, authorization: `Bearer ${s.key}` },
      });
      expect(corsHeaderNames(response)).toEqual([]);
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    }
    const stream = await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}` },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(corsHeaderNames(stream)).toEqual([]);
    await stream.text();
  });

  it('sends the API headers on every answer', async () => {
    const s = await session();
    const response = await fetch(`${s.baseURL}/models`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('openai-version')).toBe('2020-10-01');
    expect(response.headers.get('openai-organization')).toBe('user-sandpit');
    expect(Number(response.headers.get('openai-processing-ms'))).toBeGreaterThanOrEqual(0);
    for (const kind of ['limit', 'remaining', 'reset']) {
      for (const what of ['requests', 'tokens']) {
        expect(response.headers.get(`x-ratelimit-${kind}-${what}`)).toBeTruthy();
      }
    }
  });
});
