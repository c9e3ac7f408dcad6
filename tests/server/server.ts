import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApi, type ApiDeps } from './api.ts';
import { handleControl } from './control-api.ts';
import { apiErrors, loadErrorCatalog } from './errors.ts';
import { StreamFixtures } from './fixtures.ts';
import { Exchange, readBody } from './http.ts';
import { validateChatRequest, validateEmbeddingsRequest } from './openapi.ts';
import { DEFAULT_KEY, SessionStore } from './sessions.ts';

export { DEFAULT_KEY } from './sessions.ts';
export { DEFAULT_MODELS } from './models.ts';

/** How to start the test server. */
export interface StartOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** `false` logs one line per request to stderr (default `true`). */
  quiet?: boolean;
  /** Pause between the chunks of generated (not replayed) streams; default 0. */
  chunkDelayMs?: number;
}

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:PORT`, without `/v1`. */
  url: string;
  /** The key the default session (`${url}/v1`) accepts. */
  defaultKey: string;
  /** Stops accepting, ends open (also stalled) connections, resolves when everything is closed. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts an OpenAI-compatible server for tests and manual runs: `/v1/...` for the default
 * session, `/s/<id>/v1/...` for sessions created through `/__control/sessions`, each with its own
 * keys, models, scripted scenarios and request log.
 */
export async function startTestServer(opts: StartOptions = {}): Promise<TestServer> {
  const host = opts.host ?? '127.0.0.1';
  const quiet = opts.quiet ?? true;
  const store = new SessionStore();
  const deps: ApiDeps = {
    fixtures: new StreamFixtures(),
    errors: loadErrorCatalog(),
    chunkDelayMs: opts.chunkDelayMs ?? 0,
  };
  let origin = '';
  // Compile the schema validators now, not during the first request (a few hundred ms that would skew its timing).
  validateChatRequest(null);
  validateEmbeddingsRequest(null);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/__control' || path.startsWith('/__control/')) {
      handleControl(req, res, path, rawBody, store, deps, origin);
      return;
    }
    const scoped = /^\/s\/([^/]+)(\/.*)?$/.exec(path);
    if (!scoped) {
      await handleApi(req, res, store.default, path, rawBody, deps);
      return;
    }
    const session = store.get(scoped[1] ?? '');
    if (!session) {
      new Exchange(req, res, true).error(apiErrors.invalidUrl(req.method ?? 'GET', path));
      return;
    }
    await handleApi(req, res, session, scoped[2] ?? '/', rawBody, deps);
  }

  const server = createServer((req, res) => {
    if (!quiet) {
      const started = Date.now();
      res.once('close', () =>
        console.error(
          `${req.method} ${req.url} -> ${res.headersSent ? res.statusCode : 'reset'} (${Date.now() - started} ms)`,
        ),
      );
    }
    route(req, res).catch((error: unknown) => {
      console.error('test server: request failed', error);
      const ex = new Exchange(req, res, true);
      if (res.headersSent) res.destroy();
      else ex.error(apiErrors.serverError(ex.requestId));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${urlHost(host)}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    defaultKey: DEFAULT_KEY,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Stalled streams never end on their own; ending their sockets lets close() finish.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
