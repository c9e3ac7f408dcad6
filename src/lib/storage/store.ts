import * as v from 'valibot';
import { indexedDbBackend, memoryBackend, type StorageBackend } from './backend';
import { defineRecord, open, recordKey, seal, type RecordType } from './records';

/** Something that went wrong with storage, phrased for the person using the app. */
export type StorageProblem =
  | { kind: 'unavailable'; message: string; detail: string }
  | { kind: 'quota'; message: string; detail: string }
  | { kind: 'write-failed'; message: string; detail: string }
  | { kind: 'corrupt'; message: string; detail: string; key: string };

/** Where a write ended up; see {@link RecordStore.put}. */
export type WriteOutcome = 'saved' | 'kept-in-memory' | 'rejected';

export interface RecordStoreOptions {
  /** The real storage; IndexedDB by default. Called once, inside a try, because opening can throw. */
  backend?: () => StorageBackend;
  /** How long to wait for IndexedDB before giving up on it (a blocked upgrade never answers). */
  openTimeoutMs?: number;
  /** Asks the browser not to evict our data; `navigator.storage.persist` by default. */
  persist?: () => Promise<boolean>;
  onProblem?: (problem: StorageProblem) => void;
}

const persistenceMeta = defineRecord({
  kind: 'meta',
  version: 1,
  schema: v.object({ persistRequestedAt: v.number(), persisted: v.boolean() }),
});

/**
 * Typed, validated records over IndexedDB, with an in-memory fallback.
 *
 * - Every read is validated (and migrated); a record that fails is skipped and reported, never deleted.
 * - When IndexedDB cannot be opened, everything lives in memory for this tab and that is reported.
 * - When a write fails (storage full), the record is kept in memory so this tab still sees it, and
 *   that is reported; nothing already stored is touched.
 */
export class RecordStore {
  #primary: StorageBackend | null;
  /** Records IndexedDB would not take; they shadow what is stored until a later write succeeds. */
  #pending = memoryBackend();
  #options: RecordStoreOptions;
  #reportedCorrupt = new Set<string>();
  #persistAsked = false;

  private constructor(primary: StorageBackend | null, options: RecordStoreOptions) {
    this.#primary = primary;
    this.#options = options;
  }

  /** Opens the store; resolves even when IndexedDB is unavailable (the store then lives in memory). */
  static async open(options: RecordStoreOptions = {}): Promise<RecordStore> {
    const report = options.onProblem ?? (() => {});
    let primary: StorageBackend | null;
    try {
      primary = (options.backend ?? indexedDbBackend)();
      await withTimeout(primary.keys(), options.openTimeoutMs ?? 3000, 'IndexedDB did not answer in time');
    } catch (err) {
      primary = null;
      const detail = describeError(err);
      report({
        kind: 'unavailable',
        detail,
        message:
          `This browser is not letting Sandpit save anything (${detail}). Everything keeps working, but ` +
          'settings and runs last only until this tab is closed. Private windows and blocked site data ' +
          'are the usual causes.',
      });
    }
    return new RecordStore(primary, options);
  }

  /** Where records go: `indexeddb`, or `memory` when IndexedDB could not be opened. */
  get mode(): 'indexeddb' | 'memory' {
    return this.#primary?.kind ?? 'memory';
  }

  /** Reads one record; `undefined` when absent or unreadable (unreadable ones are reported). */
  async get<T>(type: RecordType<T>, id = 'default'): Promise<T | undefined> {
    const key = recordKey(type, id);
    let stored = await this.#pending.get(key);
    if (stored === undefined && this.#primary) {
      try {
        stored = await this.#primary.get(key);
      } catch (err) {
        this.#reportWriteFailure('read', err);
        return undefined;
      }
    }
    if (stored === undefined) return undefined;
    const result = open(type, stored);
    if (result.ok) return result.data;
    this.#reportCorrupt(key, type.kind, result.reason);
    return undefined;
  }

  /**
   * Reads several records of one type in one transaction, in the order of `ids`; `undefined` for each
   * that is absent or unreadable (unreadable ones are reported).
   */
  async getMany<T>(type: RecordType<T>, ids: readonly string[]): Promise<(T | undefined)[]> {
    const keys = ids.map((id) => recordKey(type, id));
    const pending = await this.#pending.getMany(keys);
    let stored: unknown[] = pending;
    const missing = keys.filter((_, i) => pending[i] === undefined);
    if (missing.length && this.#primary) {
      try {
        const found = await this.#primary.getMany(missing);
        const byKey = new Map(missing.map((k, i) => [k, found[i]]));
        stored = keys.map((k, i) => pending[i] ?? byKey.get(k));
      } catch (err) {
        this.#reportWriteFailure('read', err);
      }
    }
    return stored.map((value, i) => {
      if (value === undefined) return undefined;
      const result = open(type, value);
      if (result.ok) return result.data;
      this.#reportCorrupt(keys[i]!, type.kind, result.reason);
      return undefined;
    });
  }

