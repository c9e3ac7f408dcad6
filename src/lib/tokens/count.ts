/**
 * Prompt-token counting, independent of any tokenizer: the caller passes the function that counts the
 * tokens of one string (the worker passes gpt-tokenizer's, tests may pass anything).
 */

/** One call an assistant message made, in the API's `tool_calls` format. */
export interface PromptToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One chat message as far as its prompt tokens go. */
export interface PromptMessage {
  /** 'system', 'developer', 'user', 'assistant', 'tool' (a tool call's result) or the legacy 'function'. */
  role: string;
  /** null, '' or absent on an assistant message that only calls tools. */
  content?: string | null;
  name?: string;
  /** On an assistant message: the calls it made. */
  tool_calls?: readonly PromptToolCall[];
  /** On a `tool` message: the id of the call it answers. */
  tool_call_id?: string;
}

/** A function tool in the API's `tools` format. `parameters` is a JSON Schema of an object. */
export interface PromptTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
}

/** The API's `tool_choice`. */
export type PromptToolChoice =
  'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/** The number of tokens of one string under some encoding. */
export type CountText = (text: string) => number;

/**
 * What Chat Completions adds around the messages (OpenAI cookbook, "How to count tokens with tiktoken", for
 * gpt-3.5-turbo-0613 and later, gpt-4, gpt-4o): each message is wrapped in 3 tokens, a `name` costs 1 more,
 * and the reply is primed with 3. The tool constants are not published by OpenAI: see each one.
 */
export const CHAT_OVERHEAD = {
  perMessage: 3,
  perName: 1,
  replyPrimer: 3,
  /** A legacy `function` result message is 2 tokens cheaper (hmarr/openai-chat-tokens, checked against the API). */
  functionRoleDiscount: 2,
  /** Added to the rendered tool definitions (hmarr/openai-chat-tokens, gpt-tokenizer's functionCalling). */
  toolDefinitions: 9,
  /** Taken off again when a system message exists: the definitions join it instead of making their own. */
  toolsInSystemMessage: 4,
  /** `tool_choice: 'none'` (the legacy `function_call: 'none'`, same sources). */
  toolChoiceNone: 1,
  /** A forced function, on top of the tokens of its name (same sources). */
  toolChoiceFunction: 4,
  /**
   * An assistant message that calls tools, on top of its rendered calls: fitted to the API's usage in the
   * recorded gpt-4o and gpt-4o-mini tool loops (../shared/fixtures/sse/pydantic-ai__*), where it makes the
   * single calls exact and a pair of parallel calls one token high.
   */
  toolCallMessage: 2,
} as const;

/** A prompt's tokens, and the part its tool definitions take. */
export interface PromptTokenCount {
  /** What `usage.prompt_tokens` should report. */
  total: number;
  /** The part of `total` the tool definitions add (with `tool_choice`); 0 without tools. */
  tools: number;
  /**
   * True when the prompt has tool definitions, tool calls, tool results or a `tool_choice` of 'required'.
   * OpenAI publishes no exact rule for those: definitions follow the rendering that reproduces the
   * cookbook's totals (105 on cl100k_base, 101 on o200k_base), calls and results a rendering fitted to
   * recorded API usage. Recorded gpt-4o requests with tools and no system message came out 1 token high.
   * Plain messages follow the cookbook's rule, which reproduces its published figures: false then.
   */
  approximate: boolean;
}

