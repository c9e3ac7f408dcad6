import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { apiErrors } from './errors.ts';
import { scenarioProblem, type ScenarioDeps } from './scenarios.ts';
import type { SessionStore } from './sessions.ts';
import type { Scenario, SessionInfo, SessionOptions } from './types.ts';

const OPEN_CORS: OutgoingHttpHeaders = { 'access-control-allow-origin': '*' };

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...OPEN_CORS,
    ...(text ? { 'content-type': 'application/json' } : {}),
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function badRequest(res: ServerResponse, message: string): void {
  send(res, 400, { error: { message, type: 'invalid_request_error', param: null, code: null } });
}

function parse(rawBody: Buffer): { ok: boolean; value: unknown } {
  const text = rawBody.toString('utf8');
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}

function optionsProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'options must be an object';
  const o = value as Record<string, unknown>;
  const strings = (v: unknown) =>
    v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  const flag = (v: unknown) => v === undefined || typeof v === 'boolean';
  if (!strings(o.keys)) return 'keys must be an array of strings';
  if (!strings(o.models)) return 'models must be an array of strings';
  if (!flag(o.requireKey) || !flag(o.cors)) return 'requireKey and cors must be booleans';
  if (o.chunkDelayMs !== undefined && !(typeof o.chunkDelayMs === 'number' && o.chunkDelayMs >= 0))
    return 'chunkDelayMs must be a non-negative number';
  return null;
}

/**
 * The control API used by tests (Node side): create a session, queue its scenarios, read its
 * request log, delete it. Answers with open CORS too, which does no harm.
 */
export function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  rawBody: Buffer,
  store: SessionStore,
  deps: ScenarioDeps,
  origin: string,
): void {
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res.writeHead(204, {
      ...OPEN_CORS,
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
      'access-control-max-age': '7200',
    });
    res.end();
    return;
  }
  const body = parse(rawBody);
  if (!body.ok) {
    badRequest(res, 'The body is not valid JSON.');
    return;
  }
  if (method === 'GET' && path === '/__control/health') {
    send(res, 200, { ok: true });
    return;
  }
  if (method === 'POST' && path === '/__control/sessions') {
    const problem = optionsProblem(body.value);
    if (problem) {
      badRequest(res, problem);
      return;
    }
    const session = store.create(body.value as SessionOptions);
    const host = req.headers.host ? `http://${req.headers.host}` : origin;
    const info: SessionInfo = { id: session.id, baseURL: `${host}/s/${session.id}/v1`, key: session.key };
    send(res, 201, info);
    return;
  }
  const match = /^\/__control\/sessions\/([^/]+)(\/scenarios|\/requests)?$/.exec(path);
  const session = match?.[1] ? store.get(match[1]) : undefined;
  const id = match?.[1] ?? '';
  const action = match?.[2];
  if (session && method === 'POST' && action === '/scenarios') {
    const scenarios = (body.value as { scenarios?: unknown }).scenarios;
    if (!Array.isArray(scenarios)) {
      badRequest(res, 'The body must be { scenarios: Scenario[] }.');
      return;
    }
    for (const [i, scenario] of scenarios.entries()) {
      const problem = scenarioProblem(scenario, deps);
      if (problem) {
        badRequest(res, `scenarios[${i}]: ${problem}`);
        return;
      }
    }
    session.enqueue(scenarios as Scenario[]);
    send(res, 200, { queued: scenarios.length });
    return;
  }
  if (session && method === 'GET' && action === '/requests') {
    send(res, 200, session.requests());
    return;
  }
  if (session && method === 'DELETE' && action === undefined) {
    store.delete(id);
    send(res, 204);
    return;
  }
  const notFound = apiErrors.invalidUrl(method, path);
  send(res, notFound.status, notFound.body);
}
