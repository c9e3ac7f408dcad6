import * as v from 'valibot';
import { runRecord, type ChatRunRecord } from '../storage/chat-records';
import { embeddingsRunRecord, type EmbeddingsRunRecord } from '../storage/embedding-records';
import { historyPackRecord, historyRecord, type HistoryEntry } from '../storage/history-records';
import { open, type RecordType } from '../storage/records';
import type { RecordStore, StorageProblem, WriteOutcome } from '../storage/store';
import { applyPatch, entryFor, type HistoryPatch, type RunData, type SavedRun } from './entry';
import { indexedDbHistory, openPacks, packWithout, type HistoryDb, type Pack } from './history-db';

/** The record type that holds each kind of run. */
export const RUN_RECORDS: {
  readonly run: RecordType<ChatRunRecord>;
  readonly 'embeddings-run': RecordType<EmbeddingsRunRecord>;
} = { run: runRecord, 'embeddings-run': embeddingsRunRecord };

export interface HistoryStoreOptions {
  /**
   * Reads by key range and writes in one transaction. By default Sandpit's IndexedDB database when the
   * record store uses it; `null` goes through the record store alone (no packs are made then).
   */
  db?: HistoryDb | null;
  /** How many single entries make {@link HistoryStore.list} fold them into packs, in the background. */
  compactAt?: number;
  /** Told about an unreadable entry inside a pack (the record store reports whole records itself). */
  onProblem?: (problem: StorageProblem) => void;
}

/** What {@link HistoryStore.remove} did, and how to take it back. */
export interface Removal {
  /** False when the browser's storage refused a delete (the store has reported it); the run may remain. */
  removed: boolean;
  /** Puts the entry and the run back as they were; the outcome of writing them. */
  undo(): Promise<WriteOutcome>;
}

// Bodies read at a time when building missing entries: bounds memory with thousands of runs.
const BACKFILL_BATCH = 200;
const COMPACT_AT = 100;

/**
 * The history of saved runs: a compact index beside the run records, so that listing 5,000 runs reads
 * no run body and only a handful of records.
 *
 * A new or changed entry is written on its own (`history:<id>`: one small write, one key per run, so
 * two tabs never overwrite each other's entries). Listing folds single entries into packs of up to
 * 1,000 (`history-pack:<n>`) once there are enough of them, in one IndexedDB transaction, so the next
 * list reads a few packs instead of thousands of records. A single entry wins over its copy in a pack.
 */
export class HistoryStore {
  #store: RecordStore;
  #db: HistoryDb | null;
  #compactAt: number;
  #onProblem: (problem: StorageProblem) => void;
  /** Entries storage did not take (full disk): the record store keeps them in memory, and so do we. */
  #unsaved = new Map<string, HistoryEntry>();
  #compacting: Promise<number> | null = null;
  #reported = new Set<string>();

  constructor(store: RecordStore, options: HistoryStoreOptions = {}) {
    this.#store = store;
    this.#db = options.db !== undefined ? options.db : store.mode === 'indexeddb' ? indexedDbHistory() : null;
    this.#compactAt = options.compactAt ?? COMPACT_AT;
    this.#onProblem = options.onProblem ?? (() => {});
  }

