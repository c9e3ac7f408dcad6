import type { ApiProblem, LocalServer } from './problems';

/** Where the page itself is served from; passed in so the checks can be tested. */
export interface PageLocation {
  protocol: string;
  origin: string;
}

export type BaseUrlCheck =
  | { ok: true; url: string; warnings: string[]; likelyServer: LocalServer | null }
  | { ok: false; problem: ApiProblem };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for hosts that are this computer, which browsers treat as secure even over http. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname) || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The plain-http hosts index.html's `connect-src` names. CSP host sources cannot name an IPv6
 * literal, so `[::1]` and the rest of 127.0.0.0/8 are loopback but still blocked by the policy.
 */
function allowedByPagePolicy(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname.endsWith('.localhost');
}

/**
 * Validates a base URL as typed and normalises it (trimmed, no trailing slash). Rejects what the
 * browser would block anyway: http to another machine, from an https page (mixed content) or under
 * this page's Content-Security-Policy (which allows plain http only to this computer).
 */
export function checkBaseUrl(input: string, page: PageLocation): BaseUrlCheck {
  const text = input.trim();
  const invalid = (cause: string, fix: string): BaseUrlCheck => ({
    ok: false,
    problem: { kind: 'invalid-url', field: 'baseURL', title: 'Base URL is not valid', cause, fix },
  });
  if (!text)
    return invalid('The base URL is empty.', 'Enter https://api.openai.com/v1 or your server’s address.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(
      `“${text}” is not a URL.`,
      'Write it in full, with the scheme: https://api.openai.com/v1 or http://localhost:11434/v1.',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return invalid(
      `The base URL uses ${url.protocol}, not http or https.`,
      'Use an http:// or https:// address.',
    );
  }
  if (url.username || url.password) {
    return invalid(
      'The base URL contains a user name or password, which browsers refuse to send this way.',
      'Remove them from the URL; put the key in the API key field.',
    );
  }
  if (url.search || url.hash) {
    return invalid(
      'The base URL has a query string or fragment; the SDK appends paths such as /models after it, which breaks the address.',
      `Remove everything from “${url.search ? '?' : '#'}” on: ${url.origin}${url.pathname.replace(/\/+$/, '')}.`,
    );
  }
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname) && !allowedByPagePolicy(url.hostname)) {
    return {
      ok: false,
      problem: {
        kind: 'blocked-by-policy',
        field: 'baseURL',
        title: 'Use localhost or 127.0.0.1',
        cause: `Sandpit’s security policy names this computer as localhost and 127.0.0.1 only, so requests to ${url.host} would be blocked.`,
        fix: `Write the same address as http://localhost${url.port ? `:${url.port}` : ''}${url.pathname.replace(/\/+$/, '')}.`,
      },
    };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    const mixed = page.protocol === 'https:';
    return {
      ok: false,
      problem: {
        kind: mixed ? 'mixed-content' : 'blocked-by-policy',
        field: 'baseURL',
        title: mixed
          ? 'Blocked: an https page cannot call http'
          : 'Plain http is allowed only to this computer',
        cause: mixed
          ? `This page is served over https, and browsers block its requests to plain-http addresses such as ${url.host} (mixed content).`
          : `Sandpit’s security policy lets the page call plain-http addresses only on this computer (localhost), so requests to ${url.host} would be blocked.`,
        fix: `Serve the API over https (a reverse proxy with a certificate), or reach it through localhost, for example with an SSH tunnel: ssh -L ${url.port || '80'}:localhost:${url.port || '80'} ${url.hostname}.`,
      },
    };
  }
  const warnings: string[] = [];
  const path = url.pathname.replace(/\/+$/, '');
  if (url.hostname === 'api.openai.com' && path !== '/v1') {
    warnings.push('The OpenAI API lives at https://api.openai.com/v1: the path should be /v1.');
  } else if (!/\/v\d+(beta)?$/.test(path) && !/openai/.test(path)) {
    warnings.push(
      'Most OpenAI-compatible servers expect the path to end in /v1 (e.g. http://localhost:11434/v1).',
    );
  }
  const normalised = url.toString().replace(/\/+$/, '');
  return { ok: true, url: normalised, warnings, likelyServer: guessLocalServer(url) };
}

/** Guesses which local server a URL points at from its well-known default port. */
export function guessLocalServer(url: URL): LocalServer | null {
  if (!isLoopbackHost(url.hostname)) return null;
  switch (url.port) {
    case '11434':
      return 'Ollama';
    case '1234':
      return 'LM Studio';
    case '8000':
      return 'vLLM';
    default:
      return null;
  }
}
