import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  fileName,
  formatFloat32,
  PROJECTOR_BLANK,
  toCsv,
  toJson,
  toProjectorTsv,
  type EmbeddingItem,
  type EmbeddingsExport,
  type EmbeddingsJson,
} from '../../src/lib/embeddings/io';

function fixtureText(path: string): string {
  return readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
}

interface RecordedCase {
  name: string;
  request_body: { input: string[]; model: string; dimensions?: number };
  decoded_float32: { index: number; dims: number; values: number[] }[];
}

const recorded = (
  JSON.parse(fixtureText('embeddings/pydantic-ai_openai_embeddings_real.json')) as { cases: RecordedCase[] }
).cases;

/** The recorded text-embedding-3-small vectors (1,536 values each), with texts chosen to be awkward. */
function realExport(): EmbeddingsExport {
  const full = recorded.filter((c) => c.request_body.dimensions === undefined);
  const vectors = full.flatMap((c) => c.decoded_float32.map((d) => Float32Array.from(d.values)));
  expect(vectors.map((v) => v.length)).toEqual([1536, 1536, 1536]);
  const items: EmbeddingItem[] = [
    { text: 'Hello, world!', label: 'greeting' },
    { text: 'He said "hi",\nthen\tleft.  ', label: '' },
    { text: '=SUM(A1:A2) -1 @home', label: 'a, "quoted" label' },
  ];
  return { items, vectors, model: 'text-embedding-3-small', dimensions: null };
}

/** The shortest-digits search of tests/server/embeddings.ts: the reference the fast one must agree with. */
function referenceFormat(value: number): string {
  const target = Math.fround(value);
  for (let precision = 1; precision < 9; precision += 1) {
    const candidate = Number(target.toPrecision(precision));
    if (Math.fround(candidate) === target) return String(candidate);
  }
  return String(Number(target.toPrecision(9)));
}

/** Significant digits of a decimal, however it is written (`2.3809172e-05`, `0.000023809172`). */
const significant = (s: string) => s.replace(/e.*$/i, '').replace(/[-+.]/g, '').replace(/^0+/, '').length;

/** Every value reads back as the very float32 it was written from. */
function expectSameFloats(written: readonly (string | number)[], vector: Float32Array): void {
  expect(written).toHaveLength(vector.length);
  const wrong = written.findIndex((w, i) => Math.fround(Number(w)) !== vector[i]);
  expect(wrong, `value ${wrong}: ${written[wrong]} ≠ ${vector[wrong]}`).toBe(-1);
}

describe('formatFloat32', () => {
  it('agrees with the upward search on real vectors, powers of two, subnormals and random bit patterns', () => {
    const values: number[] = recorded.flatMap((c) => c.decoded_float32.flatMap((d) => d.values));
    for (let e = -149; e <= 127; e++) values.push(2 ** e, -(2 ** e));
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    let seed = 12345;
    for (let n = 0; n < 100_000; n++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      bits[0] = seed;
      if (Number.isFinite(asFloat[0]!)) values.push(asFloat[0]!);
    }
    values.push(0, -0, 1, -1, 0.1, 1 / 3, 3.4028234663852886e38, 1.401298464324817e-45);
    const differ = values.filter((v) => formatFloat32(v) !== referenceFormat(v));
    expect(differ).toEqual([]);
  });

  it('writes as few digits as the API does in its own float responses', () => {
    const raw = fixtureText('embeddings/openai-node_float_base64_twin.json');
    const float = raw.slice(raw.indexOf('"float_response"'), raw.indexOf('"base64_response"'));
    const list = float.slice(float.indexOf('"embedding"'));
    const written = list
      .slice(list.indexOf('[') + 1, list.indexOf(']'))
      .split(',')
      .map((s) => s.trim());
    expect(written).toHaveLength(256);
    for (const api of written) {
      const ours = formatFloat32(Number(api));
      expect(Number(ours), api).toBe(Number(api));
      expect(significant(ours), api).toBe(significant(api));
    }
    expect(formatFloat32(-0.099287055)).toBe('-0.099287055');
  });

  it('writes non-finite values as JavaScript does', () => {
    expect([Number.NaN, Infinity, -Infinity].map(formatFloat32)).toEqual(['NaN', 'Infinity', '-Infinity']);
  });
});

const tiny: EmbeddingsExport = {
  items: [
    { text: 'first, "quoted"', label: 'a' },
    { text: 'second\nline', label: '' },
  ],
  vectors: [Float32Array.of(0.1, -0.25, 3), Float32Array.of(1e-7, 0, -1)],
  model: 'text-embedding-3-small',
  dimensions: 3,
};