  /** Every entry, newest first. Reads only the index; unreadable entries are skipped and reported. */
  async list(): Promise<HistoryEntry[]> {
    const { entries, single } = await this.#readIndex();
    for (const [id, entry] of this.#unsaved) entries.set(id, entry);
    if (single >= this.#compactAt) void this.compact(this.#compactAt);
    return [...entries.values()].sort(newestFirst);
  }

  /**
   * Folds single entries into packs (at least `minimum` of them, else nothing changes); resolves to how
   * many moved. Never throws: when it cannot, the entries simply stay single.
   */
  compact(minimum = 1): Promise<number> {
    const db = this.#db;
    if (!db) return Promise.resolve(0);
    this.#compacting ??= db
      .compact(minimum)
      .catch((err: unknown) => {
        // Packing only makes listing faster: when storage refuses (a full disk), the entries stay single
        // and nothing is lost, so the person is not told; a developer is.
        console.warn('Sandpit: the history could not be packed', err);
        return 0;
      })
      .finally(() => (this.#compacting = null));
    return this.#compacting;
  }

  /** Adds (or replaces) a run's entry. */
  async add(entry: HistoryEntry): Promise<WriteOutcome> {
    const outcome = await this.#store.put(historyRecord, entry, entry.id);
    if (outcome === 'kept-in-memory') this.#unsaved.set(entry.id, entry);
    else if (outcome === 'saved') this.#unsaved.delete(entry.id);
    return outcome;
  }

  /** Saves a run and its entry (a fresh one: no name, tags or note). */
  async save(run: RunData): Promise<WriteOutcome> {
    const outcomes = await Promise.all([this.#putRun(run), this.add(entryFor(run.recordKind, run.data))]);
    return worst(outcomes);
  }

  /** Saves runs and their entries as given (an import), a transaction per kind of record. */
  async saveAll(runs: readonly SavedRun[]): Promise<WriteOutcome> {
    if (!runs.length) return 'saved';
    const chats: [string, ChatRunRecord][] = [];
    const embeddings: [string, EmbeddingsRunRecord][] = [];
    for (const run of runs) {
      if (run.recordKind === 'run') chats.push([run.data.id, run.data]);
      else embeddings.push([run.data.id, run.data]);
    }
    const entries = runs.map((run): [string, HistoryEntry] => [run.entry.id, run.entry]);
    const outcomes = await Promise.all([
      chats.length ? this.#store.putMany(runRecord, chats) : ('saved' as const),
      embeddings.length ? this.#store.putMany(embeddingsRunRecord, embeddings) : ('saved' as const),
      this.#store.putMany(historyRecord, entries),
    ]);
    for (const [id, entry] of entries) {
      if (outcomes[2] === 'kept-in-memory') this.#unsaved.set(id, entry);
      else if (outcomes[2] === 'saved') this.#unsaved.delete(id);
    }
    return worst(outcomes);
  }

  /**
   * Changes what the user wrote about a run (name, tags, star, note); tidied as {@link applyPatch} says.
   * Resolves to the entry as saved, or undefined when there is no such entry.
   */
  async update(id: string, patch: HistoryPatch): Promise<HistoryEntry | undefined> {
    const current = await this.#entry(id);
    if (!current) return undefined;
    const next = applyPatch(current, patch);
    const outcome = await this.add(next);
    return outcome === 'rejected' ? current : next;
  }

  /** The run behind an entry, or undefined when it is gone or unreadable (then reported). */
  async get(id: string): Promise<RunData | undefined> {
    const [chat, embeddings] = await Promise.all([
      this.#store.get(runRecord, id),
      this.#store.get(embeddingsRunRecord, id),
    ]);
    if (chat) return { recordKind: 'run', data: chat };
    if (embeddings) return { recordKind: 'embeddings-run', data: embeddings };
    return undefined;
  }

  /** Runs with their entries, in the order of `ids`, for an export; ids without both are left out. */
  async load(ids: readonly string[]): Promise<SavedRun[]> {
    const byId = new Map((await this.list()).map((e) => [e.id, e]));
    const found = ids.map((id) => byId.get(id)).filter((e) => e !== undefined);
    const chatIds = found.filter((e) => e.recordKind === 'run').map((e) => e.id);
    const embeddingIds = found.filter((e) => e.recordKind === 'embeddings-run').map((e) => e.id);
    const [chats, embeddings] = await Promise.all([
      this.#store.getMany(runRecord, chatIds),
      this.#store.getMany(embeddingsRunRecord, embeddingIds),
    ]);
    const chatById = new Map(chatIds.map((id, i) => [id, chats[i]]));
    const embeddingsById = new Map(embeddingIds.map((id, i) => [id, embeddings[i]]));
    const out: SavedRun[] = [];
    for (const entry of found) {
      if (entry.recordKind === 'run') {
        const data = chatById.get(entry.id);
        if (data) out.push({ recordKind: 'run', data, entry });
      } else {
        const data = embeddingsById.get(entry.id);
        if (data) out.push({ recordKind: 'embeddings-run', data, entry });
      }
    }
    return out;
  }

  /**
   * Removes a run: its entry (single or packed) and its record. The returned `undo` puts both back as
   * they were read (a run whose record could not be read loses only its entry, and `undo` restores that).
   */
  async remove(id: string): Promise<Removal> {
    const [entry, run] = await Promise.all([this.#entry(id), this.get(id)]);
    this.#unsaved.delete(id);
    const deletes = [this.#store.delete(historyRecord, id), this.#removeFromPacks(id)];
    const kind = run?.recordKind ?? entry?.recordKind;
    if (kind) deletes.push(this.#store.delete(RUN_RECORDS[kind], id));
    const removed = (await Promise.all(deletes)).every(Boolean);
    return {
      removed,
      undo: async () => {
        const outcomes = await Promise.all([
          run ? this.#putRun(run) : ('saved' as const),
          entry ? this.add(entry) : ('saved' as const),
        ]);
        return worst(outcomes);
      },
    };
  }

  /**
   * Adds the entries missing for runs saved before the history existed (or whose entry was lost). Reads
   * only the keys, then the bodies of the runs that lack an entry. Resolves to how many were added.
   */
  async backfill(): Promise<number> {
    const indexed = new Set((await this.list()).map((e) => e.id));
    const chats = await this.#backfill(runRecord, indexed, (data) => entryFor('run', data));
    const embeddings = await this.#backfill(embeddingsRunRecord, indexed, (data) =>
      entryFor('embeddings-run', data),
    );
    return chats + embeddings;
  }

  async #backfill<T>(
    type: RecordType<T>,
    indexed: ReadonlySet<string>,
    toEntry: (data: T) => HistoryEntry,
  ): Promise<number> {
    const ids = (await this.#runIds(type)).filter((id) => !indexed.has(id));
    let added = 0;
    for (let start = 0; start < ids.length; start += BACKFILL_BATCH) {
      const batch = ids.slice(start, start + BACKFILL_BATCH);
      const bodies = await this.#store.getMany(type, batch);
      const entries: [string, HistoryEntry][] = [];
      bodies.forEach((data, i) => {
        if (data) entries.push([batch[i]!, toEntry(data)]);
      });
      if (entries.length && (await this.#store.putMany(historyRecord, entries)) !== 'rejected')
        added += entries.length;
    }
    return added;
  }

  /** Single entries over packed ones, by id; and how many single entries there were. */
  async #readIndex(): Promise<{ entries: Map<string, HistoryEntry>; single: number }> {
    const { single, packs } = await this.#readRecords();
    const entries = new Map<string, HistoryEntry>();
    for (const pack of packs) {
      for (const raw of pack.entries) {
        const checked = v.safeParse(historyRecord.schema, raw);
        if (checked.success) entries.set(checked.output.id, checked.output);
        else this.#reportPacked(pack.key, checked.issues[0]?.message ?? 'invalid');
      }
    }
    for (const entry of single) entries.set(entry.id, entry);
    return { entries, single: single.length };
  }

  /** The readable single entries and packs: in one transaction when possible, else through the store. */
  async #readRecords(): Promise<{ single: HistoryEntry[]; packs: Pack[] }> {
    if (this.#db) {
      // When this fails, reading through the record store below reports what is wrong with storage.
      const raw = await this.#db.read().catch(() => null);
      if (raw) {
        const single: HistoryEntry[] = [];
        const unreadable: string[] = [];
        for (const [key, value] of raw.single) {
          const opened = open(historyRecord, value);
          if (opened.ok) single.push(opened.data);
          else unreadable.push(key.slice(historyRecord.kind.length + 1));
        }
        const packs = openPacks(raw.packs);
        // Read the unreadable ones again through the store, which reports each record once.
        if (unreadable.length) await this.#store.getMany(historyRecord, unreadable);
        if (packs.length < raw.packs.length) {
          const readable = new Set(packs.map((p) => p.key));
          const bad = raw.packs.filter(([key]) => !readable.has(key));
          await this.#store.getMany(
            historyPackRecord,
            bad.map(([key]) => key.slice(historyPackRecord.kind.length + 1)),
          );
        }
        return { single, packs };
      }
    }
    const [single, packs] = await Promise.all([
      this.#store.list(historyRecord),
      this.#store.list(historyPackRecord),
    ]);
    return {
      single: single.map(({ data }) => data),
      packs: packs.map(({ id, data }) => ({
        key: `${historyPackRecord.kind}:${id}`,
        entries: [...data.entries],
      })),
    };
  }

  /** One entry, wherever it is: this tab's unsaved copy, its single record, or a pack. */
  async #entry(id: string): Promise<HistoryEntry | undefined> {
    const single = this.#unsaved.get(id) ?? (await this.#store.get(historyRecord, id));
    if (single) return single;
    return (await this.#readIndex()).entries.get(id);
  }

  async #removeFromPacks(id: string): Promise<boolean> {
    if (this.#db) {
      try {
        await this.#db.removeFromPacks(id);
        return true;
      } catch {
        // Fall through: rewriting the pack through the record store reports why storage refused.
      }
    }
    const prefix = `${historyPackRecord.kind}:`;
    const packs = (await this.#store.list(historyPackRecord)).map(({ id: packId, data }) => ({
      key: `${prefix}${packId}`,
      entries: [...data.entries],
    }));
    const change = packWithout(packs, id);
    if (!change) return true;
    const outcome = await this.#store.put(
      historyPackRecord,
      { entries: change.entries },
      change.key.slice(prefix.length),
    );
    return outcome === 'saved';
  }

  async #runIds(type: RecordType<unknown>): Promise<string[]> {
    const prefix = `${type.kind}:`;
    if (this.#db) {
      try {
        return (await this.#db.keys(prefix)).map((key) => key.slice(prefix.length));
      } catch {
        // Fall through: listing through the store reports the failure.
      }
    }
    return (await this.#store.list(type)).map(({ id }) => id);
  }

  #putRun(run: RunData): Promise<WriteOutcome> {
    return run.recordKind === 'run'
      ? this.#store.put(runRecord, run.data, run.data.id)
      : this.#store.put(embeddingsRunRecord, run.data, run.data.id);
  }

  #reportPacked(key: string, reason: string): void {
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#onProblem({
      kind: 'corrupt',
      key,
      detail: reason,
      message:
        `Some saved history entries could not be read and were skipped (${reason}). The runs themselves ` +
        'are untouched.',
    });
  }
}

function newestFirst(a: HistoryEntry, b: HistoryEntry): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const RANK: Record<WriteOutcome, number> = { saved: 0, 'kept-in-memory': 1, rejected: 2 };

function worst(outcomes: WriteOutcome[]): WriteOutcome {
  return outcomes.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'saved');
}