/** Tokens of `text`; 0 for the empty string without asking the encoder. */
export function countTextTokens(text: string, countText: CountText): number {
  return text === '' ? 0 : countText(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function literal(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A JSON Schema as a TypeScript type, the way the definitions are rendered for the model. */
function renderType(schema: unknown, indent: number): string {
  if (!isRecord(schema)) return 'any';
  // anyOf: hmarr/openai-chat-tokens, whose API-checked cases need it; gpt-tokenizer 4 renders `any`.
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0)
    return schema.anyOf.map((s) => renderType(s, indent)).join(' | ');
  // `type: ['string', 'null']` (strict mode's optional fields): rendered as the same union, by analogy.
  if (Array.isArray(schema.type) && schema.type.length > 0)
    return schema.type.map((type: unknown) => renderType({ ...schema, type }, indent)).join(' | ');
  const values = Array.isArray(schema.enum) ? schema.enum : null;
  switch (schema.type) {
    case 'string':
      return values ? values.map((v) => JSON.stringify(v)).join(' | ') : 'string';
    case 'integer':
    case 'number':
      return values ? values.map(literal).join(' | ') : 'number';
    case 'boolean':
    case 'null':
      return schema.type;
    case 'array':
      return schema.items === undefined ? 'any[]' : `${renderType(schema.items, indent)}[]`;
    case 'object':
      return `{\n${renderProperties(schema, indent + 2)}\n${' '.repeat(indent)}}`;
    default:
      return 'any';
  }
}

/** One line per property (`name?: type,`), each top-level one after its description. */
function renderProperties(schema: Record<string, unknown>, indent: number): string {
  if (!isRecord(schema.properties)) return '';
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const description = isRecord(property) ? property.description : undefined;
    if (typeof description === 'string' && description !== '' && indent < 2)
      lines.push(`${pad}// ${description}`);
    lines.push(`${pad}${name}${required.has(name) ? '' : '?'}: ${renderType(property, indent)},`);
  }
  return lines.join('\n');
}

/**
 * The function tools as the model is shown them: a TypeScript namespace (`namespace functions { … }`),
 * rendered as hmarr/openai-chat-tokens and gpt-tokenizer's `functionCalling` module do, plus `anyOf` unions
 * (from hmarr's later version) and `type` arrays. For schemas without those it is gpt-tokenizer's
 * `formatFunctionDefinitions` to the character; unlike it, it never throws on a malformed schema. `$ref`,
 * `oneOf` and other keywords render as `any`.
 */
export function renderToolDefinitions(tools: readonly PromptTool[]): string {
  const lines = ['namespace functions {', ''];
  for (const { function: fn } of tools) {
    if (fn.description) lines.push(`// ${fn.description}`);
    const parameters = isRecord(fn.parameters) ? fn.parameters : {};
    if (!isRecord(parameters.properties) || Object.keys(parameters.properties).length === 0) {
      lines.push(`type ${fn.name} = () => any;`);
    } else {
      lines.push(`type ${fn.name} = (_: {`);
      const properties = renderProperties(parameters, 0);
      if (properties !== '') lines.push(properties);
      lines.push('}) => any;');
    }
    lines.push('');
  }
  lines.push('} // namespace functions');
  return lines.join('\n');
}

/**
 * The calls of an assistant message as rendered after its role: one call as `to=functions.<name>` and its
 * arguments; several as one call of the `multi_tool_use.parallel` wrapper with every call in its JSON
 * arguments, which is why parallel calls cost more than the same calls made one by one.
 */
function toolCallTokens(calls: readonly PromptToolCall[], countText: CountText): number {
  const args = (call: PromptToolCall) => call.function.arguments.trim() || '{}';
  if (calls.length === 1) {
    const [call] = calls as [PromptToolCall];
    return countText(` to=functions.${call.function.name}`) + countText(args(call));
  }
  const uses = calls.map(
    (call) =>
      `{"recipient_name":${JSON.stringify(`functions.${call.function.name}`)},"parameters":${args(call)}}`,
  );
  return countText(' to=multi_tool_use.parallel') + countText(`{"tool_uses":[${uses.join(',')}]}`);
}

function toolChoiceTokens(choice: PromptToolChoice | undefined, countText: CountText): number {
  if (choice === 'none') return CHAT_OVERHEAD.toolChoiceNone;
  if (typeof choice === 'object')
    return countTextTokens(choice.function.name, countText) + CHAT_OVERHEAD.toolChoiceFunction;
  return 0;
}

/**
 * The `usage.prompt_tokens` the API will report for these messages, tools and tool choice.
 *
 * Messages, by the cookbook's rule: per message 3 + tokens(role) + tokens(content) [+ tokens(name) + 1],
 * plus 3 for the reply. It reproduces the cookbook's published API figures (129 on cl100k_base, 124 on
 * o200k_base).
 * gpt-tokenizer's `encodeChat` is not used: it renders a named message as the name in place of the role and
 * without the extra token (116 instead of 124 for the cookbook example), and it knows only the models in
 * its own list.
 *
 * Tools, by the rule of hmarr/openai-chat-tokens and gpt-tokenizer's `computeChatCompletionTokenCount`: the
 * definitions rendered by {@link renderToolDefinitions} + 9, less 4 when there is a system message, whose
 * content then gains a trailing newline; `tool_choice` 'none' +1, a named function its name + 4, 'auto' and
 * 'required' nothing. It reproduces the cookbook's tool totals (105 / 101).
 *
 * Tool calls and results, by a rendering fitted to recorded API usage (see {@link CHAT_OVERHEAD}): an
 * assistant message adds its calls + 2: one call as ` to=functions.<name>` and its arguments, several as one
 * call of `multi_tool_use.parallel` with all of them in its JSON arguments; a `tool` message is rendered
 * under the name of the function whose call it answers (`functions.<name>` in place of its role). Call ids
 * are not counted: the recorded usage leaves no room for them.
 */
export function countChatPrompt(
  messages: readonly PromptMessage[],
  countText: CountText,
  tools: readonly PromptTool[] = [],
  toolChoice?: PromptToolChoice,
): PromptTokenCount {
  const count = (text: string) => countTextTokens(text, countText);
  const hasTools = tools.length > 0;
  const callNames = new Map<string, string>();
  let total = CHAT_OVERHEAD.replyPrimer;
  let toolPart = 0;
  let approximate = hasTools || toolChoice === 'required';
  let systemSeen = false;

  for (const { role, content, name, tool_calls: calls, tool_call_id: callId } of messages) {
    const text = content ?? '';
    const textTokens = count(text);
    if (role === 'system' && !systemSeen) {
      systemSeen = true;
      // The definitions join the first system message after a newline: its tokens are the tools' part.
      if (hasTools && text !== '' && !text.endsWith('\n')) toolPart += count(`${text}\n`) - textTokens;
    }
    const answers = role === 'tool' && callId !== undefined ? callNames.get(callId) : undefined;
    total += CHAT_OVERHEAD.perMessage + textTokens;
    total += answers === undefined ? count(role) : count(`functions.${answers}`);
    if (name !== undefined && name !== '') total += count(name) + CHAT_OVERHEAD.perName;
    if (role === 'function') total -= CHAT_OVERHEAD.functionRoleDiscount;
    if (calls !== undefined && calls.length > 0) {
      total += toolCallTokens(calls, countText) + CHAT_OVERHEAD.toolCallMessage;
      for (const call of calls) callNames.set(call.id, call.function.name);
    }
    if (role === 'tool' || (calls !== undefined && calls.length > 0)) approximate = true;
  }

  if (hasTools) {
    toolPart += count(renderToolDefinitions(tools)) + CHAT_OVERHEAD.toolDefinitions;
    if (systemSeen) toolPart -= CHAT_OVERHEAD.toolsInSystemMessage;
  }
  toolPart += toolChoiceTokens(toolChoice, countText);
  return { total: total + toolPart, tools: toolPart, approximate };
}

/** {@link countChatPrompt}'s total alone. */
export function countChatPromptTokens(
  messages: readonly PromptMessage[],
  countText: CountText,
  tools: readonly PromptTool[] = [],
  toolChoice?: PromptToolChoice,
): number {
  return countChatPrompt(messages, countText, tools, toolChoice).total;
}
