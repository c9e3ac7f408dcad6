/**
 * What a model is for this playground. `other` covers everything the catalog knows that cannot be driven
 * from a chat or embeddings panel: audio, images, speech, moderation, realtime, and models served only
 * by /v1/responses or the legacy /v1/completions.
 */
export type ModelKind = 'chat' | 'reasoning' | 'embedding' | 'other';

/** A long-context price tier: once the prompt exceeds `aboveInputTokens`, the whole request is billed at it. */
export interface LongContextPrice {
  aboveInputTokens: number;
  inputPerMTok: number;
  cachedInputPerMTok: number | null;
  outputPerMTok: number | null;
}

/** USD per 1M tokens, with where the figures come from and when they were last checked against that source. */
export interface ModelPrice {
  inputPerMTok: number;
  /** null = the source lists no cached-input discount: cached tokens cost the full input price. */
  cachedInputPerMTok: number | null;
  /** null = no output tokens are billed (embeddings). */
  outputPerMTok: number | null;
  longContext: LongContextPrice | null;
  /** e.g. 'pydantic/genai-prices, checked against https://developers.openai.com/api/docs/pricing' */
  source: string;
  /** 'YYYY-MM-DD', or null when the source gives no check date. */
  checkedOn: string | null;
}

/**
 * Whether a request parameter may be sent. `conditional` means the API accepts it only in a given
 * combination (`when`), e.g. temperature on GPT-5.1+ only with `reasoning_effort: 'none'`.
 */
export type ParamSupport =
  | { supported: true }
  | { supported: false; reason: string }
  | { supported: 'conditional'; when: string; reason: string };

/** The Chat Completions parameters whose support differs between models. `system_message` = a system/developer role message. */
export type ChatParam =
  | 'temperature'
  | 'top_p'
  | 'frequency_penalty'
  | 'presence_penalty'
  | 'max_tokens'
  | 'max_completion_tokens'
  | 'reasoning_effort'
  | 'stop'
  | 'seed'
  | 'n'
  | 'logprobs'
  | 'response_format'
  | 'tools'
  | 'system_message';

/** Every {@link ChatParam}, in the order a settings panel would list them. */
export const CHAT_PARAMS: readonly ChatParam[] = [
  'temperature',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'max_tokens',
  'max_completion_tokens',
  'reasoning_effort',
  'stop',
  'seed',
  'n',
  'logprobs',
  'response_format',
  'tools',
  'system_message',
];

/** Embedding facts for a known embeddings model. */
export interface EmbeddingInfo {
  defaultDimensions: number;
  /** Whether the `dimensions` request parameter is accepted (text-embedding-3 and later). */
  supportsDimensions: boolean;
  maxInputTokens: number;
}

/** Everything the playground knows about one model id. */
export interface ModelInfo {
  /** Exactly as the connection reported it. */
  id: string;
  /** false for ids the catalog has no facts for (local servers, custom deployments). */
  known: boolean;
  kind: ModelKind;
  /** 'Chat' | 'Reasoning' | 'Embeddings' | 'Other' */
  displayGroup: string;
  /** Input + output tokens; null = unknown. */
  contextWindow: number | null;
  /** null = unknown. */
  maxOutputTokens: number | null;
  /**
   * The cap on input tokens when the catalog gives one below the context window (gpt-5: 272,000 of
   * 400,000; embeddings: 8,192 per input); otherwise null, and the budget is contextWindow − output.
   */
  maxInputTokens: number | null;
  /** The output-limit parameter to send. */
  maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  params: Record<ChatParam, ParamSupport>;
  /** The `reasoning_effort` values this model accepts; [] when it takes none. */
  reasoningEfforts: readonly string[];
  /** null when not an embeddings model, or when its dimensions are unknown (local servers). */
  embedding: EmbeddingInfo | null;
  /** null = price unknown. */
  price: ModelPrice | null;
  deprecated: boolean;
  /** 'YYYY-MM-DD' */
  knowledgeCutoff: string | null;
}

/** The `usage` object of a Chat Completions (or Embeddings) response, as far as cost needs it. */
export interface Usage {
  prompt_tokens: number;
  /** Already includes reasoning tokens (`completion_tokens_details.reasoning_tokens`). */
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

/** The cost of one request, or a plain "unknown" the UI can show as such. */
export type Cost = { usd: number; known: true } | { known: false };
