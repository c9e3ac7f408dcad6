import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ApiError } from './errors.ts';

/** Reads a whole request body; the API's bodies are small. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** The only header api.openai.com lets a browser read. */
export const EXPOSED_HEADERS = 'X-Request-ID';

/** `access-control-*` headers of a real API answer, or none for a session that plays a server without CORS. */
export function corsHeaders(cors: boolean): OutgoingHttpHeaders {
  return cors ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS } : {};
}

/** One request and its response, carrying what every answer repeats (request id, timing, CORS). */
export class Exchange {
  readonly requestId = `req_${randomBytes(16).toString('hex')}`;
  readonly startedAt = Date.now();
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly cors: boolean;

  constructor(req: IncomingMessage, res: ServerResponse, cors: boolean) {
    this.req = req;
    this.res = res;
    this.cors = cors;
  }

  /** True once the client went away or the socket was destroyed; writers stop then. */
  get gone(): boolean {
    return this.res.destroyed || this.req.socket.destroyed;
  }

  /** The headers api.openai.com sends with every answer, values shaped like the real ones. */
  headers(contentType: string, extra: Record<string, string> = {}): OutgoingHttpHeaders {
    return {
      'content-type': contentType,
      'x-request-id': this.requestId,
      'openai-version': '2020-10-01',
      'openai-organization': 'user-sandpit',
      'openai-processing-ms': String(Date.now() - this.startedAt),
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-remaining-tokens': '29993',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-reset-tokens': '14ms',
      ...extra,
      ...corsHeaders(this.cors),
    };
  }

  /** Sends a JSON body pretty-printed with two spaces, as the API prints its successes. */
  json(status: number, body: unknown, extra?: Record<string, string>): void {
    this.text(status, `${JSON.stringify(body, null, 2)}\n`, 'application/json', extra);
  }

  /** Sends an error as the API prints them (four-space indentation). */
  error(error: ApiError, extra?: Record<string, string>): void {
    this.text(error.status, `${JSON.stringify(error.body, null, 4)}\n`, 'application/json', extra);
  }

  /** Sends a complete body with the API headers and its length. */
  text(status: number, body: string, contentType: string, extra?: Record<string, string>): void {
    if (this.gone) return;
    const bytes = Buffer.from(body);
    this.res.writeHead(status, {
      ...this.headers(contentType, extra),
      'content-length': String(bytes.length),
    });
    this.res.end(bytes);
  }

  /** Starts an SSE answer and flushes the headers at once, so a stall after the headers is observable. */
  startStream(): void {
    this.res.writeHead(200, this.headers('text/event-stream; charset=utf-8'));
    this.res.flushHeaders();
  }

  /** Writes one block and resolves once it has left the process (so a following cut cannot swallow it). */
  write(block: Buffer | string): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.res.write(block, (error) => resolve(!error && !this.gone));
    });
  }

  /** Resolves after `ms`, or early (with `false`) when the client goes away. */
  wait(ms: number): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onClose = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.res.off('close', onClose);
        resolve(!this.gone);
      }, ms);
      this.res.once('close', onClose);
    });
  }

  /** Resolves when the client goes away or the server destroys the socket on close. */
  untilGone(): Promise<void> {
    if (this.gone) return Promise.resolve();
    return new Promise((resolve) => this.res.once('close', () => resolve()));
  }
}