describe('toJson', () => {
  it('writes a versioned document, one item a line', () => {
    expect(toJson(tiny)).toBe(
      [
        '{',
        '  "format": "sandpit-embeddings",',
        '  "version": 1,',
        '  "model": "text-embedding-3-small",',
        '  "dimensions": 3,',
        '  "items": [',
        '    {"text":"first, \\"quoted\\"","label":"a","vector":[0.1,-0.25,3]},',
        '    {"text":"second\\nline","label":"","vector":[1e-7,0,-1]}',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(toJson({ ...tiny, items: [], vectors: [] }))).toMatchObject({ items: [] });
  });

  it('reads back to the same texts, labels and float32 values (real text-embedding-3-small vectors)', () => {
    const data = realExport();
    const text = toJson(data);
    const back = JSON.parse(text) as EmbeddingsJson;
    expect(back).toMatchObject({
      format: 'sandpit-embeddings',
      version: 1,
      model: 'text-embedding-3-small',
      dimensions: null,
    });
    expect(back.items.map(({ text, label }) => ({ text, label }))).toEqual(data.items);
    back.items.forEach((item, i) => expectSameFloats(item.vector, data.vectors[i]!));
    // The shortest float32 form is about half of what doubles would take.
    const doubles = JSON.stringify(data.vectors.map((v) => Array.from(v)));
    expect(text.length).toBeLessThan(doubles.length * 0.6);
  });

  it('keeps the dimensions that were asked for', () => {
    const dims128 = recorded.find((c) => c.request_body.dimensions === 128)!;
    const vector = Float32Array.from(dims128.decoded_float32[0]!.values);
    const back = JSON.parse(
      toJson({
        items: [{ text: 'Hello, world!', label: '' }],
        vectors: [vector],
        model: 'text-embedding-3-small',
        dimensions: 128,
      }),
    ) as EmbeddingsJson;
    expect(back.dimensions).toBe(128);
    expectSameFloats(back.items[0]!.vector, vector);
  });

  it('writes a value the API never sends (NaN) as null, keeping the document valid', () => {
    const back = JSON.parse(
      toJson({ ...tiny, vectors: [Float32Array.of(Number.NaN, 1, 2), tiny.vectors[1]!] }),
    ) as EmbeddingsJson;
    expect(back.items[0]!.vector).toEqual([null, 1, 2]);
  });
});

describe('toCsv', () => {
  it('writes label,text,d0,… with RFC 4180 quoting and CRLF', () => {
    expect(toCsv(tiny)).toBe(
      'label,text,d0,d1,d2\r\na,"first, ""quoted""",0.1,-0.25,3\r\n,"second\nline",1e-7,0,-1\r\n',
    );
  });

  it('reads back with a CSV parser to the same items and float32 values (real vectors)', () => {
    const data = realExport();
    const parsed = Papa.parse<string[]>(toCsv(data), { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const [header, ...rows] = parsed.data;
    expect(header).toEqual(['label', 'text', ...Array.from({ length: 1536 }, (_, d) => `d${d}`)]);
    expect(rows.map(([label, text]) => ({ text, label }))).toEqual(data.items);
    rows.forEach((row, i) => expectSameFloats(row.slice(2), data.vectors[i]!));
  });

  it('writes just the header for no items', () => {
    expect(toCsv({ ...tiny, items: [], vectors: [] })).toBe('label,text\r\n');
  });
});

/**
 * The Embedding Projector's metadata reading (tensorboard vz_projector/data-provider.ts, parseMetadata):
 * lines split on LF, whitespace-only lines skipped, a first line with a tab taken as column names.
 */
function projectorMetadata(tsv: string): { columns: string[]; points: Record<string, string | null>[] } {
  let columns = ['label'];
  const points: Record<string, string | null>[] = [];
  let first = true;
  for (const line of tsv.split('\n')) {
    if (line.trim().length === 0) continue;
    if (first) {
      first = false;
      if (line.includes('\t')) {
        columns = line.split('\t');
        continue;
      }
    }
    const values = line.split('\t');
    points.push(
      Object.fromEntries(columns.map((name, i) => [name, values[i] === '' ? null : (values[i] ?? null)])),
    );
  }
  return { columns, points };
}

/** Its vectors reading (parseTensors): trimmed lines, tab-separated, a non-numeric first value taken as a label. */
function projectorVectors(tsv: string): string[][] {
  return tsv
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const row = line.split('\t');
      expect(Number.isNaN(Number(row[0]))).toBe(false);
      return row;
    });
}

describe('toProjectorTsv', () => {
  it('writes vectors without a header and metadata with label and text columns when labels are set', () => {
    expect(toProjectorTsv(tiny)).toEqual({
      vectors: '0.1\t-0.25\t3\n1e-7\t0\t-1\n',
      metadata: 'label\ttext\na\tfirst, "quoted"\n\tsecond line\n',
    });
  });

  it('writes the texts alone and no header when no label is set (one column has none)', () => {
    const unlabelled = { ...tiny, items: tiny.items.map((item) => ({ ...item, label: '' })) };
    expect(toProjectorTsv(unlabelled).metadata).toBe('first, "quoted"\nsecond line\n');
    const { columns, points } = projectorMetadata(toProjectorTsv(unlabelled).metadata);
    expect(columns).toEqual(['label']);
    expect(points.map((p) => p.label)).toEqual(['first, "quoted"', 'second line']);
  });

  it('loads in the projector as one point per item, on the right text (real vectors)', () => {
    const data = realExport();
    const { vectors, metadata } = toProjectorTsv(data);
    const rows = projectorVectors(vectors);
    expect(rows).toHaveLength(3);
    rows.forEach((row, i) => expectSameFloats(row, data.vectors[i]!));

    const { columns, points } = projectorMetadata(metadata);
    expect(columns).toEqual(['label', 'text']);
    expect(points).toEqual([
      { label: 'greeting', text: 'Hello, world!' },
      // The tab and the line break inside the text became spaces.
      { label: null, text: 'He said "hi", then left.  ' },
      { label: 'a, "quoted" label', text: '=SUM(A1:A2) -1 @home' },
    ]);
  });

  it('keeps a line for a blank text, which the projector would otherwise skip', () => {
    const data: EmbeddingsExport = {
      ...tiny,
      items: [
        { text: 'one', label: '' },
        { text: ' \t\n', label: '' },
        { text: 'three', label: '' },
      ],
      vectors: [tiny.vectors[0]!, tiny.vectors[1]!, tiny.vectors[0]!],
    };
    const { metadata } = toProjectorTsv(data);
    expect(metadata).toBe(`one\n${PROJECTOR_BLANK}\nthree\n`);
    expect(projectorMetadata(metadata).points.map((p) => p.label)).toEqual(['one', PROJECTOR_BLANK, 'three']);
    const labelled = toProjectorTsv({
      ...data,
      items: data.items.map((item, i) => ({ ...item, label: `L${i}` })),
    });
    expect(projectorMetadata(labelled.metadata).points).toHaveLength(3);
  });
});

describe('every export', () => {
  it('refuses vectors that do not match the items one to one, or differ in length', () => {
    const exporters = [toJson, toCsv, toProjectorTsv];
    for (const exporter of exporters) {
      expect(() => exporter({ ...tiny, vectors: [tiny.vectors[0]!] })).toThrow(
        new RangeError('There are 2 items but 1 vectors: export needs one vector per item.'),
      );
      expect(() => exporter({ ...tiny, vectors: [tiny.vectors[0]!, Float32Array.of(1, 2)] })).toThrow(
        new RangeError('Vector 1 has 2 values, vector 0 has 3: they must all have one length.'),
      );
    }
  });
});

describe('fileName', () => {
  it('names each download after the model', () => {
    expect(fileName('text-embedding-3-small', 'json')).toBe('embeddings-text-embedding-3-small.json');
    expect(fileName('text-embedding-3-small', 'csv')).toBe('embeddings-text-embedding-3-small.csv');
    expect(fileName('text-embedding-3-large', 'vectors.tsv')).toBe(
      'embeddings-text-embedding-3-large-vectors.tsv',
    );
    expect(fileName('text-embedding-3-large', 'metadata.tsv')).toBe(
      'embeddings-text-embedding-3-large-metadata.tsv',
    );
    expect(fileName('text-embedding-3-small', 'heatmap.png')).toBe(
      'embeddings-text-embedding-3-small-heatmap.png',
    );
  });

  it('replaces what a file system may refuse', () => {
    expect(fileName('ft:text-embedding-3-small:acme::AbC', 'json')).toBe(
      'embeddings-ft-text-embedding-3-small-acme-AbC.json',
    );
    expect(fileName('nomic-ai/nomic-embed-text:v1.5', 'csv')).toBe(
      'embeddings-nomic-ai-nomic-embed-text-v1.5.csv',
    );
    expect(fileName('../..', 'json')).toBe('embeddings-model.json');
    expect(fileName('', 'csv')).toBe('embeddings-model.csv');
  });
});
