/**
 * What a share link carries, and how it is checked. A link holds the setup (model, prompts, the
 * conversation's text, parameters, tools, the embeddings lab's texts) and never the results (answers'
 * metrics, runs, vectors), the key, or anything that would make the recipient's page start a paid request
 * by itself (the tool loop's auto-run and its step limit).
 *
 * The storage schemas (`../storage/*-records.ts`) do not export their parts, so the shapes are declared
 * again here, narrower (only what is shared) and with limits on every string and list: a link is input
 * from anyone.
 */
import * as v from 'valibot';
import type { ChatMessage, MessageRole, ParamValues, ToolCall, ToolChoice } from '../chat/types';
import { newId } from '../chat/ids';
import { parsePasted } from '../embeddings/texts';
import type { ToolDraft } from '../storage';

/** A message as shared: its text and tool-call structure, without its id or the run that produced it. */
export interface SharedMessage {
  role: MessageRole;
  content: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

export interface SharedChat {
  model: string;
  systemPrompt: string;
  messages: SharedMessage[];
  params: ParamValues;
  stream: boolean;
}

export interface SharedTool {
  text: string;
  enabled: boolean;
  mock: { kind: 'none' | 'fixed' | 'function'; reply: string; code: string };
}

/** The tools panel as shared: never `autoRun` or `maxSteps` (a link must not start requests by itself). */
export interface SharedTools {
  tools: SharedTool[];
  choice?: ToolChoice;
  parallel: boolean;
  schemaText: string;
}

export interface SharedEmbeddings {
  /** The Texts box as typed: one text per line, `label<TAB>text` for a label. */
  texts: string;
  model: string;
  dimensions: number | null;
  query: string;
}

/** What a link carries. A part that is absent leaves that part of the playground as it is. */
export interface SharedSetup {
  v: 1;
  chat?: SharedChat;
  tools?: SharedTools;
  embeddings?: SharedEmbeddings;
}

/**
 * The defaults a link leaves out: the playground's own (`DEFAULT_DRAFT` in state/chat.svelte.ts,
 * `DEFAULT_TOOLS_DRAFT` in state/tools.svelte.ts, a new tool there, and state/embeddings.svelte.ts).
 * Repeated here because lib/ does not import state/; a unit test checks they still agree. Changing one
 * changes what old links mean, so a change here needs a new link version.
 */
export const SHARE_DEFAULTS = Object.freeze({
  chat: Object.freeze({ model: 'gpt-4o-mini', systemPrompt: '', stream: true }),
  tool: Object.freeze({ enabled: true, mock: Object.freeze({ kind: 'none', reply: '', code: '' }) }),
  tools: Object.freeze({ parallel: true, schemaText: '' }),
  embeddings: Object.freeze({ texts: '', model: 'text-embedding-3-small', dimensions: null, query: '' }),
} as const);

/** The largest setup a link or a setup file may hold, as UTF-8 JSON: far above any link, far below harm. */
export const MAX_SETUP_BYTES = 2 * 1024 * 1024;

/** Limits on what a setup holds (the byte limit above bounds the whole as well). */
export const SHARE_LIMITS = Object.freeze({
  /** Characters of one text: a prompt, a message, a tool's JSON, a mock, the Texts box. */
  text: 1_000_000,
  /** Characters of a model name, a tool call's id or name. */
  name: 256,
  messages: 2_000,
  /** Tool calls of one message (the API takes at most 128 tools). */
  toolCalls: 128,
  /** Tools in the panel, as the saved draft allows. */
  tools: 512,
  stopSequences: 64,
});

const text = v.pipe(v.string(), v.maxLength(SHARE_LIMITS.text));
const name = v.pipe(v.string(), v.maxLength(SHARE_LIMITS.name));
const finite = v.pipe(v.number(), v.finite());

// The parameters as the saved chat draft takes them (any finite number: the API is what judges ranges,
// and the playground lets a person try a value it refuses).
const paramsSchema = v.object({
  temperature: v.optional(finite),
  top_p: v.optional(finite),
  max_tokens: v.optional(finite),
  frequency_penalty: v.optional(finite),
  presence_penalty: v.optional(finite),
  stop: v.optional(v.pipe(v.array(text), v.maxLength(SHARE_LIMITS.stopSequences))),
  seed: v.optional(finite),
  n: v.optional(finite),
  reasoning_effort: v.optional(v.pipe(v.string(), v.maxLength(32))),
  response_format: v.optional(v.picklist(['text', 'json_object', 'json_schema'])),
});

const PARAM_NAMES = Object.keys(paramsSchema.entries) as (keyof typeof paramsSchema.entries)[];

const toolCallSchema = v.object({ id: name, name, arguments: text });

const messageSchema = v.object({
  role: v.picklist(['system', 'developer', 'user', 'assistant', 'tool']),
  content: v.optional(text, ''),
  toolCalls: v.optional(v.pipe(v.array(toolCallSchema), v.maxLength(SHARE_LIMITS.toolCalls))),
  toolCallId: v.optional(name),
});

const chatSchema = v.object({
  model: v.optional(name, SHARE_DEFAULTS.chat.model),
  systemPrompt: v.optional(text, SHARE_DEFAULTS.chat.systemPrompt),
  messages: v.optional(v.pipe(v.array(messageSchema), v.maxLength(SHARE_LIMITS.messages)), () => []),
  params: v.optional(paramsSchema, () => ({})),
  stream: v.optional(v.boolean(), SHARE_DEFAULTS.chat.stream),
});

const mockDefault = SHARE_DEFAULTS.tool.mock;
const toolSchema = v.object({
  text: v.optional(text, ''),
  enabled: v.optional(v.boolean(), SHARE_DEFAULTS.tool.enabled),
  mock: v.optional(
    v.object({
      kind: v.optional(v.picklist(['none', 'fixed', 'function']), mockDefault.kind),
      reply: v.optional(text, mockDefault.reply),
      code: v.optional(text, mockDefault.code),
    }),
    () => ({ ...mockDefault }),
  ),
});

const toolsSchema = v.object({
  tools: v.optional(v.pipe(v.array(toolSchema), v.maxLength(SHARE_LIMITS.tools)), () => []),
  choice: v.optional(v.union([v.picklist(['auto', 'none', 'required']), v.object({ function: name })])),
  parallel: v.optional(v.boolean(), SHARE_DEFAULTS.tools.parallel),
  schemaText: v.optional(text, SHARE_DEFAULTS.tools.schemaText),
});

const embeddingsSchema = v.object({
  texts: v.optional(text, SHARE_DEFAULTS.embeddings.texts),
  model: v.optional(name, SHARE_DEFAULTS.embeddings.model),
  dimensions: v.optional(
    v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_536))),
    SHARE_DEFAULTS.embeddings.dimensions,
  ),
  query: v.optional(text, SHARE_DEFAULTS.embeddings.query),
});

