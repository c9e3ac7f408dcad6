/** A message role the playground lets the user write. `developer` is the newer name for `system`. */
export type Role = 'system' | 'developer' | 'user' | 'assistant';

export const ROLES: readonly Role[] = ['system', 'developer', 'user', 'assistant'];

/** How a run ended. `interrupted` = the stream broke off after it started; `stopped` = the user stopped it. */
export type RunEnd = 'done' | 'stopped' | 'interrupted' | 'failed';

/** What the conversation remembers of the run that produced an assistant message. */
export interface AnswerInfo {
  runId: string;
  /** Every choice's text when n > 1; the message's content is `choices[choice]`. */
  choices: string[];
  choice: number;
  end: RunEnd;
  refusal: string | null;
  metrics: AnswerMetrics;
}

/** What an answer shows beneath it: timings, usage, cost, and what the API said about it. */
export interface AnswerMetrics {
  /** Time to the first text (or tool) token, from the start of the attempt that answered. */
  ttftMs: number | null;
  totalMs: number;
  /** Completion tokens over the time from the first token to the end; null without usage. */
  tokensPerSecond: number | null;
  usage: {
    prompt: number;
    completion: number;
    total: number;
    cached: number | null;
    reasoning: number | null;
  } | null;
  /** null = the price is unknown (or there is no usage). */
  costUsd: number | null;
  finishReasons: (string | null)[];
  systemFingerprint: string | null;
  requestId: string | null;
  /** The model that answered, as the API named it (often a dated snapshot). */
  model: string | null;
  attempts: number;
  streamed: boolean;
  chunkCount: number;
}

/** One message of the conversation as the user sees and edits it. */
export interface ChatMessage {
  id: string;
  role: Role;
  content: string;
  /** Set on assistant messages that came from a run. */
  answer?: AnswerInfo;
}

/**
 * The parameters the user changed, and only those: a parameter absent here is not sent, so the API's
 * own default applies. `max_tokens` is the playground's "Max tokens"; it is sent under the name the
 * model takes (`max_tokens` or `max_completion_tokens`).
 */
export interface ParamValues {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string[];
  seed?: number;
  n?: number;
  reasoning_effort?: string;
  response_format?: 'text' | 'json_object';
}

export type ParamName = keyof ParamValues;

/** Everything a chat request is built from. */
export interface ChatSetup {
  model: string;
  systemPrompt: string;
  messages: readonly ChatMessage[];
  params: ParamValues;
  stream: boolean;
}
