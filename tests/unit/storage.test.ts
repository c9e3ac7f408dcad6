import { IDBFactory } from 'fake-indexeddb';
import * as v from 'valibot';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SETTINGS,
  RecordStore,
  defineRecord,
  indexedDbBackend,
  memoryBackend,
  secretRecord,
  settingsRecord,
  type StorageBackend,
  type StorageProblem,
} from '../../src/lib/storage';

/** A note record at schema 3, whose history is: v1 {text}, v2 {body}, v3 {body, tags}. */
const noteV3 = defineRecord({
  kind: 'note',
  version: 3,
  schema: v.object({ body: v.string(), tags: v.array(v.string()) }),
  migrations: {
    1: (old) => ({ body: (old as { text: string }).text }),
    2: (old) => ({ ...(old as object), tags: [] }),
  },
});

function quotaError(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}

/** Wraps a backend so that writes fail like a full disk, while reads still work. */
function fullDisk(inner: StorageBackend): StorageBackend {
  return {
    ...inner,
    set: () => Promise.reject(quotaError()),
    setMany: () => Promise.reject(quotaError()),
  };
}

let problems: StorageProblem[];
const onProblem = (p: StorageProblem) => problems.push(p);

beforeEach(() => {
  // A fresh, empty IndexedDB for every test.
  globalThis.indexedDB = new IDBFactory();
  problems = [];
});

