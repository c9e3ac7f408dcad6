import { describe, expect, it } from 'vitest';
import { checkBaseUrl, isLoopbackHost } from '../../src/lib/api/base-url';
import { checkHeaderText } from '../../src/lib/api/problems';

const https = { protocol: 'https:', origin: 'https://sandpit.example' };
const http = { protocol: 'http:', origin: 'http://localhost:5173' };

describe('checkBaseUrl', () => {
  it('accepts the OpenAI default and trims a trailing slash and spaces', () => {
    expect(checkBaseUrl(' https://api.openai.com/v1/ ', https)).toEqual({
      ok: true,
      url: 'https://api.openai.com/v1',
      warnings: [],
      likelyServer: null,
    });
  });

  it('accepts loopback http from an https page (browsers treat it as secure) and guesses the server', () => {
    expect(checkBaseUrl('http://localhost:11434/v1', https)).toMatchObject({
      ok: true,
      likelyServer: 'Ollama',
    });
    expect(checkBaseUrl('http://127.0.0.1:1234/v1', https)).toMatchObject({
      ok: true,
      likelyServer: 'LM Studio',
    });
    expect(checkBaseUrl('http://localhost:8000/v1', https)).toMatchObject({ ok: true, likelyServer: 'vLLM' });
    expect(checkBaseUrl('http://sandpit.localhost:8000/v1', https)).toMatchObject({ ok: true });
  });

  it('asks for localhost instead of loopback addresses the page policy cannot name', () => {
    for (const input of ['http://[::1]:8000/v1', 'http://127.0.0.2:8000/v1']) {
      const check = checkBaseUrl(input, https);
      expect(check).toMatchObject({
        ok: false,
        problem: { kind: 'blocked-by-policy', title: 'Use localhost or 127.0.0.1' },
      });
      if (!check.ok) expect(check.problem.fix).toBe('Write the same address as http://localhost:8000/v1.');
    }
  });

  it('refuses http to another machine: mixed content from https, the page policy from http', () => {
    const mixed = checkBaseUrl('http://192.168.1.20:8000/v1', https);
    expect(mixed).toMatchObject({ ok: false, problem: { kind: 'mixed-content', field: 'baseURL' } });
    const policy = checkBaseUrl('http://gpu-box:8000/v1', http);
    expect(policy).toMatchObject({ ok: false, problem: { kind: 'blocked-by-policy', field: 'baseURL' } });
    if (!policy.ok) expect(policy.problem.fix).toMatch(/ssh -L 8000:localhost:8000 gpu-box/);
  });

  it.each([
    ['', /empty/],
    ['api.openai.com/v1', /is not a URL/],
    ['ftp://example.com/v1', /uses ftp:/],
    ['https://user:pw@example.com/v1', /user name or password/],
    ['http://localhost:11434/v1?x=1', /query string or fragment/],
    ['http://localhost:11434/v1#top', /query string or fragment/],
  ])('rejects %j', (input, cause) => {
    const check = checkBaseUrl(input, https);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.problem.kind).toBe('invalid-url');
      expect(check.problem.cause).toMatch(cause);
      expect(check.problem.field).toBe('baseURL');
    }
  });

  it('warns about a path without /v1', () => {
    expect(checkBaseUrl('https://api.openai.com', https)).toMatchObject({
      ok: true,
      warnings: ['The OpenAI API lives at https://api.openai.com/v1: the path should be /v1.'],
    });
    const local = checkBaseUrl('http://localhost:11434', https);
    expect(local.ok && local.warnings[0]).toMatch(/expect the path to end in \/v1/);
    expect(checkBaseUrl('https://example.openai.azure.com/openai', https)).toMatchObject({ warnings: [] });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['app.localhost', true],
    ['localhost.example.com', false],
    ['10.0.0.1', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('checkHeaderText', () => {
  it('passes visible ASCII and points at the first character a header cannot carry', () => {
    expect(checkHeaderText('apiKey', 'sk-proj-abc_DEF-123')).toBeNull();
    const dash = checkHeaderText('organization', 'org–x');
    expect(dash).toMatchObject({ kind: 'invalid-text', field: 'organization' });
    expect(dash!.cause).toBe('Character 4 is “–” (U+2013); headers carry plain ASCII only.');
    const zeroWidth = checkHeaderText('apiKey', 'sk-ab\u200bcd');
    expect(zeroWidth!.cause).toMatch(/Character 6 is an invisible or space character \(U\+200B\)/);
    expect(checkHeaderText('project', 'proj 1')!.cause).toMatch(
      /Character 5 is an invisible or space character/,
    );
  });
});
