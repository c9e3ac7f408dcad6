/**
 * Downloads of an embeddings run: a versioned JSON document, a CSV table, and the two TSV files of the
 * TensorFlow Embedding Projector (projector.tensorflow.org). Pure functions returning strings; the caller
 * makes the Blob.
 */
import type { EmbeddingItem } from './input';

/** The texts of a run, their vectors (one per item, in order) and how they were made. */
export interface EmbeddingsExport {
  items: readonly EmbeddingItem[];
  vectors: readonly Float32Array[];
  model: string;
  /** The `dimensions` sent, or null when none was (the model's default length). */
  dimensions: number | null;
}

/** The JSON download, as {@link toJson} writes it. */
export interface EmbeddingsJson {
  format: 'sandpit-embeddings';
  version: 1;
  model: string;
  dimensions: number | null;
  items: { text: string; label: string; vector: number[] }[];
}

/**
 * What a download holds, as {@link fileName} names it: a bare extension (`'json'`, `'csv'`) or a name with
 * its extension (`'vectors.tsv'`, `'metadata.tsv'`, `'heatmap.png'`).
 */
export type ExportKind = 'json' | 'csv' | 'vectors.tsv' | 'metadata.tsv' | (string & {});

/**
 * The shortest decimal that reads back as the same float32 (`Math.fround(Number(s)) === Math.fround(v)`):
 * about 10 characters where a double's shortest form takes 20 (`-0.019193023443222046` → `-0.019193023`).
 * Non-finite values print as `NaN`, `Infinity`, `-Infinity`.
 *
 * Embedding values need 7 or 8 significant digits (9 always suffice), so the search starts at 7 and goes
 * down while that still reads back, or up to 8 and 9 when it does not: two `toPrecision` calls for most
 * values, where counting up from 1 (tests/server/embeddings.ts) takes eight. Stopping early is exact
 * because `toPrecision(p)` is the nearest p-digit decimal and a float32 reads back from a symmetric
 * interval: when any shorter decimal is inside it, the nearest p-digit one is too. Powers of two, whose
 * interval is narrower below, are the exception in principle; the tests compare all of them, and random
 * values, with the count up from 1.
 */
export function formatFloat32(value: number): string {
  const target = Math.fround(value);
  if (!Number.isFinite(target)) return String(target);
  let best = Number(target.toPrecision(7));
  if (Math.fround(best) !== target) {
    const eight = Number(target.toPrecision(8));
    return String(Math.fround(eight) === target ? eight : Number(target.toPrecision(9)));
  }
  for (let precision = 6; precision >= 1; precision--) {
    const candidate = Number(target.toPrecision(precision));
    if (Math.fround(candidate) !== target) break;
    best = candidate;
  }
  return String(best);
}

/** Checks that there is one vector per item and that all have one length; returns that length. */
function widthOf({ items, vectors }: EmbeddingsExport): number {
  if (items.length !== vectors.length) {
    throw new RangeError(
      `There are ${items.length} items but ${vectors.length} vectors: export needs one vector per item.`,
    );
  }
  const width = vectors[0]?.length ?? 0;
  const odd = vectors.findIndex((v) => v.length !== width);
  if (odd !== -1) {
    throw new RangeError(
      `Vector ${odd} has ${vectors[odd]!.length} values, vector 0 has ${width}: they must all have one length.`,
    );
  }
  return width;
}

/**
 * A JSON document `{ format: 'sandpit-embeddings', version: 1, model, dimensions, items: [{ text, label,
 * vector }] }`, one item a line. Each value is written in the shortest form that reads back as the same
 * float32 ({@link formatFloat32}); a non-finite value (never sent by the API) is written as null, as
 * `JSON.stringify` would.
 *
 * @throws RangeError when the vectors do not match the items one to one, or differ in length.
 */
export function toJson(data: EmbeddingsExport): string {
  widthOf(data);
  const { items, vectors, model, dimensions } = data;
  const lines = items.map((item, i) => {
    const values = Array.from(vectors[i]!, (v) => (Number.isFinite(v) ? formatFloat32(v) : 'null'));
    return `    {"text":${JSON.stringify(item.text)},"label":${JSON.stringify(item.label)},"vector":[${values.join(',')}]}`;
  });
  const head = [
    `  "format": "sandpit-embeddings"`,
    `  "version": 1`,
    `  "model": ${JSON.stringify(model)}`,
    `  "dimensions": ${JSON.stringify(dimensions)}`,
  ];
  const list = lines.length === 0 ? '[]' : `[\n${lines.join(',\n')}\n  ]`;
  return `{\n${head.join(',\n')},\n  "items": ${list}\n}\n`;
}

