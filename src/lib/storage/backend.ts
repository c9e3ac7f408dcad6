import { createStore, del, delMany, get, getMany, keys, set, setMany, type UseStore } from 'idb-keyval';

/** The few key-value operations the record store needs; IndexedDB in the app, a Map as the fallback. */
export interface StorageBackend {
  readonly kind: 'indexeddb' | 'memory';
  get(key: string): Promise<unknown>;
  getMany(keys: string[]): Promise<unknown[]>;
  set(key: string, value: unknown): Promise<void>;
  setMany(entries: [string, unknown][]): Promise<void>;
  delete(key: string): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
  keys(): Promise<string[]>;
}

/** The database and object store Sandpit keeps everything in. */
export const DATABASE_NAME = 'sandpit';
export const OBJECT_STORE_NAME = 'records';

/** IndexedDB through idb-keyval: one database, one object store, string keys. */
export function indexedDbBackend(dbName = DATABASE_NAME, storeName = OBJECT_STORE_NAME): StorageBackend {
  const store: UseStore = createStore(dbName, storeName);
  return {
    kind: 'indexeddb',
    get: (key) => get(key, store),
    getMany: (list) => getMany(list, store),
    set: (key, value) => set(key, value, store),
    setMany: (entries) => setMany(entries, store),
    delete: (key) => del(key, store),
    deleteMany: (list) => delMany(list, store),
    keys: async () => (await keys(store)).filter((k): k is string => typeof k === 'string'),
  };
}

/**
 * A backend that lives as long as the page. Values are cloned on the way in and out, as IndexedDB
 * would, so callers cannot mutate what is stored by accident.
 */
export function memoryBackend(initial: Iterable<[string, unknown]> = []): StorageBackend {
  const map = new Map<string, unknown>();
  for (const [k, v] of initial) map.set(k, structuredClone(v));
  const read = (key: string) => (map.has(key) ? structuredClone(map.get(key)) : undefined);
  return {
    kind: 'memory',
    get: async (key) => read(key),
    getMany: async (list) => list.map(read),
    set: async (key, value) => void map.set(key, structuredClone(value)),
    setMany: async (entries) => {
      for (const [k, v] of entries) map.set(k, structuredClone(v));
    },
    delete: async (key) => void map.delete(key),
    deleteMany: async (list) => {
      for (const k of list) map.delete(k);
    },
    keys: async () => [...map.keys()],
  };
}
