import { newId } from './ids';
import type { ChatMessage, ParamValues, ToolCall, ToolChoice } from './types';

/** The playground's setup as a request body describes it: the inverse of `buildChatRequest`. */
export interface RequestSetup {
  model: string;
  systemPrompt: string;
  messages: ChatMessage[];
  params: ParamValues;
  stream: boolean;
  /** One pretty-printed JSON text per tool, as the tools editor holds them. */
  tools: string[];
  choice: ToolChoice | undefined;
  parallel: boolean;
  /** The `json_schema` object as the schema editor holds it ('' when the request had none). */
  schemaText: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** A message's text: a string, or the text parts of a content array. */
function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

function toolCalls(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((call) => {
    if (!isObject(call) || !isObject(call.function)) return [];
    const fn = call.function;
    return [
      {
        id: typeof call.id === 'string' ? call.id : `call_${newId()}`,
        name: typeof fn.name === 'string' ? fn.name : '',
        arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
      },
    ];
  });
}

/** A conversation message of a request body, as the playground holds it (null for what it cannot show). */
function chatMessage(m: unknown): ChatMessage | null {
  if (!isObject(m)) return null;
  const id = newId();
  switch (m.role) {
    case 'system':
    case 'developer':
    case 'user':
      return { id, role: m.role, content: text(m.content) };
    case 'assistant': {
      const calls = toolCalls(m.tool_calls);
      return { id, role: 'assistant', content: text(m.content), ...(calls.length && { toolCalls: calls }) };
    }
    case 'tool':
      return {
        id,
        role: 'tool',
        content: text(m.content),
        toolCallId: typeof m.tool_call_id === 'string' ? m.tool_call_id : '',
      };
    default:
      return null;
  }
}

function params(body: Json): ParamValues {
  const out: ParamValues = {};
  for (const name of [
    'temperature',
    'top_p',
    'frequency_penalty',
    'presence_penalty',
    'seed',
    'n',
  ] as const) {
    const value = num(body[name]);
    if (value !== undefined) out[name] = value;
  }
  const max = num(body.max_completion_tokens) ?? num(body.max_tokens);
  if (max !== undefined) out.max_tokens = max;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) out.stop = stop;
  if (typeof body.reasoning_effort === 'string') out.reasoning_effort = body.reasoning_effort;
  const format = isObject(body.response_format) ? body.response_format.type : undefined;
  if (format === 'text' || format === 'json_object' || format === 'json_schema') out.response_format = format;
  return out;
}

function toolChoice(value: unknown): ToolChoice | undefined {
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (isObject(value) && isObject(value.function) && typeof value.function.name === 'string') {
    return { function: value.function.name };
  }
  return undefined;
}

/**
 * Turns a saved run's request body back into the playground's setup: conversation, parameters, tools,
 * tool choice and schema. A leading system message becomes the system prompt, as the builder sends it.
 */
export function setupFromRequest(body: Json): RequestSetup {
  const messages = (Array.isArray(body.messages) ? body.messages : [])
    .map(chatMessage)
    .filter((m): m is ChatMessage => m !== null);
  const first = messages[0];
  const systemPrompt = first?.role === 'system' ? first.content : '';
  const format = isObject(body.response_format) ? body.response_format : null;
  return {
    model: typeof body.model === 'string' ? body.model : '',
    systemPrompt,
    messages: systemPrompt ? messages.slice(1) : messages,
    params: params(body),
    stream: body.stream === true,
    tools: (Array.isArray(body.tools) ? body.tools : []).map((t) => JSON.stringify(t, null, 2)),
    choice: toolChoice(body.tool_choice),
    parallel: body.parallel_tool_calls !== false,
    schemaText:
      format?.type === 'json_schema' && isObject(format.json_schema)
        ? JSON.stringify(format.json_schema, null, 2)
        : '',
  };
}
