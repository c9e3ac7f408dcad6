import type {
  ChatCompletionCreateParams,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { ModelInfo } from '../models/types';
import { availability, MAX_STOP_SEQUENCES, NUMBER_PARAMS, systemMessagesAllowed } from './params';
import type {
  ChatMessage,
  ChatSetup,
  FunctionTool,
  ParamName,
  ParamValues,
  SchemaEntry,
  ToolsSetup,
} from './types';

/** A reason the request cannot be sent as it stands, and the control to fix it in. */
export interface SetupProblem {
  /**
   * `model`, `systemPrompt`, `messages`, `message:<id>`, a parameter name, `tool:<id>`, `toolChoice`
   * or `responseFormat`.
   */
  field: string;
  message: string;
}

/** A parameter the user set that this model does not take: kept in the form, left out of the request. */
export interface LeftOut {
  param: ParamName;
  reason: string;
}

export type BuiltRequest =
  | { ok: true; body: ChatCompletionCreateParams; leftOut: LeftOut[] }
  | { ok: false; problems: SetupProblem[] };

/** The order parameters appear in a request body, so saved runs and exports read the same. */
const BODY_ORDER: readonly ParamName[] = [
  'temperature',
  'top_p',
  'max_tokens',
  'frequency_penalty',
  'presence_penalty',
  'stop',
  'seed',
  'n',
  'reasoning_effort',
  'response_format',
];

/**
 * The one function that turns the playground's state into a Chat Completions request body. The SDK call,
 * the saved run and the code export all use its output, so they cannot drift apart.
 *
 * Only parameters the user changed are sent; a parameter the model does not take is left out (and
 * listed in `leftOut`, so the UI can say so). The max-tokens value goes out as `max_completion_tokens` or
 * `max_tokens`, whichever the model takes. Streaming asks for usage in the last chunk.
 */
export function buildChatRequest(setup: ChatSetup, model: ModelInfo | null): BuiltRequest {
  const problems: SetupProblem[] = [];
  const modelId = setup.model.trim();
  if (!modelId) problems.push({ field: 'model', message: 'Choose a model.' });
  else if (model && (model.kind === 'embedding' || model.kind === 'other')) {
    problems.push({
      field: 'model',
      message: `${model.id} is not a chat model (${model.displayGroup}); choose one from the Chat or Reasoning group.`,
    });
  }

  const system = systemMessagesAllowed(model);
  const messages: ChatCompletionMessageParam[] = [];
  if (setup.systemPrompt.trim()) {
    if (!system.enabled) problems.push({ field: 'systemPrompt', message: system.reason ?? '' });
    messages.push({ role: 'system', content: setup.systemPrompt });
  }
  for (const m of setup.messages) {
    if ((m.role === 'system' || m.role === 'developer') && !system.enabled) {
      problems.push({ field: `message:${m.id}`, message: system.reason ?? '' });
    }
    messages.push(messageParam(m));
  }
  problems.push(...unansweredCalls(setup.messages));
  if (messages.length === 0) {
    problems.push({ field: 'messages', message: 'Write a message (or a system prompt) to send.' });
  }
  problems.push(...checkValues(setup.params, model));
  const tools = toolsPart(setup.tools, problems);
  const schema = setup.params.response_format === 'json_schema' ? schemaPart(setup.schema, problems) : null;
  if (problems.length) return { ok: false, problems };

  const body: Record<string, unknown> = { model: modelId, messages };
  const leftOut: LeftOut[] = [];
  for (const name of BODY_ORDER) {
    const value = setup.params[name];
    if (value === undefined) continue;
    const avail = availability(name, model, setup.params);
    if (!avail.enabled) {
      leftOut.push({ param: name, reason: avail.reason ?? `${modelId} does not take it.` });
      continue;
    }
    if (name === 'max_tokens') body[model?.maxTokensParam ?? 'max_tokens'] = value;
    else if (name === 'response_format') {
      body.response_format = schema ? { type: 'json_schema', json_schema: schema } : { type: value };
    } else if (name === 'stop') {
      const stops = (value as string[]).filter((s) => s !== '');
      if (stops.length) body.stop = stops;
    } else body[name] = value;
  }
  Object.assign(body, tools);
  if (setup.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return { ok: true, body: body as unknown as ChatCompletionCreateParams, leftOut };
}

/** One conversation message as the API takes it. */
export function messageParam(m: ChatMessage): ChatCompletionMessageParam {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
  if (m.role === 'assistant' && m.toolCalls?.length) {
    // No `content` key without text, as the recorded three-turn loop sends it (another recording sends
    // `content: null`; the API takes both alike).
    return {
      role: 'assistant',
      ...(m.content && { content: m.content }),
      tool_calls: m.toolCalls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: c.arguments },
      })),
    };
  }
  // A refusal goes back as the API sent it, so the model sees it refused (its content was empty).
  const refusal = m.role === 'assistant' && m.answer?.choice === 0 ? m.answer.refusal : null;
  return refusal
    ? { role: 'assistant', refusal, ...(m.content && { content: m.content }) }
    : ({ role: m.role, content: m.content } as ChatCompletionMessageParam);
}

