import OpenAI from 'openai';

/** What it takes to build an SDK client. The key is passed in per call and never kept here. */
export interface ClientConfig {
  apiKey: string;
  baseURL: string;
  organization?: string;
  project?: string;
  /** SDK retries for 408/409/429/5xx and connection errors. */
  maxRetries?: number;
  timeoutMs?: number;
}

/**
 * Builds an SDK client for the configured base URL, the only host it will ever call. This module is
 * reached only through dynamic imports (see `state/connection.svelte.ts`), so the SDK stays out of the
 * first load.
 */
export function createClient(config: ClientConfig): OpenAI {
  return new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseURL,
    organization: config.organization?.trim() || null,
    project: config.project?.trim() || null,
    maxRetries: config.maxRetries ?? 2,
    timeout: config.timeoutMs ?? 10 * 60_000,
    dangerouslyAllowBrowser: true,
    // The SDK's own logging stays quiet: request logs could otherwise echo prompts.
    logLevel: 'off',
  });
}
