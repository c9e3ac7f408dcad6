import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerChat } from './chat-route.ts';
import { answerEmbeddings } from './embeddings-route.ts';
import { apiErrors } from './errors.ts';
import { Exchange } from './http.ts';
import { modelObject } from './models.ts';
import { validateChatRequest, validateEmbeddingsRequest, type ValidationResult } from './openapi.ts';
import { runScenario, type ScenarioDeps } from './scenarios.ts';
import { scenarioLabel, type Session } from './sessions.ts';
import type { RecordedRequest, ScenarioRoute } from './types.ts';

/** What the API routes need from the server beyond the session. */
export interface ApiDeps extends ScenarioDeps {
  /** Pause between generated chunks (the CLI slows streams down so a person sees them arrive). */
  chunkDelayMs: number;
}

interface Route {
  scenarioPath: ScenarioRoute;
  validate?: (body: unknown) => ValidationResult;
  answer: (
    ex: Exchange,
    session: Session,
    record: RecordedRequest,
    check: ValidationResult,
    deps: ApiDeps,
  ) => unknown;
}

const NOT_VALIDATED: ValidationResult = { valid: true, errors: [] };

/** The API's routes by method and path under `/v1`; anything else is the API's "Invalid URL" 404. */
function findRoute(method: string, path: string): Route | undefined {
  if (method === 'GET' && path === '/models') {
    return {
      scenarioPath: '/models',
      answer: (ex, session) => ex.json(200, { object: 'list', data: session.models.map(modelObject) }),
    };
  }
  const model = /^\/models\/([^/]+)$/.exec(path)?.[1];
  if (method === 'GET' && model !== undefined) {
    const id = decodeURIComponent(model);
    return {
      scenarioPath: '/models',
      answer: (ex, session) =>
        session.models.includes(id)
          ? ex.json(200, modelObject(id))
          : ex.error(apiErrors.retrieveModelNotFound(id)),
    };
  }
  if (method === 'POST' && path === '/chat/completions') {
    return {
      scenarioPath: '/chat/completions',
      validate: validateChatRequest,
      answer: (ex, session, record, check, deps) =>
        answerChat(ex, session, record, check, session.chunkDelayMs ?? deps.chunkDelayMs),
    };
  }
  if (method === 'POST' && path === '/embeddings') {
    return { scenarioPath: '/embeddings', validate: validateEmbeddingsRequest, answer: answerEmbeddings };
  }
  return undefined;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(text: string): { ok: boolean; value: unknown } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: null };
  }
}

/** A browser's preflight: answered like api.openai.com, or refused without CORS headers for a `cors: false` session. */
function preflight(req: IncomingMessage, res: ServerResponse, session: Session): void {
  if (!session.cors) {
    res.writeHead(405, { allow: 'GET, POST', 'content-length': '0' });
    res.end();
    return;
  }
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(200, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    ...(requested ? { 'access-control-allow-headers': requested } : {}),
    'access-control-max-age': '7200',
    'content-length': '0',
  });
  res.end();
}

/** The bearer key, or `undefined` when there is none (which the API treats like no header at all). */
function bearerKey(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(.*)$/i.exec(req.headers.authorization ?? '');
  const key = match?.[1]?.trim();
  return key ? key : undefined;
}

/**
 * Serves one request for a session. `path` is relative to the session root (`/v1/models`);
 * outside `/v1` every path is the API's 404, so an app can tell a base URL that lacks `/v1`.
 */
export async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  session: Session,
  path: string,
  rawBody: Buffer,
  deps: ApiDeps,
): Promise<void> {
  const method = req.method ?? 'GET';
  const ex = new Exchange(req, res, session.cors);
  const inV1 = path === '/v1' || path.startsWith('/v1/');
  const apiPath = inV1 ? path.slice(3) || '/' : path;
  const rawText = rawBody.toString('utf8');
  const json = parseJson(rawText);
  const record: RecordedRequest = {
    method,
    path: apiPath,
    url: req.url ?? path,
    headers: headerRecord(req),
    body: json.value,
    rawBody: rawText,
    at: ex.startedAt,
    scenario: null,
    schemaErrors: [],
  };
  session.record(record);

  if (method === 'OPTIONS') {
    preflight(req, res, session);
    return;
  }
  const route = inV1 ? findRoute(method, apiPath) : undefined;
  if (!route) {
    ex.error(apiErrors.invalidUrl(method, path));
    return;
  }
  if (session.requireKey) {
    const key = bearerKey(req);
    if (key === undefined) {
      ex.error(apiErrors.missingKey());
      return;
    }
    if (!session.accepts(key)) {
      ex.error(apiErrors.invalidKey(key));
      return;
    }
  }
  let check = NOT_VALIDATED;
  if (route.validate && json.ok) {
    check = route.validate(json.value);
    record.schemaErrors = check.errors;
  } else if (!json.ok) {
    record.schemaErrors = ['/ body is not valid JSON'];
  }
  const answer = async () => {
    if (!json.ok) ex.error(apiErrors.unparsableJson());
    else await route.answer(ex, session, record, check, deps);
  };
  const scenario = session.take(route.scenarioPath, method);
  if (!scenario) {
    await answer();
    return;
  }
  record.scenario = scenarioLabel(scenario);
  const body = json.value as { stream?: unknown } | null;
  await runScenario(ex, scenario, body?.stream === true, deps, answer);
}
