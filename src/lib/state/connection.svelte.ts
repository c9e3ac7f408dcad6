import { checkBaseUrl, type BaseUrlCheck, type PageLocation } from '../api/base-url';
import { checkHeaderText, noKeyProblem, type ApiProblem } from '../api/problems';
import type { ConnectionResult, ConnectionEnv } from '../api/connection';
import type { ClientConfig } from '../api/client';
import type { ModelInfo } from '../models';
import type { Credentials } from './credentials.svelte';
import type { SettingsState } from './settings.svelte';

export type ConnectionStatus = 'idle' | 'checking' | 'connected' | 'failed';

type Tester = (config: ClientConfig, env: ConnectionEnv) => Promise<ConnectionResult>;

/**
 * The lazy boundary: the connection code, and with it the SDK and the model catalog, load here on first
 * use. The browser's module map keeps it once loaded.
 */
const loadTester: () => Promise<Tester> = async () => (await import('../api/connection')).testConnection;

/**
 * The connection check: its status, the models the key can use, or the problem and its fix.
 * The newest check wins: starting one cancels the one before, and a late answer is ignored.
 */
export class ConnectionState {
  status = $state<ConnectionStatus>('idle');
  models = $state.raw<ModelInfo[]>([]);
  problem = $state.raw<ApiProblem | null>(null);
  checkedAt = $state<number | null>(null);
  latencyMs = $state<number | null>(null);
  requestId = $state<string | null>(null);

  #settings: SettingsState;
  #credentials: Credentials;
  #page: PageLocation;
  #loadTester: () => Promise<Tester>;
  #controller: AbortController | null = null;
  #checkedWith = $state<string | null>(null);

  /** The base URL as typed, checked. */
  readonly baseUrlCheck: BaseUrlCheck;

  constructor(
    settings: SettingsState,
    credentials: Credentials,
    page: PageLocation,
    tester: () => Promise<Tester> = loadTester,
  ) {
    this.#settings = settings;
    this.#credentials = credentials;
    this.#page = page;
    this.#loadTester = tester;
    this.baseUrlCheck = $derived(checkBaseUrl(this.#settings.baseURL, this.#page));
  }

  /** True when the settings or key changed since the last finished check. */
  get stale(): boolean {
    return this.#checkedWith !== null && this.#checkedWith !== this.#fingerprint();
  }

  /** The last check's problem while it still describes the current settings (it goes once they change). */
  get currentProblem(): ApiProblem | null {
    return this.stale ? null : this.problem;
  }

  /** The sentence a screen reader announces, and the status line shows. */
  get announcement(): string {
    switch (this.status) {
      case 'idle':
        return '';
      case 'checking':
        return 'Testing the connection…';
      case 'connected': {
        const n = this.models.length;
        return `Connected: ${n} ${n === 1 ? 'model' : 'models'} available.`;
      }
      case 'failed':
        return this.problem ? `Connection failed: ${this.problem.title}.` : 'Connection failed.';
    }
  }

  /** Runs the check; resolves when it is settled (or superseded). */
  test = async (): Promise<void> => {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const fingerprint = this.#fingerprint();
    const settle = (result: ConnectionResult) => {
      if (this.#controller !== controller) return;
      this.#controller = null;
      this.checkedAt = Date.now();
      this.#checkedWith = fingerprint;
      if (result.ok) {
        this.status = 'connected';
        this.models = result.models;
        this.problem = null;
        this.latencyMs = result.latencyMs;
        this.requestId = result.requestId;
      } else {
        this.status = 'failed';
        this.models = [];
        this.problem = result.problem;
        this.latencyMs = null;
        this.requestId = result.problem.requestId ?? null;
      }
    };

    // Everything the check uses is read now, before the first await: edits made while the code loads
    // belong to the next check, and the fingerprint must describe exactly what was sent.
    const request = this.requestConfig();
    if (!request.ok) return settle({ ok: false, problem: request.problem });
    const { config, check } = request;

    this.status = 'checking';
    this.problem = null;
    let result: ConnectionResult;
    try {
      const testConnection = await this.#loadTester();
      result = await testConnection(config, {
        pageOrigin: this.#page.origin,
        likelyServer: check.likelyServer,
        signal: controller.signal,
      });
    } catch (err) {
      result = {
        ok: false,
        problem: {
          kind: 'unexpected',
          field: 'request',
          title: 'Part of Sandpit failed to load',
          cause: `The connection code could not be loaded (${err instanceof Error ? err.message : String(err)}).`,
          fix: 'Check your network connection and reload the page.',
        },
      };
    }
    if (result.ok || result.problem.kind !== 'aborted') settle(result);
  };

  /**
   * What any request needs, read from the settings and the key as they are now: the client config, or
   * the problem that stops a request before it is sent (invalid base URL, no key, a character a header
   * cannot carry).
   */
  requestConfig = ():
    | { ok: true; config: ClientConfig; check: Extract<BaseUrlCheck, { ok: true }> }
    | { ok: false; problem: ApiProblem } => {
    const check = this.baseUrlCheck;
    if (!check.ok) return { ok: false, problem: check.problem };
    if (!this.#credentials.hasKey) return { ok: false, problem: noKeyProblem() };
    const config = {
      apiKey: this.#credentials.apiKey,
      baseURL: check.url,
      organization: this.#settings.organization.trim(),
      project: this.#settings.project.trim(),
    };
    const unsendable =
      checkHeaderText('apiKey', config.apiKey) ??
      checkHeaderText('organization', config.organization) ??
      checkHeaderText('project', config.project);
    return unsendable ? { ok: false, problem: unsendable } : { ok: true, config, check };
  };

  /** The page's origin, for CORS diagnosis. */
  get pageOrigin(): string {
    return this.#page.origin;
  }

  /** Stops a running check and goes back to idle. */
  cancel = (): void => {
    if (!this.#controller) return;
    this.#controller.abort();
    this.#controller = null;
    this.status = 'idle';
  };

  #fingerprint(): string {
    const s = this.#settings;
    return JSON.stringify([
      s.baseURL.trim(),
      s.organization.trim(),
      s.project.trim(),
      this.#credentials.version,
    ]);
  }
}