describe('RecordStore over IndexedDB', () => {
  it('saves, reads back, lists and deletes typed records', async () => {
    const store = await RecordStore.open({ onProblem, persist: async () => true });
    expect(store.mode).toBe('indexeddb');
    await store.put(settingsRecord, { ...DEFAULT_SETTINGS, baseURL: 'http://localhost:11434/v1' });
    await store.put(noteV3, { body: 'a', tags: [] }, 'n1');
    await store.put(noteV3, { body: 'b', tags: ['x'] }, 'n2');

    // A second store over the same database sees what the first one wrote.
    const again = await RecordStore.open({ onProblem });
    expect((await again.get(settingsRecord))?.baseURL).toBe('http://localhost:11434/v1');
    const notes = await again.list(noteV3);
    expect(notes.map((n) => n.id).sort()).toEqual(['n1', 'n2']);

    await again.delete(noteV3, 'n1');
    expect(await again.get(noteV3, 'n1')).toBeUndefined();
    expect((await again.list(noteV3)).map((n) => n.id)).toEqual(['n2']);
    expect(problems).toEqual([]);
  });

  it('reads many records at once, in order, with gaps for absent and unreadable ones', async () => {
    const store = await RecordStore.open({ onProblem, persist: async () => true });
    await store.put(noteV3, { body: 'a', tags: [] }, 'n1');
    await store.put(noteV3, { body: 'c', tags: [] }, 'n3');
    await indexedDbBackend().set('note:bad', { kind: 'note', v: 3, savedAt: 1, data: { body: 1 } });
    // A Float32Array survives the round trip as itself (the embeddings cache relies on it).
    const vectors = defineRecord({
      kind: 'vec',
      version: 1,
      schema: v.object({ v: v.instance(Float32Array) }),
    });
    await store.put(vectors, { v: new Float32Array([0.5, -1]) }, 'x');
    const read = await store.getMany(noteV3, ['n3', 'missing', 'n1', 'bad']);
    expect(read.map((n) => n?.body)).toEqual(['c', undefined, 'a', undefined]);
    expect(problems.map((p) => p.kind)).toEqual(['corrupt']);
    const [vec] = await (await RecordStore.open({ onProblem })).getMany(vectors, ['x']);
    expect(vec?.v).toBeInstanceOf(Float32Array);
    expect([...vec!.v]).toEqual([0.5, -1]);
  });

  it('stores each record in a versioned envelope under kind:id', async () => {
    const store = await RecordStore.open({ onProblem });
    await store.put(noteV3, { body: 'hello', tags: [] }, 'n1');
    const raw = await indexedDbBackend().get('note:n1');
    expect(raw).toMatchObject({ kind: 'note', v: 3, data: { body: 'hello', tags: [] } });
    expect((raw as { savedAt: number }).savedAt).toBeGreaterThan(0);
  });

  it('migrates an old record on read through every step', async () => {
    await indexedDbBackend().set('note:old', { kind: 'note', v: 1, savedAt: 1, data: { text: 'from v1' } });
    const store = await RecordStore.open({ onProblem });
    expect(await store.get(noteV3, 'old')).toEqual({ body: 'from v1', tags: [] });
    expect(problems).toEqual([]);
  });

  it('skips and reports a corrupt record, leaves it in place, and keeps reading the others', async () => {
    const raw = indexedDbBackend();
    await raw.set('note:bad', { kind: 'note', v: 3, savedAt: 1, data: { body: 42 } });
    await raw.set('note:garbage', 'not even an object');
    await raw.set('note:future', { kind: 'note', v: 9, savedAt: 1, data: {} });
    await raw.set('note:broken-migration', { kind: 'note', v: 1, savedAt: 1, data: null });
    const store = await RecordStore.open({ onProblem });
    await store.put(noteV3, { body: 'fine', tags: [] }, 'good');

    const listed = await store.list(noteV3);
    expect(listed).toEqual([{ id: 'good', data: { body: 'fine', tags: [] } }]);
    expect(await store.get(noteV3, 'bad')).toBeUndefined();

    const byKey = Object.fromEntries(problems.map((p) => [p.kind === 'corrupt' ? p.key : p.kind, p]));
    expect(Object.keys(byKey).sort()).toEqual([
      'note:bad',
      'note:broken-migration',
      'note:future',
      'note:garbage',
    ]);
    expect(byKey['note:bad']!.message).toMatch(
      /A saved note record could not be read and was skipped \(body: /,
    );
    expect(byKey['note:future']!.detail).toMatch(/newer version of Sandpit/);
    expect(byKey['note:garbage']!.detail).toBe('it is not a Sandpit record');
    expect(byKey['note:broken-migration']!.detail).toMatch(/could not be upgraded from schema 1/);
    // Reported once per record, however often it is read.
    expect(problems).toHaveLength(4);
    // Nothing was deleted.
    expect(await raw.get('note:bad')).toEqual({ kind: 'note', v: 3, savedAt: 1, data: { body: 42 } });
    expect(await raw.get('note:garbage')).toBe('not even an object');
  });

  it('refuses to write data that does not match the schema, says so, and throws nothing', async () => {
    const store = await RecordStore.open({ onProblem });
    expect(await store.put(noteV3, { body: 1 } as never, 'x')).toBe('rejected');
    expect(await indexedDbBackend().get('note:x')).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'write-failed' });
    expect(problems[0]!.message).toMatch(/Refusing to save an invalid note record: body: /);
  });

  it('says where each write ended up', async () => {
    const store = await RecordStore.open({ onProblem });
    expect(await store.put(noteV3, { body: 'ok', tags: [] }, 'a')).toBe('saved');
    const full = await RecordStore.open({ onProblem, backend: () => fullDisk(indexedDbBackend()) });
    expect(await full.put(noteV3, { body: 'ok', tags: [] }, 'b')).toBe('kept-in-memory');
    const none = await RecordStore.open({
      onProblem,
      backend: () => {
        throw new Error('no IndexedDB');
      },
    });
    expect(await none.put(noteV3, { body: 'ok', tags: [] }, 'c')).toBe('kept-in-memory');
  });

  it('reports a delete the browser refused, and returns false instead of throwing', async () => {
    const inner = indexedDbBackend();
    await inner.set('note:n', { kind: 'note', v: 3, savedAt: 1, data: { body: 'stays', tags: [] } });
    const store = await RecordStore.open({
      onProblem,
      backend: () => ({ ...inner, delete: () => Promise.reject(new DOMException('denied', 'UnknownError')) }),
    });
    expect(await store.delete(noteV3, 'n')).toBe(false);
    expect(problems.map((p) => p.kind)).toEqual(['write-failed']);
    expect(problems[0]!.message).toMatch(/could not delete saved data \(UnknownError: denied\)/);
    expect(await inner.get('note:n')).toBeDefined();
  });

  it('a save does not wait for the answer to the persistence request (Firefox asks the user)', async () => {
    const store = await RecordStore.open({ onProblem, persist: () => new Promise<boolean>(() => {}) });
    expect(await store.put(secretRecord, { apiKey: 'sk-waits-for-nobody' })).toBe('saved');
  });

  it('asks for persistent storage once, after the first user save, not after settings', async () => {
    const persist = vi.fn(async () => true);
    const store = await RecordStore.open({ onProblem, persist });
    await store.put(settingsRecord, { ...DEFAULT_SETTINGS });
    expect(persist).not.toHaveBeenCalled();
    await store.put(secretRecord, { apiKey: 'sk-one' });
    await store.put(secretRecord, { apiKey: 'sk-two' });
    await expect.poll(() => persist.mock.calls.length).toBe(1);
    await expect.poll(() => indexedDbBackend().get('meta:persistence')).toBeDefined();
    expect(await indexedDbBackend().get('meta:persistence')).toMatchObject({ data: { persisted: true } });

    const later = await RecordStore.open({ onProblem, persist });
    await later.put(secretRecord, { apiKey: 'sk-three' });
    await new Promise((r) => setTimeout(r, 50));
    expect(persist).toHaveBeenCalledTimes(1);
  });
});

