import { readFileSync } from 'node:fs';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { ChatAssembler } from '../../src/lib/chat/assemble';
import { measureAnswer } from '../../src/lib/chat/metrics';
import { entryFor, type SavedRun } from '../../src/lib/history';
import {
  EXPORT_FORMAT,
  SecretInExportError,
  exportFileName,
  exportRuns,
  parseImport,
} from '../../src/lib/history/transfer';
import { describeModel } from '../../src/lib/models';
import type { ChatRunRecord, EmbeddingsRunRecord } from '../../src/lib/storage';

// ---------------------------------------------------------------------------------------------------------
// Runs as the playground saves them, built from recorded API traffic.

const fixture = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;

function chatRun(id: string, sse: string, request: Record<string, unknown>): ChatRunRecord {
  const chunks = readFileSync(new URL(`../fixtures/sse/${sse}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice(6)) as ChatCompletionChunk);
  const assembler = new ChatAssembler();
  let visible = 0;
  for (const chunk of chunks) if (assembler.add(chunk)) visible++;
  const assembled = assembler.result();
  const metrics = measureAnswer(
    {
      assembled,
      timings: { firstTokenMs: 380, totalMs: 1420 },
      requestId: 'req_5d0e',
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
    createdAt: Date.UTC(2025, 4, 20, 8),
    finishedAt: Date.UTC(2025, 4, 20, 8) + 1420,
    baseURL: 'https://api.openai.com/v1',
    model: String(request.model),
    request,
    leftOut: [{ param: 'temperature', reason: 'gpt-5 does not take it.' }],
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
    chunks: chunks.map((data, i) => ({ t: 380 + i * 7, data })),
    response: null,
  };
}

const toolRequest = fixture<{ interactions: { request: { body: Record<string, unknown> } }[] }>(
  'sse/pydantic-ai__gpt-4o_tool_loop.conversation.json',
).interactions[0]!.request.body;

interface EmbeddingCase {
  name: string;
  request_body: { input: string[]; model: string; dimensions?: number };
  response_body: { usage: { total_tokens: number }; data: { embedding: string }[] };
  decoded_float32: { values: number[] }[];
}
const embeddingCases = fixture<{ cases: EmbeddingCase[] }>(
  'embeddings/pydantic-ai_openai_embeddings_real.json',
).cases;

function embeddingsRun(id: string, caseName: string): EmbeddingsRunRecord {
  const c = embeddingCases.find((x) => x.name === caseName)!;
  return {
    id,
    kind: 'embeddings',
    createdAt: Date.UTC(2025, 4, 21, 10),
    finishedAt: Date.UTC(2025, 4, 21, 10) + 280,
    baseURL: 'https://api.openai.com/v1',
    model: c.request_body.model,
    dimensions: c.request_body.dimensions ?? null,
    items: c.request_body.input.map((text, i) => ({ text, label: i ? 'b' : 'a' })),
    vectors: c.decoded_float32.map((d) => Float32Array.from(d.values)),
    end: 'done',
    problem: null,
    fromCache: 0,
    requests: 1,
    tokens: c.response_body.usage.total_tokens,
    costUsd: (c.response_body.usage.total_tokens * 0.02) / 1e6,
    totalMs: 280,
  };
}

function sampleRuns(): SavedRun[] {
  const tools = chatRun('0a1b2c3d4e5f60718293a4b5', 'pydantic-ai__gpt-4o_tool_loop.1.sse', toolRequest);
  const structured = chatRun('1a1b2c3d4e5f60718293a4b5', 'openai-node__stream_works_1.sse', {
    model: 'gpt-4o-2024-08-06',
    messages: [{ role: 'user', content: "What's the weather like in SF?" }],
    response_format: {
      type: 'json_schema',
      // A schema may well have a property called "$f32"; it must come back as itself.
      json_schema: {
        name: 'location',
        schema: { type: 'object', properties: { $f32: { type: 'string' }, $$f32: { type: 'number' } } },
      },
    },
    metadata: { $f32: 'AAAAAA==', note: 'looks like a vector marker, is not one' },
  });
  const lab = embeddingsRun('2a1b2c3d4e5f60718293a4b5', 'documents_hello_and_world');
  // Values JSON numbers cannot carry: NaN, -0, infinity, a subnormal, and a vector not yet embedded.
  const odd = embeddingsRun('3a1b2c3d4e5f60718293a4b5', 'hello_world_dimensions_128');
  odd.vectors = [new Float32Array([NaN, -0, Infinity, -Infinity, 1e-45, 0.1]), null];
  odd.items = [...odd.items, { text: 'not embedded', label: '' }];
  return [
    {
      recordKind: 'run',
      data: tools,
      entry: {
        ...entryFor('run', tools),
        name: 'Tool loop',
        tags: ['tools', 'demo'],
        starred: true,
        note: 'n',
      },
    },
    { recordKind: 'run', data: structured, entry: entryFor('run', structured) },
    {
      recordKind: 'embeddings-run',
      data: lab,
      entry: { ...entryFor('embeddings-run', lab), tags: ['vectors'] },
    },
    { recordKind: 'embeddings-run', data: odd, entry: entryFor('embeddings-run', odd) },
  ];
}

const bytes = (v: Float32Array) => [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)];
const NONE = new Set<string>();
const now = new Date('2025-06-01T10:00:00Z');

// ---------------------------------------------------------------------------------------------------------

describe('exportRuns and parseImport', () => {
  it('round-trips runs and entries exactly, Float32Array vectors bit for bit', () => {
    const runs = sampleRuns();
    const result = parseImport(exportRuns(runs, { now }), NONE);
    expect(result).toEqual({ ok: true, runs, skipped: [] });
    if (!result.ok) return;
    for (const [i, run] of result.runs.entries()) {
      if (run.recordKind !== 'embeddings-run') continue;
      const original = runs[i]!.data as EmbeddingsRunRecord;
      run.data.vectors.forEach((v, k) => {
        if (v === null) return expect(original.vectors[k]).toBeNull();
        expect(v).toBeInstanceOf(Float32Array);
        expect(bytes(v)).toEqual(bytes(original.vectors[k]!));
      });
    }
    const odd = result.runs[3]!.data as EmbeddingsRunRecord;
    expect(Object.is(odd.vectors[0]![1], -0)).toBe(true);
    expect(odd.vectors[0]![0]).toBeNaN();
  });

  it('writes one versioned JSON file, one run per line, vectors as the API’s own base64', () => {
    const runs = sampleRuns();
    const text = exportRuns(runs, { now });
    const file = JSON.parse(text) as Record<string, unknown> & { runs: { data: Record<string, unknown> }[] };
    expect(file).toMatchObject({
      format: EXPORT_FORMAT,
      version: 1,
      exportedAt: '2025-06-01T10:00:00.000Z',
      recordVersions: { history: 1, run: 1, 'embeddings-run': 1 },
    });
    expect(text.split('\n').filter((line) => line.includes('"recordKind"'))).toHaveLength(runs.length);
    // Little-endian float32, base64: exactly what the API sent for encoding_format=base64.
    const recorded = embeddingCases.find((c) => c.name === 'documents_hello_and_world')!;
    expect(file.runs[2]!.data.vectors).toEqual(
      recorded.response_body.data.map((d) => ({ $f32: d.embedding })),
    );
    // An ordinary "$f32" property is escaped, so it is never read as a vector.
    expect(JSON.stringify(file.runs[1]!.data.request)).toContain('"$$f32":"AAAAAA=="');
    expect(exportFileName(new Date(2025, 0, 31, 23, 59))).toBe('sandpit-runs-2025-01-31.json');
  });

  it('refuses to export a run that contains the API key, and says which', () => {
    // Shaped like a project key, built here so no key-like string sits in the tree.
    const key = ['sk', 'proj', 'Zx81kq0aLw3vN5tY7uB9cD1eF3gH5iJ7'].join('-');
    const runs = sampleRuns();
    expect(() => exportRuns(runs, { secret: key })).not.toThrow();
    const leaky = structuredClone(runs);
    const data = leaky[1]!.data as ChatRunRecord;
    data.problem = {
      kind: 'auth',
      title: 'The API key was refused',
      cause: `A proxy echoed the header: Authorization: Bearer ${key}`,
      fix: 'Check the key.',
    };
    let error: unknown;
    try {
      exportRuns(leaky, { secret: key });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SecretInExportError);
    expect((error as SecretInExportError).runId).toBe(data.id);
    expect((error as Error).message).toMatch(/Nothing was exported: run 1a1b.* contains your API key/);

    // In a property name too.
    const named = structuredClone(runs);
    (named[0]!.data as ChatRunRecord).request = { ...(named[0]!.data as ChatRunRecord).request, [key]: 1 };
    expect(() => exportRuns(named, { secret: key })).toThrow(SecretInExportError);
    // A local server's short placeholder key is no secret, and would match ordinary words.
    expect(() => exportRuns(runs, { secret: 'test' })).not.toThrow();
  });
});

describe('parseImport rejects files it cannot read, with the reason', () => {
  const good = () => exportRuns(sampleRuns(), { now });
  const reason = (text: string) => {
    const result = parseImport(text, NONE);
    expect(result.ok).toBe(false);
    return result.ok ? '' : result.reason;
  };

  it('not JSON, with the line and column', () => {
    expect(reason('hello')).toMatch(/^This file is not JSON: .* at line 1, column 1\.$/);
    const broken = good().replace('"recordKind":"embeddings-run"', '"recordKind" "embeddings-run"');
    expect(reason(broken)).toMatch(/^This file is not JSON: expected a colon .* at line 4, column 15\.$/);
    expect(reason('')).toBe('The file is empty.');
    expect(reason(' \n')).toBe('The file is empty.');
  });

  it('cut off', () => {
    const text = good();
    for (const end of [text.length - 3, Math.floor(text.length / 2), 30]) {
      const cut = text.slice(0, end);
      const lines = cut.trimEnd().split('\n');
      expect(reason(cut)).toBe(
        `This file is cut off: the JSON ends early, at line ${lines.length}, column ${lines.at(-1)!.length + 1}. ` +
          'Export the runs again, or find the complete file.',
      );
    }
  });

  it('another program’s JSON', () => {
    expect(reason('{"name": "my-package", "version": "1.0.0"}')).toMatch(
      /not a Sandpit runs export: it has no "format": "sandpit-runs"/,
    );
    expect(reason('{"format": "chatgpt-export", "version": 1, "runs": []}')).toMatch(
      /not a Sandpit runs export: its format is "chatgpt-export"/,
    );
    expect(reason('[1, 2, 3]')).toMatch(/not a Sandpit runs export/);
    expect(reason('null')).toMatch(/not a Sandpit runs export/);
    expect(reason('{"format": "sandpit-runs", "version": 1}')).toMatch(/no list of runs/);
    expect(reason('{"format": "sandpit-runs", "version": "1", "runs": []}')).toMatch(/no valid version/);
  });

  it('made by a newer Sandpit', () => {
    const newer = good().replace('"version":1', '"version":3');
    expect(reason(newer)).toMatch(/^This file was made by a newer Sandpit, version 3; .*Reload the page/);
  });

  it('never throws, whatever it is given', () => {
    const odd = [
      '{"format":"sandpit-runs","version":1,"runs":[null,1,"x",[],{}]}',
      '{"format":"sandpit-runs","version":1,"recordVersions":[],"runs":[]}',
      '{"format":"sandpit-runs","version":1,"runs":[{"recordKind":"run","data":{"id":5}}]}',
      '{"format":"sandpit-runs","version":1,"runs":[{"recordKind":"embeddings-run","data":{"$f32":"!!"}}]}',
      '\ufeff{"format":"sandpit-runs","version":1,"runs":[]}',
      '{"__proto__":{"format":"sandpit-runs"}}',
      `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
    ];
    for (const text of odd) expect(() => parseImport(text, NONE)).not.toThrow();
    expect(parseImport(odd[4]!, NONE)).toEqual({ ok: true, runs: [], skipped: [] });
    expect(parseImport(odd[6]!, NONE)).toEqual({
      ok: false,
      reason: 'This file nests its values too deeply to be a Sandpit export.',
    });
    const first = parseImport(odd[0]!, NONE);
    expect(first.ok && first.skipped.map((s) => s.reason)).toEqual(Array(5).fill(expect.any(String)));
  });
});