/**
 * A setup as a link or a file holds it (defaults left out) → the whole setup. `v.object` drops every key
 * it does not name, so a crafted `apiKey` or `autoRun` never reaches the playground.
 */
export const sharedSetupSchema: v.GenericSchema<unknown, SharedSetup> = v.object({
  v: v.literal(1),
  chat: v.optional(chatSchema),
  tools: v.optional(toolsSchema),
  embeddings: v.optional(embeddingsSchema),
});

export type SetupResult = { ok: true; setup: SharedSetup } | { ok: false; reason: string };

/**
 * Checks a parsed setup (from a link or a file). Never throws: a setup from a newer Sandpit, or one that
 * fails the schema, comes back with the reason.
 */
export function checkSetup(data: unknown): SetupResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('v' in data)) {
    return { ok: false, reason: 'It is not a Sandpit setup.' };
  }
  if (typeof data.v === 'number' && data.v > 1) return newer(data.v);
  const checked = v.safeParse(sharedSetupSchema, data);
  if (!checked.success) {
    const issue = checked.issues[0];
    const path = v.getDotPath(issue);
    return { ok: false, reason: `Its setup is not valid (${path ? `${path}: ` : ''}${issue.message}).` };
  }
  return { ok: true, setup: checked.output };
}

/** The reason given for a setup made by a later version of the format. */
export function newer(version: number | string): { ok: false; reason: string } {
  return {
    ok: false,
    reason: `It was made by a newer Sandpit (format v${version}). Reload the page to get the latest version, then open it again.`,
  };
}

/**
 * The setup with every value that equals its default left out, built field by field: whatever else an
 * object passed in carries (an answer's metrics, a message's id, a key) is not copied.
 */
export function compactSetup(setup: SharedSetup): Record<string, unknown> {
  const out: Record<string, unknown> = { v: 1 };
  if (setup.chat) out.chat = compactChat(setup.chat);
  if (setup.tools) out.tools = compactTools(setup.tools);
  if (setup.embeddings) out.embeddings = compactEmbeddings(setup.embeddings);
  return out;
}

function compactChat(chat: SharedChat): Record<string, unknown> {
  const d = SHARE_DEFAULTS.chat;
  const params = pickParams(chat.params);
  return {
    ...(chat.model !== d.model && { model: chat.model }),
    ...(chat.systemPrompt !== d.systemPrompt && { systemPrompt: chat.systemPrompt }),
    ...(chat.messages.length > 0 && { messages: chat.messages.map(compactMessage) }),
    ...(Object.keys(params).length > 0 && { params }),
    ...(chat.stream !== d.stream && { stream: chat.stream }),
  };
}

function compactMessage(m: SharedMessage): Record<string, unknown> {
  return {
    role: m.role,
    ...(m.content !== '' && { content: m.content }),
    ...(m.toolCalls && {
      toolCalls: m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
    }),
    ...(m.toolCallId !== undefined && { toolCallId: m.toolCallId }),
  };
}

