import * as v from 'valibot';
import { defineRecord } from './records';

/** Limits on what the user writes about a run; the inputs use them as their `maxlength`. */
export const HISTORY_LIMITS = Object.freeze({
  title: 80,
  name: 200,
  tag: 64,
  tags: 32,
  note: 10_000,
});

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const nonNegative = v.pipe(v.number(), v.minValue(0));

const entrySchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  /** Which record holds the run: `run:<id>` (chat, tools, structured) or `embeddings-run:<id>`. */
  recordKind: v.picklist(['run', 'embeddings-run']),
  kind: v.picklist(['chat', 'tools', 'structured', 'embeddings']),
  model: v.string(),
  /** The start of the first user message (or the first text), whitespace collapsed. */
  title: v.pipe(v.string(), v.maxLength(HISTORY_LIMITS.title)),
  tokens: v.nullable(count),
  costUsd: v.nullable(nonNegative),
  createdAt: v.number(),
  durationMs: nonNegative,
  end: v.picklist(['done', 'stopped', 'interrupted', 'failed']),
  /** The user's own name for the run; null = show the title. */
  name: v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(HISTORY_LIMITS.name))),
  tags: v.pipe(
    v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(HISTORY_LIMITS.tag))),
    v.maxLength(HISTORY_LIMITS.tags),
  ),
  starred: v.boolean(),
  note: v.pipe(v.string(), v.maxLength(HISTORY_LIMITS.note)),
});

/** One saved run as the history lists it: what it was, what it cost, and what the user wrote about it. */
export type HistoryEntry = v.InferOutput<typeof entrySchema>;

/**
 * A run's history entry on its own, `history:<run id>`: where a new entry is written, and where a change
 * to an older one (a rename, a tag) goes. The newest copy of an entry wins over its copy in a pack.
 */
export const historyRecord = defineRecord({
  kind: 'history',
  version: 1,
  schema: entrySchema,
  userContent: true,
});

/** Most entries a pack holds. */
export const HISTORY_PACK_SIZE = 1000;

/**
 * Up to {@link HISTORY_PACK_SIZE} entries in one record, `history-pack:<n>`, made by compacting single
 * entries: listing 5,000 runs then reads a handful of records instead of 5,000 (each record read costs
 * IndexedDB a fixed ~12 µs in Chromium, whatever its size). The entries are checked one by one against
 * {@link historyRecord}'s schema when read, so one bad entry does not hide a thousand; a new version of
 * the entry schema must come with a migration here that upgrades each entry.
 */
export const historyPackRecord = defineRecord({
  kind: 'history-pack',
  version: 1,
  schema: v.object({ entries: v.pipe(v.array(v.unknown()), v.maxLength(HISTORY_PACK_SIZE)) }),
});
