import type { ChatRunRecord } from '../storage/chat-records';
import type { EmbeddingsRunRecord } from '../storage/embedding-records';
import { HISTORY_LIMITS, type HistoryEntry } from '../storage/history-records';

export type { HistoryEntry } from '../storage/history-records';

/** A saved run's body together with the kind of record that holds it. */
export type RunData =
  { recordKind: 'run'; data: ChatRunRecord } | { recordKind: 'embeddings-run'; data: EmbeddingsRunRecord };

/** A run and its history entry: what an export holds and an import gives back. */
export type SavedRun = RunData & { entry: HistoryEntry };

/** What the user may change about a run in the history. */
export interface HistoryPatch {
  name?: string | null;
  tags?: readonly string[];
  starred?: boolean;
  note?: string;
}

/** The fields of an entry that the user wrote, as opposed to those read off the run. */
export type UserFields = Pick<HistoryEntry, 'name' | 'tags' | 'starred' | 'note'>;

const NO_USER_FIELDS: UserFields = { name: null, tags: [], starred: false, note: '' };

/**
 * The history entry of a saved run, read off its record. A chat run whose request has `tools` is a
 * `tools` run, one that asks for a `json_schema` response format a `structured` run.
 */
export function entryFor(recordKind: 'run', data: ChatRunRecord, user?: UserFields): HistoryEntry;
export function entryFor(
  recordKind: 'embeddings-run',
  data: EmbeddingsRunRecord,
  user?: UserFields,
): HistoryEntry;
export function entryFor(
  recordKind: RunData['recordKind'],
  data: RunData['data'],
  user?: UserFields,
): HistoryEntry;
export function entryFor(
  recordKind: RunData['recordKind'],
  data: RunData['data'],
  user: UserFields = NO_USER_FIELDS,
): HistoryEntry {
  const own = { name: user.name, tags: [...user.tags], starred: user.starred, note: user.note };
  if (recordKind === 'embeddings-run') {
    const run = data as EmbeddingsRunRecord;
    return {
      id: run.id,
      recordKind,
      kind: 'embeddings',
      model: run.model,
      title: titleOf(run.items.find((item) => item.text.trim())?.text ?? ''),
      tokens: run.tokens,
      costUsd: run.costUsd,
      createdAt: run.createdAt,
      durationMs: run.totalMs,
      end: run.end,
      ...own,
    };
  }
  const run = data as ChatRunRecord;
  return {
    id: run.id,
    recordKind,
    kind: chatKind(run.request),
    model: run.model,
    title: titleOf(lastUserText(run.request.messages)),
    tokens: run.metrics.usage?.total ?? null,
    costUsd: run.metrics.costUsd,
    createdAt: run.createdAt,
    durationMs: run.metrics.totalMs,
    end: run.end,
    ...own,
  };
}

/** `tools` when the request offered tools, `structured` when it asked for a JSON schema, else `chat`. */
export function chatKind(request: Record<string, unknown>): 'chat' | 'tools' | 'structured' {
  if (Array.isArray(request.tools) && request.tools.length > 0) return 'tools';
  const format = request.response_format;
  if (isObject(format) && format.type === 'json_schema') return 'structured';
  return 'chat';
}

/**
 * The newest user message's text, else the newest text of any message (a run that only had a system
 * prompt). Messages are read defensively: the saved request is the body as sent, typed `unknown`.
 */
function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  // The newest user message names the run: in a long conversation it is what this run asked.
  let fallback = '';
  for (const message of [...messages].reverse()) {
    if (!isObject(message)) continue;
    const text = contentText(message.content);
    if (!text.trim()) continue;
    if (message.role === 'user') return text;
    fallback ||= text;
  }
  return fallback;
}

/** A message's content as text: the string itself, or its text parts joined. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part) => isObject(part) && part.type === 'text' && typeof part.text === 'string')
    .map((part) => (part as { text: string }).text)
    .join(' ');
}

/**
 * The first words of a text, whitespace collapsed, at most {@link HISTORY_LIMITS.title} characters
 * (UTF-16 units, as the schema counts them): cut at a word boundary when one is near, with an ellipsis.
 */
export function titleOf(text: string): string {
  const max = HISTORY_LIMITS.title;
  // Only the start matters; a prompt may be a megabyte long.
  const collapsed = collapse(text.trimStart().slice(0, max * 4));
  if (collapsed.length <= max) return collapsed;
  const cut = clip(collapsed, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space >= max - 20 ? cut.slice(0, space) : cut}…`;
}

/**
 * An entry with the user's changes applied, tidied so they always fit the record: the name trimmed (an
 * empty name clears it), tags trimmed, without empty ones or repeats (ignoring case), all cut to the limits.
 */
export function applyPatch(entry: HistoryEntry, patch: HistoryPatch): HistoryEntry {
  const next = { ...entry, tags: [...entry.tags] };
  if (patch.name !== undefined) {
    const name = clip(collapse(patch.name ?? ''), HISTORY_LIMITS.name);
    next.name = name || null;
  }
  if (patch.tags !== undefined) next.tags = tidyTags(patch.tags);
  if (patch.starred !== undefined) next.starred = patch.starred;
  if (patch.note !== undefined) next.note = clip(patch.note, HISTORY_LIMITS.note);
  return next;
}

/** Tags as stored: trimmed, no empty ones, no repeats ignoring case (the first spelling wins). */
export function tidyTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of tags) {
    const tag = clip(collapse(raw), HISTORY_LIMITS.tag);
    const folded = tag.toLowerCase();
    if (!tag || seen.has(folded)) continue;
    seen.add(folded);
    out.push(tag);
    if (out.length === HISTORY_LIMITS.tags) break;
  }
  return out;
}

/** The fields the user wrote, taken from an entry. */
export function userFields(entry: HistoryEntry): UserFields {
  return { name: entry.name, tags: entry.tags, starred: entry.starred, note: entry.note };
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair (the schemas count units). */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