/**
 * The API refuses a conversation in which a tool call has no `tool` message answering it before the
 * next turn: say which call, at the message that made it.
 */
function unansweredCalls(messages: readonly ChatMessage[]): SetupProblem[] {
  const problems: SetupProblem[] = [];
  const called = new Set<string>();
  messages.forEach((m, i) => {
    if (m.role === 'tool' && !called.has(m.toolCallId ?? '')) {
      problems.push({
        field: `message:${m.id}`,
        message:
          'This tool result answers no call before it: a tool message must follow the assistant message whose call it answers. Move it there or delete it.',
      });
    }
    if (m.role !== 'assistant' || !m.toolCalls?.length) return;
    for (const c of m.toolCalls) called.add(c.id);
    const answered = new Set<string>();
    for (const next of messages.slice(i + 1)) {
      if (next.role !== 'tool') break;
      if (next.toolCallId) answered.add(next.toolCallId);
    }
    const missing = m.toolCalls.filter((c) => !answered.has(c.id));
    if (missing.length) {
      problems.push({
        field: `message:${m.id}`,
        message: `Give the result of ${missing.map((c) => c.name).join(', ')} first: type it under the call (or run its mock), then Submit tool results.`,
      });
    }
  });
  return problems;
}

/** `tools`, `tool_choice` and `parallel_tool_calls`, or nothing when no tool is enabled. */
function toolsPart(setup: ToolsSetup | undefined, problems: SetupProblem[]): Record<string, unknown> {
  if (!setup || setup.tools.length === 0) return {};
  const tools: FunctionTool[] = [];
  const names = new Set<string>();
  for (const entry of setup.tools) {
    if (!entry.ok) {
      problems.push({ field: `tool:${entry.id}`, message: `${entry.label}: ${entry.message}` });
      continue;
    }
    const name = entry.tool.function.name;
    if (names.has(name)) {
      problems.push({
        field: `tool:${entry.id}`,
        message: `Two enabled tools are named ${name}: the model could not tell them apart. Rename one.`,
      });
    }
    names.add(name);
    tools.push(entry.tool);
  }
  const part: Record<string, unknown> = { tools };
  const choice = setup.choice;
  if (typeof choice === 'object') {
    if (!names.has(choice.function)) {
      problems.push({
        field: 'toolChoice',
        message: `Tool choice names ${choice.function}, which is not an enabled tool.`,
      });
    }
    part.tool_choice = { type: 'function', function: { name: choice.function } };
  } else if (choice !== undefined) part.tool_choice = choice;
  if (!setup.parallel) part.parallel_tool_calls = false;
  return part;
}

/** The `json_schema` object of `response_format`, or a problem pointing at its editor. */
function schemaPart(
  schema: SchemaEntry | null | undefined,
  problems: SetupProblem[],
): Extract<SchemaEntry, { ok: true }>['format'] | null {
  if (!schema) {
    problems.push({ field: 'responseFormat', message: 'The response format schema is still loading.' });
    return null;
  }
  if (!schema.ok) {
    problems.push({ field: 'responseFormat', message: `Response format schema: ${schema.message}` });
    return null;
  }
  return schema.format;
}

/** Range and shape checks the form cannot enforce by itself (typed numbers, too many stop sequences). */
export function checkValues(values: ParamValues, model: ModelInfo | null): SetupProblem[] {
  const problems: SetupProblem[] = [];
  for (const spec of NUMBER_PARAMS) {
    const value = values[spec.name];
    if (value === undefined) continue;
    const max = spec.name === 'max_tokens' ? null : spec.max;
    if (!Number.isFinite(value) || value < spec.min || (max !== null && value > max)) {
      problems.push({
        field: spec.name,
        message: `${spec.label} must be ${max === null ? `at least ${spec.min}` : `between ${spec.min} and ${max}`}.`,
      });
    } else if (spec.step === 1 && !Number.isInteger(value)) {
      problems.push({ field: spec.name, message: `${spec.label} must be a whole number.` });
    }
  }
  if (values.stop && values.stop.filter((s) => s !== '').length > MAX_STOP_SEQUENCES) {
    problems.push({ field: 'stop', message: `At most ${MAX_STOP_SEQUENCES} stop sequences.` });
  }
  if (
    values.reasoning_effort !== undefined &&
    model &&
    model.reasoningEfforts.length > 0 &&
    !model.reasoningEfforts.includes(values.reasoning_effort)
  ) {
    problems.push({
      field: 'reasoning_effort',
      message: `${model.id} takes reasoning effort ${model.reasoningEfforts.join(', ')}.`,
    });
  }
  return problems;
}
