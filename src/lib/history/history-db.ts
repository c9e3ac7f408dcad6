import * as v from 'valibot';
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { DATABASE_NAME, OBJECT_STORE_NAME } from '../storage/backend';
import {
  HISTORY_PACK_SIZE,
  historyPackRecord,
  historyRecord,
  type HistoryEntry,
} from '../storage/history-records';
import { open, seal } from '../storage/records';

/** Raw stored values (envelopes, not yet validated) under their keys, in key order. */
export type RawRecords = [key: string, value: unknown][];

/**
 * What the history needs of IndexedDB beyond {@link StorageBackend}: reads of every record under a key
 * prefix in one request (the backend lists every key in the database, then issues one get per key), and
 * read-modify-write in one transaction, which keeps compaction safe when two tabs are open.
 *
 * TODO(history): belongs in `StorageBackend` / `RecordStore` (see the report on the history index);
 * until then this adapter opens the same database through idb-keyval.
 */
export interface HistoryDb {
  /** The single entries and the packs, read in one transaction. */
  read(): Promise<{ single: RawRecords; packs: RawRecords }>;
  /** The keys under a prefix, in key order. */
  keys(prefix: string): Promise<string[]>;
  /**
   * Moves single entries into packs and deletes them, in one transaction, once there are at least
   * `minimum`; resolves to how many moved. Unreadable records are left where they are.
   */
  compact(minimum: number): Promise<number>;
  /** Takes an entry out of whichever pack holds it, in one transaction; resolves to whether one did. */
  removeFromPacks(id: string): Promise<boolean>;
}

const SINGLE = `${historyRecord.kind}:`;
const PACK = `${historyPackRecord.kind}:`;

/** The range of every string key that starts with `prefix`: from it up to the next prefix, exclusive. */
export function prefixRange(prefix: string): IDBKeyRange {
  if (!prefix) throw new RangeError('An empty prefix would be every key');
  const next = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return IDBKeyRange.bound(prefix, next, false, true);
}

/** A {@link HistoryDb} over Sandpit's database (the one `indexedDbBackend` opens), opened on first use. */
export function indexedDbHistory(dbName = DATABASE_NAME, storeName = OBJECT_STORE_NAME): HistoryDb {
  let store: UseStore | null = null;
  const use = () => (store ??= createStore(dbName, storeName));
  return {
    read: () =>
      use()('readonly', (s) => {
        let read = { single: [] as RawRecords, packs: [] as RawRecords };
        readRanges(s, [SINGLE, PACK], ([single, packs]) => (read = { single: single!, packs: packs! }));
        return promisifyRequest(s.transaction).then(() => read);
      }),
    keys: (prefix) =>
      use()('readonly', async (s) => (await promisifyRequest(s.getAllKeys(prefixRange(prefix)))).map(String)),
    compact: (minimum) =>
      use()('readwrite', (s) => {
        let moved = 0;
        readRanges(s, [SINGLE, PACK], ([single, packs]) => {
          const plan = planCompaction(single!, packs!, minimum);
          for (const [key, entries] of plan.write) s.put(seal(historyPackRecord, { entries }), key);
          // Usually every single entry moved: one range delete instead of thousands of deletes.
          if (plan.remove.length === single!.length) s.delete(prefixRange(SINGLE));
          else for (const key of plan.remove) s.delete(key);
          moved = plan.moved;
        });
        return promisifyRequest(s.transaction).then(() => moved);
      }),
    removeFromPacks: (id) =>
      use()('readwrite', (s) => {
        let removed = false;
        readRanges(s, [PACK], ([packs]) => {
          const change = packWithout(openPacks(packs!), id);
          if (!change) return;
          s.put(seal(historyPackRecord, { entries: change.entries }), change.key);
          removed = true;
        });
        return promisifyRequest(s.transaction).then(() => removed);
      }),
  };
}