describe('parseImport, run by run', () => {
  it('skips runs already in the history, or twice in the file, and overwrites nothing', () => {
    const runs = sampleRuns();
    const text = exportRuns([...runs, runs[0]!], { now });
    const result = parseImport(text, new Set([runs[2]!.data.id]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.runs.map((r) => r.data.id)).toEqual([runs[0]!.data.id, runs[1]!.data.id, runs[3]!.data.id]);
    expect(result.skipped).toEqual([
      { index: 2, id: runs[2]!.data.id, reason: 'already in your history' },
      { index: 4, id: runs[0]!.data.id, reason: 'already in your history' },
    ]);
  });

  it('skips a bad run with the reason and imports the others', () => {
    const runs = sampleRuns();
    const file = JSON.parse(exportRuns(runs, { now })) as { runs: Record<string, Record<string, unknown>>[] };
    (file.runs[1]!.data!.metrics as Record<string, unknown>).totalMs = -5;
    file.runs[2]!.data!.vectors = [{ $f32: 'not base64!' }, null];
    file.runs[3]!.recordKind = 'image-run' as never;
    const result = parseImport(JSON.stringify(file), NONE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.runs).toEqual([runs[0]]);
    expect(result.skipped).toEqual([
      {
        index: 1,
        id: runs[1]!.data.id,
        reason: expect.stringMatching(/^the run is not valid: metrics\.totalMs: /),
      },
      {
        index: 2,
        id: runs[2]!.data.id,
        reason: expect.stringMatching(/^the run is not valid: vectors\.0: .*Float32Array/),
      },
      { index: 3, id: runs[3]!.data.id, reason: 'it is an unknown kind of run ("image-run")' },
    ]);
  });

  it('checks each entry too, and reads what it says of the run off the run itself', () => {
    const runs = sampleRuns();
    const file = JSON.parse(exportRuns(runs, { now })) as { runs: { entry: Record<string, unknown> }[] };
    file.runs[0]!.entry.title = 'A title that does not match the run';
    file.runs[0]!.entry.tokens = 1;
    file.runs[1]!.entry.starred = 'yes';
    file.runs[2]!.entry.id = runs[0]!.data.id;
    const result = parseImport(JSON.stringify(file), NONE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.runs.map((r) => r.entry)).toEqual([runs[0]!.entry, runs[3]!.entry]);
    expect(result.skipped.map((s) => [s.index, s.reason])).toEqual([
      [1, expect.stringMatching(/^its history entry is not valid: starred: /)],
      [2, 'its history entry belongs to another run'],
    ]);
  });

  it('skips runs whose records a newer Sandpit saved, and imports the rest', () => {
    const text = exportRuns(sampleRuns(), { now }).replace('"run":1', '"run":9');
    const result = parseImport(text, NONE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.runs.map((r) => r.recordKind)).toEqual(['embeddings-run', 'embeddings-run']);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'the run is not valid: it was saved by a newer version of Sandpit (schema 9)',
      'the run is not valid: it was saved by a newer version of Sandpit (schema 9)',
    ]);
  });
});
