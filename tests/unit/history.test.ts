import { readFileSync } from 'node:fs';
import { IDBFactory, IDBKeyRange, IDBObjectStore } from 'fake-indexeddb';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatAssembler } from '../../src/lib/chat/assemble';
import { measureAnswer } from '../../src/lib/chat/metrics';
import {
  HISTORY_LIMITS,
  HISTORY_PACK_SIZE,
  HistoryStore,
  applyPatch,
  buildSearchIndex,
  entryFor,
  facets,
  historyPackRecord,
  historyRecord,
  search,
  titleOf,
  type HistoryEntry,
} from '../../src/lib/history';
import { describeModel } from '../../src/lib/models';
import {
  RecordStore,
  embeddingsRunRecord,
  indexedDbBackend,
  runRecord,
  type ChatRunRecord,
  type EmbeddingsRunRecord,
  type StorageBackend,
  type StorageProblem,
} from '../../src/lib/storage';

// ---------------------------------------------------------------------------------------------------------
// Runs as the playground saves them, built from recorded API traffic.

const fixture = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;

function sseChunks(file: string): ChatCompletionChunk[] {
  return readFileSync(new URL(`../fixtures/sse/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice(6)) as ChatCompletionChunk);
}

function conversationRequest(name: string, turn = 0): Record<string, unknown> {
  return fixture<{ interactions: { request: { body: Record<string, unknown> } }[] }>(
    `sse/${name}.conversation.json`,
  ).interactions[turn]!.request.body;
}

/** A chat run as `ChatState` saves it: the stream assembled and measured as the app does. */
function chatRun(
  id: string,
  sse: string,
  request: Record<string, unknown>,
  patch: Partial<ChatRunRecord> = {},
): ChatRunRecord {
  const chunks = sseChunks(sse);
  const assembler = new ChatAssembler();
  let visible = 0;
  for (const chunk of chunks) if (assembler.add(chunk)) visible++;
  const assembled = assembler.result();
  const createdAt = Date.UTC(2025, 5, 1, 12);
  const metrics = measureAnswer(
    {
      assembled,
      timings: { firstTokenMs: 412, totalMs: 1830 },
      requestId: 'req_8f1c2a',
      attempts: 1,
      chunkCount: chunks.length,
      visibleChunks: visible,
      streamed: true,
    },
    describeModel(String(request.model)),
  );
  return {
    id,
    kind: 'chat',
    createdAt,
    finishedAt: createdAt + 1830,
    baseURL: 'https://api.openai.com/v1',
    model: String(request.model),
    request,
    leftOut: [],
    end: 'done',
    problem: null,
    choices: assembled.choices.map((c) => ({
      index: c.index,
      content: c.content,
      refusal: c.refusal,
      finishReason: c.finishReason,
      ...(c.toolCalls.length && {
        toolCalls: c.toolCalls.map((t) => ({ id: t.id, name: t.name, arguments: t.arguments })),
      }),
    })),
    metrics,
    chunks: chunks.map((data, i) => ({ t: 412 + i * 9, data })),
    response: null,
    ...patch,
  };
}

const toolsRun = (id = 'a1b2c3d4e5f6a1b2c3d4e5f6') =>
  chatRun(id, 'pydantic-ai__gpt-4o_tool_loop.1.sse', conversationRequest('pydantic-ai__gpt-4o_tool_loop'));

const textRun = (id = 'b1b2c3d4e5f6a1b2c3d4e5f6', patch: Partial<ChatRunRecord> = {}) =>
  chatRun(id, 'pydantic-ai__gpt-5_text.1.sse', conversationRequest('pydantic-ai__gpt-5_text'), patch);

const LOCATION_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, units: { type: 'string', enum: ['c', 'f'] } },
  required: ['city', 'units'],
  additionalProperties: false,
};

const structuredRun = (id = 'c1b2c3d4e5f6a1b2c3d4e5f6') =>
  chatRun(id, 'openai-node__stream_works_1.sse', {
    model: 'gpt-4o-2024-08-06',
    messages: [{ role: 'user', content: "What's the weather like in SF?" }],
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'location', strict: true, schema: LOCATION_SCHEMA },
    },
    stream: true,
    stream_options: { include_usage: true },
  });

interface EmbeddingCase {
  name: string;
  request_body: { input: string[]; model: string; dimensions?: number };
  response_body: { usage: { total_tokens: number } };
  decoded_float32: { index: number; values: number[] }[];
}

/** An embeddings run as the lab saves it, with the recorded vectors. */
function embeddingsRun(id = 'd1b2c3d4e5f6a1b2c3d4e5f6', caseName = 'documents_hello_and_world') {
  const c = fixture<{ cases: EmbeddingCase[] }>(
    'embeddings/pydantic-ai_openai_embeddings_real.json',
  ).cases.find((x) => x.name === caseName)!;
  const tokens = c.response_body.usage.total_tokens;
  const record: EmbeddingsRunRecord = {
    id,
    kind: 'embeddings',
    createdAt: Date.UTC(2025, 5, 2, 9),
    finishedAt: Date.UTC(2025, 5, 2, 9) + 311,
    baseURL: 'https://api.openai.com/v1',
    model: c.request_body.model,
    dimensions: c.request_body.dimensions ?? null,
    items: c.request_body.input.map((text) => ({ text, label: '' })),
    vectors: c.decoded_float32.map((d) => Float32Array.from(d.values)),
    end: 'done',
    problem: null,
    fromCache: 0,
    requests: 1,
    tokens,
    costUsd: (tokens * 0.02) / 1e6,
    totalMs: 311,
  };
  return record;
}

/** An entry with made-up details, for search and store tests that need many. */
function entry(id: string, patch: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id,
    recordKind: 'run',
    kind: 'chat',
    model: 'gpt-4o-mini',
    title: `Run ${id}`,
    tokens: 120,
    costUsd: 0.00004,
    createdAt: 1_700_000_000_000,
    durationMs: 900,
    end: 'done',
    name: null,
    tags: [],
    starred: false,
    note: '',
    ...patch,
  };
}

// ---------------------------------------------------------------------------------------------------------

describe('entryFor', () => {
  it('reads a tool-loop run: kind, model, first user message, usage, cost, timing', () => {
    const run = toolsRun();
    expect(entryFor('run', run)).toEqual({
      id: run.id,
      recordKind: 'run',
      kind: 'tools',
      model: 'gpt-4o',
      title: 'Tell me: the capital of the country; the weather there; the product name',
      tokens: 404,
      costUsd: run.metrics.costUsd,
      createdAt: run.createdAt,
      durationMs: 1830,
      end: 'done',
      name: null,
      tags: [],
      starred: false,
      note: '',
    });
    expect(run.metrics.costUsd).toBeGreaterThan(0);
  });

  it('tells chat, structured and embeddings runs apart', () => {
    expect(entryFor('run', textRun())).toMatchObject({
      kind: 'chat',
      model: 'gpt-5',
      title: 'What is the capital of France?',
      tokens: 24,
    });
    expect(entryFor('run', structuredRun())).toMatchObject({
      kind: 'structured',
      title: "What's the weather like in SF?",
      tokens: 27,
    });
    const jsonMode = structuredRun();
    jsonMode.request = { ...jsonMode.request, response_format: { type: 'json_object' } };
    expect(entryFor('run', jsonMode).kind).toBe('chat');
    const noTools = toolsRun();
    noTools.request = { ...noTools.request, tools: [] };
    expect(entryFor('run', noTools).kind).toBe('chat');
    expect(entryFor('embeddings-run', embeddingsRun())).toMatchObject({
      recordKind: 'embeddings-run',
      kind: 'embeddings',
      model: 'text-embedding-3-small',
      title: 'hello',
      tokens: 2,
      costUsd: 4e-8,
      durationMs: 311,
    });
  });

  it('gives a failed run without usage no tokens and no cost', () => {
    const run = textRun(undefined, { end: 'failed' });
    run.metrics = { ...run.metrics, usage: null, costUsd: null };
    expect(entryFor('run', run)).toMatchObject({ end: 'failed', tokens: null, costUsd: null });
  });

  it('titles a run by its newest user message, else its newest text', () => {
    const run = (messages: unknown[]) => entryFor('run', textRun(undefined, { request: { messages } })).title;
    expect(
      run([
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: '  Summarise\n\n  this   paragraph ' },
      ]),
    ).toBe('Summarise this paragraph');
    expect(
      run([
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:…' } },
            { type: 'text', text: 'What is in this picture?' },
          ],
        },
      ]),
    ).toBe('What is in this picture?');
    expect(run([{ role: 'system', content: 'Only a system prompt' }])).toBe('Only a system prompt');
    expect(
      run([
        { role: 'user', content: 'The first question' },
        { role: 'assistant', content: 'An answer' },
        { role: 'user', content: 'The follow-up this run asked' },
      ]),
    ).toBe('The follow-up this run asked');
    expect(run([])).toBe('');
    expect(entryFor('embeddings-run', { ...embeddingsRun(), items: [{ text: ' ', label: '' }] }).title).toBe(
      '',
    );
  });

  it('cuts a long title at a word near 80 characters, and never splits a surrogate pair', () => {
    const long = titleOf('The quick brown fox jumps over the lazy dog. '.repeat(10));
    expect(long.length).toBeLessThanOrEqual(HISTORY_LIMITS.title);
    expect(long).toBe('The quick brown fox jumps over the lazy dog. The quick brown fox jumps over…');
    const emoji = titleOf('😀'.repeat(100));
    expect(emoji.length).toBeLessThanOrEqual(HISTORY_LIMITS.title);
    expect(emoji.endsWith('😀…')).toBe(true);
    expect(titleOf('x'.repeat(80))).toBe('x'.repeat(80));
  });
});

describe('applyPatch', () => {
  it('tidies what the user wrote so it always fits the record', () => {
    const e = applyPatch(entry('r1'), {
      name: '  My   best run  ',
      tags: [' eval ', 'Eval', '', 'gpt-4o', 'x'.repeat(100)],
      starred: true,
      note: 'n'.repeat(HISTORY_LIMITS.note + 5),
    });
    expect(e.name).toBe('My best run');
    expect(e.tags).toEqual(['eval', 'gpt-4o', 'x'.repeat(HISTORY_LIMITS.tag)]);
    expect(e.starred).toBe(true);
    expect(e.note).toHaveLength(HISTORY_LIMITS.note);
    expect(applyPatch(e, { name: '   ' }).name).toBeNull();
    expect(applyPatch(e, { name: null }).name).toBeNull();
    expect(applyPatch(e, {})).toEqual(e);
  });
});

describe('search', () => {
  const entries = [
    entry('1', {
      title: 'Summarise the quarterly report',
      model: 'gpt-4o',
      tags: ['Finance'],
      starred: true,
    }),
    entry('2', { title: 'Translate to French', name: 'French test', note: 'used for the demo' }),
    entry('3', {
      title: 'hello',
      kind: 'embeddings',
      recordKind: 'embeddings-run',
      model: 'text-embedding-3-small',
    }),
    entry('4', { title: 'Weather in Paris', kind: 'tools', model: 'gpt-4o', tags: ['demo', 'tools'] }),
  ];
  const index = buildSearchIndex(entries);
  const ids = (found: HistoryEntry[]) => found.map((e) => e.id);

  it('matches every word, ignoring case, across title, name, tags, note and model, in order', () => {
    expect(ids(search(index, ''))).toEqual(['1', '2', '3', '4']);
    expect(ids(search(index, 'FRENCH'))).toEqual(['2']);
    expect(ids(search(index, 'demo'))).toEqual(['2', '4']);
    expect(ids(search(index, 'gpt-4o finance'))).toEqual(['1']);
    expect(ids(search(index, '  paris   TOOLS '))).toEqual(['4']);
    expect(ids(search(index, 'embedding hello'))).toEqual(['3']);
    expect(ids(search(index, 'french paris'))).toEqual([]);
  });

  it('never matches a word across the end of one field and the start of the next', () => {
    // Title "hello" followed by the model "text-embedding-3-small".
    expect(ids(search(index, 'hellotext'))).toEqual([]);
    expect(ids(search(index, 'ortgpt'))).toEqual([]);
  });

  it('applies kind, model, tag and starred filters', () => {
    expect(ids(search(index, '', { kind: 'tools' }))).toEqual(['4']);
    expect(ids(search(index, '', { model: 'gpt-4o' }))).toEqual(['1', '4']);
    expect(ids(search(index, '', { tag: 'finance' }))).toEqual(['1']);
    expect(ids(search(index, '', { starred: true }))).toEqual(['1']);
    expect(ids(search(index, '', { starred: false }))).toEqual(['2', '3', '4']);
    expect(ids(search(index, 'weather', { model: 'gpt-4o', tag: 'DEMO' }))).toEqual(['4']);
  });

  it('lists the models and tags in use, most used first', () => {
    expect(facets(entries)).toEqual({
      models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'],
      tags: ['demo', 'Finance', 'tools'],
    });
  });
});

// ---------------------------------------------------------------------------------------------------------

let problems: StorageProblem[];
const onProblem = (p: StorageProblem) => problems.push(p);

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  globalThis.IDBKeyRange = IDBKeyRange;
  problems = [];
});

/** A backend that records every key it is asked to read. */
function spyBackend(inner: StorageBackend): { backend: StorageBackend; read: string[] } {
  const read: string[] = [];
  return {
    read,
    backend: {
      ...inner,
      get: (key) => {
        read.push(key);
        return inner.get(key);
      },
      getMany: (keys) => {
        read.push(...keys);
        return inner.getMany(keys);
      },
    },
  };
}

/**
 * Every key and key range IndexedDB itself is asked to read, whoever asks (the record store or the
 * history's own transactions): a range is written as `lower…upper`.
 */
function spyIndexedDb(): string[] {
  const asked: string[] = [];
  const describe = (query: unknown) =>
    query instanceof IDBKeyRange ? `${String(query.lower)}…${String(query.upper)}` : String(query);
  for (const method of ['get', 'getAll', 'getAllKeys', 'openCursor', 'count'] as const) {
    const original = IDBObjectStore.prototype[method] as (
      this: IDBObjectStore,
      ...args: unknown[]
    ) => unknown;
    vi.spyOn(IDBObjectStore.prototype, method).mockImplementation(function (
      this: IDBObjectStore,
      ...args: unknown[]
    ) {
      asked.push(`${method} ${describe(args[0])}`);
      return original.apply(this, args) as never;
    });
  }
  return asked;
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function openStores(options: { db?: null; backend?: StorageBackend; compactAt?: number } = {}) {
  const spy = spyBackend(options.backend ?? indexedDbBackend());
  const store = await RecordStore.open({ onProblem, backend: () => spy.backend, persist: async () => true });
  const history = new HistoryStore(store, {
    ...(options.db === null && { db: null }),
    compactAt: options.compactAt ?? 1000,
    onProblem,
  });
  return { store, history, read: spy.read };
}

describe('HistoryStore', () => {
  it('lists entries newest first without reading a single run body', async () => {
    const { history, read } = await openStores();
    const runs = [toolsRun('r1'), textRun('r2'), structuredRun('r3')];
    runs.forEach((r, i) => (r.createdAt += i * 1000));
    for (const run of runs) await history.save({ recordKind: 'run', data: run });
    await history.save({ recordKind: 'embeddings-run', data: embeddingsRun('e1') });
    read.length = 0;
    const asked = spyIndexedDb();

    const listed = await history.list();
    expect(listed.map((e) => e.id)).toEqual(['e1', 'r3', 'r2', 'r1']);
    expect(listed.map((e) => e.kind)).toEqual(['embeddings', 'structured', 'chat', 'tools']);
    // Two key ranges, in one transaction; the record store's backend is not even asked.
    expect(asked.sort()).toEqual([
      'getAll history-pack:…history-pack;',
      'getAll history:…history;',
      'getAllKeys history-pack:…history-pack;',
      'getAllKeys history:…history;',
    ]);
    expect(read).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('reads only index records when it lists through the record store alone', async () => {
    const { history, read } = await openStores({ db: null });
    await history.save({ recordKind: 'run', data: toolsRun('r1') });
    await history.save({ recordKind: 'embeddings-run', data: embeddingsRun('e1') });
    read.length = 0;
    const asked = spyIndexedDb();
    expect((await history.list()).map((e) => e.id)).toEqual(['e1', 'r1']);
    expect(read.length).toBeGreaterThan(0);
    expect(read.every((key) => key.startsWith('history:'))).toBe(true);
    expect(asked.filter((a) => /run:/.test(a))).toEqual([]);
  });

  it('packs single entries in one transaction; the list stays the same and reads a few records', async () => {
    const { history, store } = await openStores({ compactAt: 3 });
    for (const [i, run] of [toolsRun('r1'), textRun('r2'), structuredRun('r3')].entries()) {
      run.createdAt += i;
      await history.save({ recordKind: 'run', data: run });
    }
    const before = await history.list(); // three single entries: packs them in the background
    await expect
      .poll(async () => (await indexedDbBackend().keys()).filter((k) => k.startsWith('history')))
      .toEqual(['history-pack:000001']);
    expect(await history.list()).toEqual(before);

    // A change to a packed entry is written on its own and wins; packing again folds it in.
    await history.update('r2', { name: 'Renamed', starred: true });
    expect((await history.list()).find((e) => e.id === 'r2')).toMatchObject({
      name: 'Renamed',
      starred: true,
    });
    expect(await history.compact()).toBe(1);
    const pack = await store.get(historyPackRecord, '000001');
    expect(pack?.entries).toHaveLength(3);
    expect((await history.list()).find((e) => e.id === 'r2')).toMatchObject({
      name: 'Renamed',
      starred: true,
    });

    // Removing a packed entry takes it out of its pack; undo brings it back.
    const beforeRemove = await history.list();
    const removal = await history.remove('r1');
    expect((await history.list()).map((e) => e.id)).toEqual(['r3', 'r2']);
    expect((await store.get(historyPackRecord, '000001'))?.entries).toHaveLength(2);
    await removal.undo();
    expect(await history.list()).toEqual(beforeRemove);
    expect(problems).toEqual([]);
  });

  it('starts a new pack when the last one is full', async () => {
    const { history, store } = await openStores();
    const many = Array.from({ length: HISTORY_PACK_SIZE + 5 }, (_, i): [string, HistoryEntry] => [
      `id${i}`,
      entry(`id${i}`, { createdAt: i }),
    ]);
    await store.putMany(historyRecord, many);
    expect(await history.compact()).toBe(HISTORY_PACK_SIZE + 5);
    expect((await store.get(historyPackRecord, '000001'))?.entries).toHaveLength(HISTORY_PACK_SIZE);
    expect((await store.get(historyPackRecord, '000002'))?.entries).toHaveLength(5);
    const listed = await history.list();
    expect(listed).toHaveLength(HISTORY_PACK_SIZE + 5);
    expect(listed[0]!.id).toBe(`id${HISTORY_PACK_SIZE + 4}`);
  });

  it('loses nothing when another tab saves while this one packs', async () => {
    const a = (await openStores()).history;
    const b = (await openStores()).history;
    for (let i = 0; i < 20; i++) await a.add(entry(`a${i}`, { createdAt: i }));
    const adds = Array.from({ length: 20 }, (_, i) => b.add(entry(`b${i}`, { createdAt: 100 + i })));
    await Promise.all([a.compact(), ...adds, b.compact(), a.update('a3', { note: 'changed' })]);
    await a.compact();
    expect((await indexedDbBackend().keys()).filter((k) => k.startsWith('history:'))).toEqual([]);
    const listed = await b.list();
    expect(listed).toHaveLength(40);
    expect(listed.find((e) => e.id === 'a3')?.note).toBe('changed');
  });

  it('skips and reports an unreadable entry inside a pack, and lists the others', async () => {
    const { history } = await openStores();
    await indexedDbBackend().set('history-pack:000001', {
      kind: 'history-pack',
      v: 1,
      savedAt: 1,
      data: { entries: [entry('ok1'), { id: 'broken', title: 7 }, entry('ok2', { createdAt: 2e12 })] },
    });
    expect((await history.list()).map((e) => e.id)).toEqual(['ok2', 'ok1']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'corrupt', key: 'history-pack:000001' });
  });

  it('gets the run behind an entry, of either kind', async () => {
    const { history } = await openStores();
    const chat = toolsRun('r1');
    const lab = embeddingsRun('e1');
    await history.save({ recordKind: 'run', data: chat });
    await history.save({ recordKind: 'embeddings-run', data: lab });
    expect(await history.get('r1')).toEqual({ recordKind: 'run', data: chat });
    const got = await history.get('e1');
    expect(got?.recordKind).toBe('embeddings-run');
    expect(got?.data).toEqual(lab);
    expect(await history.get('nope')).toBeUndefined();
  });

  it('renames, tags, stars and annotates a run, and keeps it across reopening', async () => {
    const { history } = await openStores();
    await history.save({ recordKind: 'run', data: textRun('r1') });
    const updated = await history.update('r1', {
      name: ' Capital test ',
      tags: ['geo', 'GEO'],
      starred: true,
    });
    expect(updated).toMatchObject({ name: 'Capital test', tags: ['geo'], starred: true, note: '' });
    await history.update('r1', { note: 'gpt-5 answers in one word' });
    expect(await history.update('missing', { starred: true })).toBeUndefined();

    const again = (await openStores()).history;
    expect(await again.list()).toEqual([
      {
        ...entryFor('run', textRun('r1')),
        name: 'Capital test',
        tags: ['geo'],
        starred: true,
        note: 'gpt-5 answers in one word',
      },
    ]);
  });

  it('removes an entry and its run, and undo puts both back exactly', async () => {
    const { history, store } = await openStores();
    const chat = toolsRun('r1');
    const lab = embeddingsRun('e1');
    await history.save({ recordKind: 'run', data: chat });
    await history.save({ recordKind: 'embeddings-run', data: lab });
    await history.update('e1', { tags: ['vectors'], note: 'keep' });
    const before = await store.get(historyRecord, 'e1');

    const removal = await history.remove('e1');
    expect(removal.removed).toBe(true);
    expect((await history.list()).map((e) => e.id)).toEqual(['r1']);
    expect(await store.get(embeddingsRunRecord, 'e1')).toBeUndefined();
    expect(await indexedDbBackend().get('embeddings-run:e1')).toBeUndefined();
    expect(await indexedDbBackend().get('history:e1')).toBeUndefined();

    expect(await removal.undo()).toBe('saved');
    expect(await store.get(historyRecord, 'e1')).toEqual(before);
    const restored = await store.get(embeddingsRunRecord, 'e1');
    expect(restored).toEqual(lab);
    expect(restored!.vectors[0]).toBeInstanceOf(Float32Array);
    expect([...restored!.vectors[1]!]).toEqual([...lab.vectors[1]!]);
    expect((await history.list()).map((e) => e.id)).toEqual(['e1', 'r1']);

    const chatRemoval = await history.remove('r1');
    expect(await store.get(runRecord, 'r1')).toBeUndefined();
    await chatRemoval.undo();
    expect(await store.get(runRecord, 'r1')).toEqual(chat);
    expect(problems).toEqual([]);
  });

  it('adds the missing entries of runs saved before the history, reading only those runs', async () => {
    const { store, history, read } = await openStores();
    await store.put(runRecord, toolsRun('old1'), 'old1');
    await store.put(embeddingsRunRecord, embeddingsRun('old2'), 'old2');
    await history.save({ recordKind: 'run', data: textRun('new1') });
    read.length = 0;

    expect(await history.backfill()).toBe(2);
    expect(read.filter((k) => !k.startsWith('history:')).sort()).toEqual(['embeddings-run:old2', 'run:old1']);
    expect((await history.list()).map((e) => [e.id, e.kind])).toEqual([
      ['old2', 'embeddings'],
      ['new1', 'chat'],
      ['old1', 'tools'],
    ]);
    read.length = 0;
    expect(await history.backfill()).toBe(0);
    expect(read.filter((k) => !k.startsWith('history:'))).toEqual([]);
  });

  it('skips and reports an unreadable entry and lists the rest', async () => {
    const { history } = await openStores();
    await history.add(entry('good'));
    await indexedDbBackend().set('history:bad', { kind: 'history', v: 1, savedAt: 1, data: { id: 'bad' } });
    expect((await history.list()).map((e) => e.id)).toEqual(['good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'corrupt', key: 'history:bad' });
  });

  it('still lists an entry that storage had no room for, in this tab', async () => {
    const inner = indexedDbBackend();
    const full: StorageBackend = {
      ...inner,
      setMany: () => Promise.reject(new DOMException('full', 'QuotaExceededError')),
    };
    const { history } = await openStores({ backend: full });
    expect(await history.add(entry('r1'))).toBe('kept-in-memory');
    expect((await history.list()).map((e) => e.id)).toEqual(['r1']);
    expect(await history.update('r1', { starred: true })).toMatchObject({ starred: true });
    expect((await history.list())[0]!.starred).toBe(true);
    expect(problems.map((p) => p.kind)).toContain('quota');
  });

  it('works in memory when the browser gives no IndexedDB', async () => {
    const store = await RecordStore.open({
      onProblem,
      backend: () => {
        throw new ReferenceError('indexedDB is not defined');
      },
    });
    const history = new HistoryStore(store);
    await history.save({ recordKind: 'run', data: textRun('r1') });
    expect((await history.list()).map((e) => e.id)).toEqual(['r1']);
    const removal = await history.remove('r1');
    expect(await history.list()).toEqual([]);
    await removal.undo();
    expect((await history.get('r1'))?.data).toEqual(textRun('r1'));
    expect(await history.backfill()).toBe(0);
  });

  it('saves and loads runs with their entries in bulk (import and export)', async () => {
    const { history } = await openStores();
    const runs = [
      {
        recordKind: 'run' as const,
        data: toolsRun('r1'),
        entry: { ...entryFor('run', toolsRun('r1')), starred: true },
      },
      {
        recordKind: 'embeddings-run' as const,
        data: embeddingsRun('e1'),
        entry: entryFor('embeddings-run', embeddingsRun('e1')),
      },
    ];
    expect(await history.saveAll(runs)).toBe('saved');
    const loaded = await history.load(['e1', 'missing', 'r1']);
    expect(loaded).toEqual([runs[1], runs[0]]);
  });
});