/**
 * Reads keys and values under each prefix in the store's transaction and hands them to `then` from the
 * last request's success event, where the transaction is still active: writes issued there belong to it.
 * (Awaiting a promise in between would not be safe everywhere.) Errors abort the transaction.
 */
function readRanges(s: IDBObjectStore, prefixes: string[], then: (ranges: RawRecords[]) => void): void {
  const requests = prefixes.map((prefix) => {
    const range = prefixRange(prefix);
    return [s.getAllKeys(range), s.getAll(range)] as const;
  });
  // Requests in a transaction complete in the order they were made.
  requests.at(-1)![1].onsuccess = () =>
    then(
      requests.map(([keys, values]) =>
        keys.result.map((key, i): [string, unknown] => [String(key), values.result[i]]),
      ),
    );
}

/** What a compaction writes: packs (new or changed) and the single entries it folded into them. */
export interface CompactionPlan {
  write: [key: string, entries: unknown[]][];
  remove: string[];
  moved: number;
}

/** A pack as read: its key and its entries (each still to be checked against the entry schema). */
export interface Pack {
  key: string;
  entries: unknown[];
}

/**
 * Folds the readable single entries into packs: an entry already in a pack replaces its copy there,
 * a new one goes into the last pack with room, or a new pack. Unreadable records are left alone.
 */
export function planCompaction(single: RawRecords, packs: RawRecords, minimum: number): CompactionPlan {
  const moving: [string, HistoryEntry][] = [];
  for (const [key, raw] of single) {
    const opened = open(historyRecord, raw);
    if (opened.ok) moving.push([key, opened.data]);
  }
  if (moving.length === 0 || moving.length < minimum) return { write: [], remove: [], moved: 0 };
  const readable = openPacks(packs);
  const where = new Map<string, { pack: Pack; index: number }>();
  for (const pack of readable) {
    pack.entries.forEach((e, index) => {
      const id = entryId(e);
      if (id !== undefined) where.set(id, { pack, index });
    });
  }
  const changed = new Set<Pack>();
  let room = readable.at(-1);
  let next = nextPackNumber(packs);
  for (const [, entry] of moving) {
    const found = where.get(entry.id);
    if (found) {
      found.pack.entries[found.index] = entry;
      changed.add(found.pack);
      continue;
    }
    if (!room || room.entries.length >= HISTORY_PACK_SIZE) {
      room = { key: `${PACK}${String(next++).padStart(6, '0')}`, entries: [] };
      readable.push(room);
    }
    where.set(entry.id, { pack: room, index: room.entries.length });
    room.entries.push(entry);
    changed.add(room);
  }
  return {
    write: [...changed].map((p): [string, unknown[]] => [p.key, p.entries]),
    remove: moving.map(([key]) => key),
    moved: moving.length,
  };
}

/** The pack holding `id`, without it; null when no pack holds it. */
export function packWithout(packs: readonly Pack[], id: string): Pack | null {
  for (const pack of packs) {
    const index = pack.entries.findIndex((e) => entryId(e) === id);
    if (index >= 0) return { key: pack.key, entries: pack.entries.filter((_, i) => i !== index) };
  }
  return null;
}

/** The packs that pass their schema (the others are left in place, unread). */
export function openPacks(packs: RawRecords): Pack[] {
  const out: Pack[] = [];
  for (const [key, raw] of packs) {
    const opened = open(historyPackRecord, raw);
    if (opened.ok) out.push({ key, entries: [...opened.data.entries] });
  }
  return out;
}

function nextPackNumber(packs: RawRecords): number {
  let max = 0;
  for (const [key] of packs) {
    const n = Number(key.slice(PACK.length));
    if (Number.isSafeInteger(n)) max = Math.max(max, n);
  }
  return max + 1;
}

const idSchema = v.object({ id: v.string() });

function entryId(entry: unknown): string | undefined {
  const parsed = v.safeParse(idSchema, entry);
  return parsed.success ? parsed.output.id : undefined;
}