/**
 * A CSV table with the header `label,text,d0,d1,…` and one row per item, quoted as RFC 4180 says (a field
 * with a comma, a quote or a line break is quoted, its quotes doubled; every row ends in CRLF). Values
 * are written as {@link formatFloat32} does.
 *
 * Texts are written as they are, with no `'` put before a leading `=`, `+`, `-` or `@`: the file is data
 * for pandas or a script, the texts are the user's own, and a prefix would change them on the way back.
 *
 * @throws RangeError when the vectors do not match the items one to one, or differ in length.
 */
export function toCsv(data: EmbeddingsExport): string {
  const width = widthOf(data);
  const header = ['label', 'text', ...Array.from({ length: width }, (_, d) => `d${d}`)].join(',');
  // Numbers never need quotes; building the rows by hand is twice as fast as papaparse's unparse here.
  const rows = data.items.map(
    (item, i) =>
      `${csvField(item.label)},${csvField(item.text)}${width ? ',' : ''}${Array.from(data.vectors[i]!, formatFloat32).join(',')}`,
  );
  return [header, ...rows].map((row) => row + '\r\n').join('');
}

/** One field as RFC 4180 writes it: quoted, its quotes doubled, when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** What stands in for a text or label that is blank: the projector drops whitespace-only lines. */
export const PROJECTOR_BLANK = '(blank)';

/** A metadata cell: one line, no tabs (the projector splits on both and does not unquote). */
function projectorCell(value: string): string {
  return value.replace(/[\t\n\r]/g, ' ');
}

/**
 * The two files the Embedding Projector's "Load" dialog takes (tensorboard, vz_projector/data-provider.ts):
 *
 * - `vectors`: one line per item, its values separated by tabs, no header.
 * - `metadata`: one line per item in the same order. With any label set, two columns and the header row
 *   `label\ttext` (the projector reads a first line with a tab as column names); with no labels, the texts
 *   alone and no header, since a one-column file has none by the projector's rule.
 *
 * Tabs and line breaks inside texts and labels become spaces. The projector skips whitespace-only lines,
 * which would shift every later point onto the wrong text, so a line that would be blank (a blank text
 * with no label) gets {@link PROJECTOR_BLANK} for its text. Lines end in LF: the projector keeps a CR as
 * part of the last cell. It needs vectors of at least 2 values.
 *
 * @throws RangeError when the vectors do not match the items one to one, or differ in length.
 */
export function toProjectorTsv(data: EmbeddingsExport): { vectors: string; metadata: string } {
  widthOf(data);
  const vectors = data.vectors.map((v) => Array.from(v, formatFloat32).join('\t') + '\n').join('');
  const labelled = data.items.some((item) => item.label !== '');
  const rows = data.items.map(({ text, label }) => {
    const cellText = projectorCell(text).trim() === '' ? PROJECTOR_BLANK : projectorCell(text);
    return labelled ? `${projectorCell(label)}\t${cellText}` : cellText;
  });
  const metadata = (labelled ? ['label\ttext', ...rows] : rows).map((line) => line + '\n').join('');
  return { vectors, metadata };
}

/**
 * A download name: `embeddings-<model>.<kind>` for a bare extension (`json`, `csv`), and
 * `embeddings-<model>-<kind>` for a name with its extension (`vectors.tsv`, `metadata.tsv`,
 * `heatmap.png`). Characters a file system may refuse (`:` of fine-tuned ids, `/` of local model names)
 * become `-`.
 *
 * @example fileName('text-embedding-3-small', 'metadata.tsv') === 'embeddings-text-embedding-3-small-metadata.tsv'
 */
export function fileName(model: string, kind: ExportKind): string {
  const slug = safeName(model).slice(0, 100) || 'model';
  const suffix = safeName(kind);
  return suffix.includes('.') ? `embeddings-${slug}-${suffix}` : `embeddings-${slug}.${suffix || 'txt'}`;
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
}
