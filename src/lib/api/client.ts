import type OpenAI from 'openai';
import type * as OpenAIModule from 'openai';

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

let sdk: Promise<typeof OpenAIModule> | null = null;

/**
 * Loads the `openai` SDK on first use: it is most of a small first chunk, and the page is useful
 * before any call is made. A failed load is not cached, so the next call tries again.
 */
export function loadSdk(): Promise<typeof OpenAIModule> {
  sdk ??= import('openai').catch((err: unknown) => {
    sdk = null;
    throw err;
  });
  return sdk;
}

/** Builds an SDK client for the configured base URL; the only host it will ever call. */
export async function createClient(config: ClientConfig): Promise<OpenAI> {
  const { default: OpenAIClient } = await loadSdk();
  return new OpenAIClient({
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
