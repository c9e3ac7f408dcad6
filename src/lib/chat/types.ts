/** A message role the playground lets the user write. `developer` is the newer name for `system`. */
export type Role = 'system' | 'developer' | 'user' | 'assistant';

export const ROLES: readonly Role[] = ['system', 'developer', 'user', 'assistant'];

/** Every role a message may have: `tool` messages carry a tool call's result and are made by the tools flow. */
export type MessageRole = Role | 'tool';

/** A function call the model asked for; `arguments` is the JSON text the model wrote (maybe not valid). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

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
  /** With n > 1 and tool calls: each choice's calls (the message's `toolCalls` are the chosen one's). */
  choiceToolCalls?: ToolCall[][];
  /** The JSON format the answer was asked for: its text is then checked as JSON (and against the schema). */
  format?: AnswerFormat;
}

/** JSON mode, or a JSON schema (structured outputs) with the schema the answer must match. */
export type AnswerFormat =
  { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

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
  role: MessageRole;
  content: string;
  /** Set on assistant messages that came from a run. */
  answer?: AnswerInfo;
  /** On an assistant message: the calls it made (sent back as `tool_calls`). */
  toolCalls?: ToolCall[];
  /** On a `tool` message: the call it answers. */
  toolCallId?: string;
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
  response_format?: 'text' | 'json_object' | 'json_schema';
}

export type ParamName = keyof ParamValues;

/** A function tool in the API's `tools` format. */
export interface FunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
}

/** One tool of the editor as the request builder sees it: parsed, or why it cannot be. */
export type ToolEntry =
  { id: string; ok: true; tool: FunctionTool } | { id: string; ok: false; label: string; message: string };

/** `tool_choice`: the model decides, must not call, must call one, or must call this function. */
export type ToolChoice = 'auto' | 'none' | 'required' | { function: string };

/** The tools part of a request: the enabled tools, and how the model may use them. */
export interface ToolsSetup {
  tools: readonly ToolEntry[];
  /** Not sent when undefined (the API's default: `auto` with tools). */
  choice: ToolChoice | undefined;
  /** Not sent when true (the API's default). */
  parallel: boolean;
}

/** The `json_schema` response format, parsed from its editor, or why it cannot be. */
export type SchemaEntry =
  | {
      ok: true;
      format: {
        name: string;
        description?: string;
        schema: Record<string, unknown>;
        strict?: boolean | null;
      };
    }
  | { ok: false; message: string };

/** Everything a chat request is built from. */
export interface ChatSetup {
  model: string;
  systemPrompt: string;
  messages: readonly ChatMessage[];
  params: ParamValues;
  stream: boolean;
  /** Absent = no tools. */
  tools?: ToolsSetup;
  /** Used when `params.response_format` is `json_schema`; null while the editor's text is not parsed yet. */
  schema?: SchemaEntry | null;
}