  /** Whether anything is stored under this record's key, readable or not. */
  async has(type: RecordType<unknown>, id = 'default'): Promise<boolean> {
    const key = recordKey(type, id);
    if ((await this.#pending.get(key)) !== undefined) return true;
    if (!this.#primary) return false;
    try {
      return (await this.#primary.get(key)) !== undefined;
    } catch (err) {
      this.#reportWriteFailure('read', err);
      return false;
    }
  }

  /** Every readable record of a type, with its id; unreadable ones are skipped and reported. */
  async list<T>(type: RecordType<T>): Promise<{ id: string; data: T }[]> {
    const prefix = `${type.kind}:`;
    const keys = new Set((await this.#pending.keys()).filter((k) => k.startsWith(prefix)));
    let stored: unknown[] = [];
    let primaryKeys: string[] = [];
    if (this.#primary) {
      try {
        primaryKeys = (await this.#primary.keys()).filter((k) => k.startsWith(prefix) && !keys.has(k));
        stored = await this.#primary.getMany(primaryKeys);
      } catch (err) {
        this.#reportWriteFailure('read', err);
      }
    }
    const pendingKeys = [...keys];
    const pendingValues = await this.#pending.getMany(pendingKeys);
    const all: [string, unknown][] = [
      ...pendingKeys.map((k, i): [string, unknown] => [k, pendingValues[i]]),
      ...primaryKeys.map((k, i): [string, unknown] => [k, stored[i]]),
    ];
    const out: { id: string; data: T }[] = [];
    for (const [key, value] of all) {
      const result = open(type, value);
      if (result.ok) out.push({ id: key.slice(prefix.length), data: result.data });
      else this.#reportCorrupt(key, type.kind, result.reason);
    }
    return out;
  }

  /**
   * Saves one record. Never throws: the outcome says whether it reached the browser's storage
   * (`saved`), lives only in this tab (`kept-in-memory`: no IndexedDB, or storage full), or was refused
   * because it does not match its schema (`rejected`); the last two are also reported.
   */
  put<T>(type: RecordType<T>, data: T, id = 'default'): Promise<WriteOutcome> {
    return this.putMany(type, [[id, data]]);
  }

  /** Saves several records of one type in one transaction; see {@link put}. */
  async putMany<T>(type: RecordType<T>, items: [id: string, data: T][]): Promise<WriteOutcome> {
    let entries: [string, unknown][];
    try {
      entries = items.map(([id, data]): [string, unknown] => [recordKey(type, id), seal(type, data)]);
    } catch (err) {
      this.#report({
        kind: 'write-failed',
        detail: describeError(err),
        message: `Sandpit could not save this change: ${err instanceof Error ? err.message : String(err)}.`,
      });
      return 'rejected';
    }
    if (!this.#primary) {
      await this.#pending.setMany(entries);
      return 'kept-in-memory';
    }
    try {
      await this.#primary.setMany(entries);
      await this.#pending.deleteMany(entries.map(([k]) => k));
    } catch (err) {
      await this.#pending.setMany(entries);
      this.#reportWriteFailure('write', err);
      return 'kept-in-memory';
    }
    // Not awaited: Firefox asks the user, and a save must not wait for their answer.
    if (type.userContent) void this.#requestPersistence();
    return 'saved';
  }

  /**
   * Removes a record everywhere it may be: IndexedDB and the in-memory copies. Never throws: returns
   * false (and reports) when the browser's storage refused, so the caller can say the copy remains.
   */
  async delete(type: RecordType<unknown>, id = 'default'): Promise<boolean> {
    const key = recordKey(type, id);
    await this.#pending.delete(key);
    if (!this.#primary) return true;
    try {
      await this.#primary.delete(key);
      return true;
    } catch (err) {
      this.#reportWriteFailure('delete', err);
      return false;
    }
  }

  async #requestPersistence(): Promise<void> {
    if (this.#persistAsked) return;
    this.#persistAsked = true;
    if ((await this.get(persistenceMeta, 'persistence')) !== undefined) return;
    const persist =
      this.#options.persist ??
      (typeof navigator !== 'undefined' && navigator.storage?.persist
        ? () => navigator.storage.persist()
        : null);
    if (!persist) return;
    // The browser may refuse to answer (e.g. in an insecure context); storage still works without it.
    const persisted = await Promise.resolve()
      .then(persist)
      .catch(() => false);
    await this.put(persistenceMeta, { persistRequestedAt: Date.now(), persisted }, 'persistence');
  }

  #report(problem: StorageProblem): void {
    this.#options.onProblem?.(problem);
  }

  #reportCorrupt(key: string, kind: string, reason: string): void {
    if (this.#reportedCorrupt.has(key)) return;
    this.#reportedCorrupt.add(key);
    this.#report({
      kind: 'corrupt',
      key,
      detail: reason,
      message:
        `A saved ${kind} record could not be read and was skipped (${reason}). Sandpit uses defaults ` +
        'instead; the unreadable copy stays in storage until a new save replaces it.',
    });
  }

  #reportWriteFailure(action: 'read' | 'write' | 'delete', err: unknown): void {
    const detail = describeError(err);
    if (isQuotaError(err)) {
      this.#report({
        kind: 'quota',
        detail,
        message:
          'Browser storage is full, so the latest change is kept only in this tab and will be lost when it ' +
          'closes. Nothing already saved was removed. Free some space (delete old runs, or other sites’ data) and ' +
          'the next change will be saved again.',
      });
      return;
    }
    this.#report({
      kind: 'write-failed',
      detail,
      message:
        action === 'write'
          ? `Sandpit could not save the latest change (${detail}); it is kept in this tab only.`
          : `Sandpit could not ${action} saved data (${detail}).`,
    });
  }
}

/** True for the errors browsers raise when a site's storage quota is used up. */
export function isQuotaError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const name = (err as { name?: unknown }).name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

function describeError(err: unknown): string {
  if (err instanceof Error || (err && typeof err === 'object' && 'name' in err && 'message' in err)) {
    const { name, message } = err as { name: string; message: string };
    return message ? `${name}: ${message}` : name;
  }
  return String(err);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