/** The parameters the chat knows, those that are set: nothing else an object carries is copied. */
function pickParams(p: ParamValues): ParamValues {
  const out: Record<string, unknown> = {};
  for (const key of PARAM_NAMES) {
    const value = p[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? [...value] : value;
  }
  return out as ParamValues;
}

function compactTools(tools: SharedTools): Record<string, unknown> {
  const d = SHARE_DEFAULTS.tools;
  const mockDefault = SHARE_DEFAULTS.tool.mock;
  const list = tools.tools.map((t) => {
    const mock = {
      ...(t.mock.kind !== mockDefault.kind && { kind: t.mock.kind }),
      ...(t.mock.reply !== mockDefault.reply && { reply: t.mock.reply }),
      ...(t.mock.code !== mockDefault.code && { code: t.mock.code }),
    };
    return {
      ...(t.text !== '' && { text: t.text }),
      ...(t.enabled !== SHARE_DEFAULTS.tool.enabled && { enabled: t.enabled }),
      ...(Object.keys(mock).length > 0 && { mock }),
    };
  });
  const choice = tools.choice;
  return {
    ...(list.length > 0 && { tools: list }),
    ...(choice !== undefined && {
      choice: typeof choice === 'string' ? choice : { function: choice.function },
    }),
    ...(tools.parallel !== d.parallel && { parallel: tools.parallel }),
    ...(tools.schemaText !== d.schemaText && { schemaText: tools.schemaText }),
  };
}

function compactEmbeddings(e: SharedEmbeddings): Record<string, unknown> {
  const d = SHARE_DEFAULTS.embeddings;
  return {
    ...(e.texts !== d.texts && { texts: e.texts }),
    ...(e.model !== d.model && { model: e.model }),
    ...(e.dimensions !== d.dimensions && { dimensions: e.dimensions }),
    ...(e.query !== d.query && { query: e.query }),
  };
}

/** The chat part of a setup from the chat's state: the conversation's text, not its answers' details. */
export function shareChat(chat: {
  model: string;
  systemPrompt: string;
  messages: readonly ChatMessage[];
  params: ParamValues;
  stream: boolean;
}): SharedChat {
  return {
    model: chat.model,
    systemPrompt: chat.systemPrompt,
    messages: chat.messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.toolCalls && { toolCalls: m.toolCalls.map((c) => ({ ...c })) }),
      ...(m.toolCallId !== undefined && { toolCallId: m.toolCallId }),
    })),
    params: pickParams(chat.params),
    stream: chat.stream,
  };
}

/** The tools part of a setup from the tools' state (auto-run and its step limit are left behind). */
export function shareTools(tools: {
  tools: readonly ToolDraft[];
  choice: ToolChoice | undefined;
  parallel: boolean;
  schemaText: string;
}): SharedTools {
  return {
    tools: tools.tools.map((t) => ({ text: t.text, enabled: t.enabled, mock: { ...t.mock } })),
    ...(tools.choice !== undefined && { choice: tools.choice }),
    parallel: tools.parallel,
    schemaText: tools.schemaText,
  };
}

/** The embeddings part of a setup from the lab's state (its Texts box as typed). */
export function shareEmbeddings(lab: {
  text: string;
  model: string;
  dimensions: number | null;
  query: string;
}): SharedEmbeddings {
  return { texts: lab.text, model: lab.model, dimensions: lab.dimensions, query: lab.query };
}

/** A shared conversation as the chat holds it: every message gets a new id. */
export function messagesFrom(shared: readonly SharedMessage[]): ChatMessage[] {
  return shared.map((m) => ({ id: newId(), ...m }));
}

/** Shared tools as the tools panel holds them: every tool gets a new id. */
export function toolDraftsFrom(shared: readonly SharedTool[]): ToolDraft[] {
  return shared.map((t) => ({ id: newId(), text: t.text, enabled: t.enabled, mock: { ...t.mock } }));
}

/** What an opened setup filled, for the notice that says so: "the chat (gpt-4o, 3 messages) and 2 tools". */
export function describeSetup(setup: SharedSetup): string {
  const parts: string[] = [];
  if (setup.chat) {
    const n = setup.chat.messages.length;
    parts.push(`the chat (${setup.chat.model}, ${n} message${n === 1 ? '' : 's'})`);
  }
  if (setup.tools) {
    const n = setup.tools.tools.length;
    parts.push(n ? `${n} tool${n === 1 ? '' : 's'}` : 'the tools panel');
  }
  if (setup.embeddings) {
    const n = parsePasted(setup.embeddings.texts).items.length;
    parts.push(`the embeddings lab (${n} text${n === 1 ? '' : 's'})`);
  }
  if (parts.length === 0) return 'nothing';
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}