describe('RecordStore when storage fails', () => {
  it('keeps a change that did not fit in memory, reports the full disk, and loses nothing stored', async () => {
    const inner = indexedDbBackend();
    await inner.set('settings:default', {
      kind: 'settings',
      v: 1,
      savedAt: 1,
      data: { ...DEFAULT_SETTINGS, project: 'proj_before' },
    });
    const store = await RecordStore.open({ onProblem, backend: () => fullDisk(inner) });
    await store.put(settingsRecord, { ...DEFAULT_SETTINGS, project: 'proj_after' });

    expect(problems.map((p) => p.kind)).toEqual(['quota']);
    expect(problems[0]!.message).toMatch(/storage is full/i);
    expect(problems[0]!.message).toMatch(/Nothing already saved was removed/);
    // This tab sees the new value; the stored one is intact.
    expect((await store.get(settingsRecord))?.project).toBe('proj_after');
    expect(await inner.get('settings:default')).toMatchObject({ data: { project: 'proj_before' } });
  });

  it('writes the kept change once storage accepts writes again', async () => {
    const inner = indexedDbBackend();
    let full = true;
    const flaky: StorageBackend = {
      ...inner,
      setMany: (entries) => (full ? Promise.reject(quotaError()) : inner.setMany(entries)),
    };
    const store = await RecordStore.open({ onProblem, backend: () => flaky });
    await store.put(noteV3, { body: 'first try', tags: [] }, 'n');
    expect(await inner.get('note:n')).toBeUndefined();
    full = false;
    await store.put(noteV3, { body: 'second try', tags: [] }, 'n');
    expect(await inner.get('note:n')).toMatchObject({ data: { body: 'second try' } });
    expect(await store.get(noteV3, 'n')).toEqual({ body: 'second try', tags: [] });
  });

  it.each([
    [
      'indexedDB is missing',
      () => {
        throw new ReferenceError('indexedDB is not defined');
      },
    ],
    [
      'opening is refused (private mode)',
      () => ({
        ...memoryBackend(),
        kind: 'indexeddb' as const,
        keys: () =>
          Promise.reject(new DOMException('A mutation operation was attempted', 'InvalidStateError')),
      }),
    ],
    [
      'opening never answers (blocked)',
      () => ({ ...memoryBackend(), kind: 'indexeddb' as const, keys: () => new Promise<string[]>(() => {}) }),
    ],
  ])('falls back to memory and says so when %s', async (_label, backend) => {
    const store = await RecordStore.open({ onProblem, backend, openTimeoutMs: 50 });
    expect(store.mode).toBe('memory');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.kind).toBe('unavailable');
    expect(problems[0]!.message).toMatch(/last only until this tab is closed/);

    await store.put(settingsRecord, { ...DEFAULT_SETTINGS, organization: 'org-1' });
    expect((await store.get(settingsRecord))?.organization).toBe('org-1');
    await store.delete(settingsRecord);
    expect(await store.get(settingsRecord)).toBeUndefined();
  });
});

describe('defineRecord', () => {
  it('requires a migration for every older version', () => {
    expect(() => defineRecord({ kind: 'thing', version: 2, schema: v.object({}), migrations: {} })).toThrow(
      /lacks the migration from version 1/,
    );
  });
});
