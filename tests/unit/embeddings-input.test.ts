import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fnv1a64Hex } from '../../src/lib/embeddings/cache-key';
import {
  binaryFileError,
  cacheKey,
  cacheKeys,
  csvItems,
  DEFAULT_BATCH_LIMITS,
  fallbackHash,
  parseCsv,
  parsePasted,
  parseTxtFile,
  planBatches,
  suggestTextColumn,
  tooLong,
  type CacheKeyParts,
  type CsvParseResult,
  type ParsedCsv,
} from '../../src/lib/embeddings/io';
import { EMBEDDING_LIMITS } from '../../src/lib/models';

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

/** The table, or a failed test that shows the error. */
function table(result: CsvParseResult): ParsedCsv {
  if ('error' in result) throw new Error(`expected a table, got: ${result.error}`);
  return result;
}

/** Bytes as a browser's `file.text()` would decode them. */
const asUtf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('parsePasted', () => {
  it('takes one text per line, skipping and counting blank and whitespace-only lines', () => {
    expect(parsePasted('first\n\nsecond\n   \n\t\nthird\n')).toEqual({
      items: [
        { text: 'first', label: '' },
        { text: 'second', label: '' },
        { text: 'third', label: '' },
      ],
      skippedEmpty: 3,
    });
  });

  it('reads a label before the first tab', () => {
    expect(
      parsePasted('ml\tMachine learning finds patterns.\n\tNo label here\n  fruit  \tapple\tpie'),
    ).toEqual({
      items: [
        { text: 'Machine learning finds patterns.', label: 'ml' },
        { text: 'No label here', label: '' },
        { text: 'apple\tpie', label: 'fruit' },
      ],
      skippedEmpty: 0,
    });
  });

  it('skips a label with no text after its tab', () => {
    expect(parsePasted('lonely\t\nlonely\t   \nkept')).toEqual({
      items: [{ text: 'kept', label: '' }],
      skippedEmpty: 2,
    });
  });

  it('handles CRLF and CR, and trims trailing whitespace only', () => {
    expect(parsePasted('  indented code  \r\nsecond\t\r\n\r\nthird\rfourth \u00a0')).toEqual({
      items: [
        { text: '  indented code', label: '' },
        { text: 'third', label: '' },
        { text: 'fourth', label: '' },
      ],
      // 'second\t' is a label with no text; the empty line between CRLFs is blank.
      skippedEmpty: 2,
    });
  });

  it('does not count the end of the last line as a blank line, nor an empty paste', () => {
    expect(parsePasted('one\n')).toEqual({ items: [{ text: 'one', label: '' }], skippedEmpty: 0 });
    expect(parsePasted('one\n\n')).toEqual({ items: [{ text: 'one', label: '' }], skippedEmpty: 1 });
    expect(parsePasted('')).toEqual({ items: [], skippedEmpty: 0 });
  });

  it('reads a .txt file the same way, without its BOM', () => {
    const text = '\uFEFFa\tfirst\r\n\r\nsecond\r\n';
    expect(parseTxtFile(text)).toEqual({
      items: [
        { text: 'first', label: 'a' },
        { text: 'second', label: '' },
      ],
      skippedEmpty: 1,
    });
    expect(parseTxtFile(text)).toEqual(parsePasted(text));
  });
});

describe('binaryFileError', () => {
  it('accepts text, accents and emoji included', () => {
    expect(binaryFileError('café, naïve, 東京, 🙂\nline two\ttabbed\f')).toBeNull();
    expect(binaryFileError('')).toBeNull();
  });

  it('names a zip archive (a .xlsx saved under another name)', () => {
    const xlsx = asUtf8(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]));
    expect(binaryFileError(xlsx)).toMatch(/^This is a zip archive \(an Excel or LibreOffice workbook\?\)/);
  });

  it('refuses NUL bytes, as in a UTF-16 file read as UTF-8', () => {
    const utf16 = asUtf8(new Uint8Array(Buffer.from('\uFEFFtext,label\nhello,a\n', 'utf16le')));
    expect(binaryFileError(utf16)).toMatch(/^This file is not text: it contains NUL bytes/);
  });

  it('refuses bytes that are mostly not UTF-8 (an image, a PDF stream)', () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256).map((b) =>
      b === 0 ? 1 : b,
    );
    expect(binaryFileError(asUtf8(bytes))).toMatch(/^This file is not UTF-8 text/);
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const csv = 'text,label\n"Hello, world",greeting\n"He said ""hi""\nand left",story\nplain,x\n';
    expect(parseCsv(csv)).toEqual({
      columns: ['text', 'label'],
      rows: [
        ['Hello, world', 'greeting'],
        ['He said "hi"\nand left', 'story'],
        ['plain', 'x'],
      ],
      hasHeader: true,
      delimiter: ',',
    });
  });

  it('drops a BOM and reads CRLF files (as Excel writes them) without a CR in the last cell', () => {
    const csv = '\uFEFFtext,label\r\n"two\r\nlines",a\r\nthird,b\r\n';
    expect(table(parseCsv(csv))).toMatchObject({
      columns: ['text', 'label'],
      rows: [
        ['two\nlines', 'a'],
        ['third', 'b'],
      ],
    });
  });

  it('finds a semicolon delimiter (European Excel), with commas inside the texts', () => {
    const csv = 'id;text;score\n1;Bonjour, le monde;0,5\n2;"Quoted; with a semicolon";1,25\n';
    expect(parseCsv(csv)).toEqual({
      columns: ['id', 'text', 'score'],
      rows: [
        ['1', 'Bonjour, le monde', '0,5'],
        ['2', 'Quoted; with a semicolon', '1,25'],
      ],
      hasHeader: true,
      delimiter: ';',
    });
  });

  it('finds a tab delimiter, even with a blank line at the end', () => {
    expect(table(parseCsv('label\ttext\na\tfirst, with a comma\nb\tsecond\n\n'))).toMatchObject({
      columns: ['label', 'text'],
      rows: [
        ['a', 'first, with a comma'],
        ['b', 'second'],
      ],
      delimiter: '\t',
    });
  });

  it('pads a row with a missing column, leaves out blank rows, and names columns a header leaves blank', () => {
    const csv = 'text,label,\nfirst,a,1\nsecond\n\n,,\nthird,c,3\n';
    expect(parseCsv(csv, { hasHeader: true })).toEqual({
      columns: ['text', 'label', 'Column 3'],
      rows: [
        ['first', 'a', '1'],
        ['second', '', ''],
        ['third', 'c', '3'],
      ],
      hasHeader: true,
      delimiter: ',',
    });
  });

  it('reads a one-column file', () => {
    expect(table(parseCsv('sentence\nThe cat sat.\nThe dog ran.'))).toMatchObject({
      columns: ['sentence'],
      rows: [['The cat sat.'], ['The dog ran.']],
      hasHeader: true,
    });
  });

  it('names the row and line of an unclosed quote', () => {
    const lines = [
      'text,label',
      ...Array.from({ length: 10 }, (_, i) => `row ${i + 2},x`),
      '"never closed,y',
      'more,z',
    ];
    expect(parseCsv(lines.join('\n'))).toEqual({
      error: 'Row 12 has an unclosed quote: the quoted field that starts on line 12 never ends.',
    });
    // A quoted line break earlier makes the row and the line differ.
    expect(parseCsv('text\n"one\ntwo"\n"open\n')).toEqual({
      error: 'Row 3 has an unclosed quote: the quoted field that starts on line 4 never ends.',
    });
  });

  it('refuses a stray quote after a quoted field', () => {
    expect(parseCsv('text,label\n"quoted"tail,a\nok,b')).toEqual({
      error:
        'Row 2 has a stray quote: a quoted field on line 2 goes on after its closing quote. Inside a quoted field, write a quote as "".',
    });
  });

  it('says an empty file has no rows', () => {
    for (const empty of ['', '\uFEFF', '\n\n', ' \r\n\t\r\n', ',,\n , \n']) {
      expect(parseCsv(empty), JSON.stringify(empty)).toEqual({ error: 'The file has no rows.' });
    }
  });

  it('refuses a binary file with a reason instead of a table of garbage', () => {
    const xlsx = asUtf8(
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x0a, 0x3b]),
    );
    expect(parseCsv(xlsx)).toEqual({ error: expect.stringMatching(/^This is a zip archive/) as string });
    const png = asUtf8(
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48]),
    );
    expect(parseCsv(png)).toEqual({ error: expect.stringMatching(/NUL bytes/) as string });
  });

  it('reads a file of 200,000 rows', () => {
    const csv = [
      'text,label',
      ...Array.from({ length: 200_000 }, (_, i) => `"row ${i}, quoted",l${i % 3}`),
    ].join('\n');
    const parsed = table(parseCsv(csv));
    expect(parsed.rows).toHaveLength(200_000);
    expect(parsed.rows[199_999]).toEqual(['row 199999, quoted', 'l1']);
  });

  it('never throws, whatever the bytes', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet = ['a', ',', ';', '\t', '"', '\n', '\r', ' ', '1', '\uFEFF', 'é', '\u0000'];
    for (let n = 0; n < 300; n++) {
      const text = Array.from({ length: next() % 60 }, () => alphabet[next() % alphabet.length]).join('');
      const result = parseCsv(text);
      expect('error' in result || result.rows.every((r) => r.length === result.columns.length)).toBe(true);
    }
  });

  describe('header detection', () => {
    it('takes distinct, non-numeric names as a header', () => {
      expect(table(parseCsv('id,text\n1,alpha\n2,beta')).hasHeader).toBe(true);
    });

    it('does not take a row of data for a header', () => {
      // A number in the first row.
      expect(table(parseCsv('1,alpha\n2,beta')).hasHeader).toBe(false);
      // A value that recurs in its column.
      expect(table(parseCsv('pos,great film\nneg,dull\npos,loved it')).hasHeader).toBe(false);
      // A blank cell, a repeated name.
      expect(table(parseCsv(',alpha\nx,beta')).hasHeader).toBe(false);
      expect(table(parseCsv('a,a\nx,y')).hasHeader).toBe(false);
      // A long sentence is text, not a column name.
      expect(table(parseCsv(`${'word '.repeat(30)}\nshort`)).hasHeader).toBe(false);
      // Nothing below it.
      expect(table(parseCsv('text,label')).hasHeader).toBe(false);
    });

    it('names columns Column 1, Column 2, … without a header', () => {
      expect(table(parseCsv('1,alpha\n2,beta'))).toMatchObject({
        columns: ['Column 1', 'Column 2'],
        rows: [
          ['1', 'alpha'],
          ['2', 'beta'],
        ],
      });
    });

    it('lets the caller override the guess either way', () => {
      const csv = 'text,label\nfirst,a';
      expect(parseCsv(csv, { hasHeader: false })).toMatchObject({
        columns: ['Column 1', 'Column 2'],
        rows: [
          ['text', 'label'],
          ['first', 'a'],
        ],
        hasHeader: false,
      });
      expect(parseCsv('Hello there\nGeneral Kenobi', { hasHeader: true })).toMatchObject({
        columns: ['Hello there'],
        rows: [['General Kenobi']],
        hasHeader: true,
      });
    });
  });
});

describe('csvItems and suggestTextColumn', () => {
  const parsed = table(
    parseCsv(
      'id,review,sentiment\n1,"Loved it, would watch again.  ",  pos \n2,,neg\n3,"Dull.\nToo long.","very\nneg"\n4\n',
    ),
  );

  it('suggests the column with the longest texts', () => {
    expect(suggestTextColumn(parsed)).toBe(1);
    expect(suggestTextColumn(table(parseCsv('a,b\nxx,y\nxx,y')))).toBe(0);
    expect(suggestTextColumn(table(parseCsv('a,b', { hasHeader: true })))).toBe(0);
  });

  it('takes the text and label columns, skipping and counting rows with no text', () => {
    expect(csvItems(parsed, 1, 2)).toEqual({
      items: [
        { text: 'Loved it, would watch again.', label: 'pos' },
        { text: 'Dull.\nToo long.', label: 'very neg' },
      ],
      // Row 2 has an empty review, row 4 none at all.
      skippedEmpty: 2,
    });
    expect(csvItems(parsed, 1, null).items.map((i) => i.label)).toEqual(['', '']);
    expect(csvItems(parsed, 0, null)).toMatchObject({ skippedEmpty: 0, items: [{ text: '1' }, {}, {}, {}] });
  });

  it('refuses a column the file does not have', () => {
    expect(() => csvItems(parsed, 3, null)).toThrow(
      new RangeError("The text column 3 is not one of the file's 3 columns."),
    );
    expect(() => csvItems(parsed, 1, -1)).toThrow(RangeError);
    expect(() => csvItems(parsed, 0.5, null)).toThrow(RangeError);
  });
});

describe('planBatches', () => {
  it('uses the limits of the API', () => {
    const spec = fixture<{
      embeddings_limits_from_spec: { max_inputs_per_request: number; max_total_tokens_per_request: number };
    }>('models/openai_models_metadata.json').embeddings_limits_from_spec;
    expect(DEFAULT_BATCH_LIMITS).toEqual({
      maxInputs: spec.max_inputs_per_request,
      maxTokensPerRequest: spec.max_total_tokens_per_request,
    });
    expect(DEFAULT_BATCH_LIMITS).toEqual({ maxInputs: 2048, maxTokensPerRequest: 300_000 });
  });

  it('puts exactly 2,048 inputs in one request, and the 2,049th in the next', () => {
    expect(planBatches(Array<number>(2048).fill(5))).toEqual([{ start: 0, end: 2048 }]);
    expect(planBatches(Array<number>(2049).fill(5))).toEqual([
      { start: 0, end: 2048 },
      { start: 2048, end: 2049 },
    ]);
    expect(planBatches(Array<number>(5000).fill(1))).toEqual([
      { start: 0, end: 2048 },
      { start: 2048, end: 4096 },
      { start: 4096, end: 5000 },
    ]);
  });

  it('fills a request up to exactly 300,000 tokens, and not one more', () => {
    expect(planBatches(Array<number>(100).fill(3000))).toEqual([{ start: 0, end: 100 }]);
    expect(planBatches([...Array<number>(100).fill(3000), 1])).toEqual([
      { start: 0, end: 100 },
      { start: 100, end: 101 },
    ]);
    // 36 inputs at the per-input limit make 294,912 tokens; a 37th would pass 300,000.
    expect(planBatches(Array<number>(73).fill(EMBEDDING_LIMITS.maxInputTokens))).toEqual([
      { start: 0, end: 36 },
      { start: 36, end: 72 },
      { start: 72, end: 73 },
    ]);
  });

  it('sends an input just under the per-request limit alone', () => {
    expect(planBatches([2, 299_999, 2])).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 3 },
    ]);
    // With one token beside it, it makes exactly 300,000.
    expect(planBatches([1, 299_999, 1, 1])).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
    ]);
  });

  it('covers every index once, in order, each batch within both limits', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const limits = { maxInputs: 50, maxTokensPerRequest: 20_000 };
    const counts = Array.from({ length: 3000 }, () => next() % 8193);
    const batches = planBatches(counts, limits);
    expect(batches[0]!.start).toBe(0);
    expect(batches.at(-1)!.end).toBe(counts.length);
    batches.forEach((b, i) => {
      if (i > 0) expect(b.start).toBe(batches[i - 1]!.end);
      expect(b.end - b.start).toBeGreaterThan(0);
      expect(b.end - b.start).toBeLessThanOrEqual(limits.maxInputs);
      expect(counts.slice(b.start, b.end).reduce((a, c) => a + c, 0)).toBeLessThanOrEqual(
        limits.maxTokensPerRequest,
      );
      // Greedy: the next input would not have fitted.
      const after = counts[b.end];
      if (after !== undefined && b.end - b.start < limits.maxInputs) {
        expect(counts.slice(b.start, b.end + 1).reduce((a, c) => a + c, 0)).toBeGreaterThan(
          limits.maxTokensPerRequest,
        );
      }
    });
  });

  it('plans nothing for no texts, and lets empty counts through', () => {
    expect(planBatches([])).toEqual([]);
    expect(planBatches([0, 0])).toEqual([{ start: 0, end: 2 }]);
  });

  it('refuses counts no request can hold, and counts that are not counts', () => {
    expect(() => planBatches([10, 300_001])).toThrow(
      new RangeError('Text 1 has 300001 tokens, more than the 300000 a request may hold: remove it first.'),
    );
    expect(() => planBatches([1, -1])).toThrow(RangeError);
    expect(() => planBatches([Number.NaN])).toThrow(RangeError);
    expect(() => planBatches([1.5])).toThrow(RangeError);
    expect(() => planBatches([1], { maxInputs: 0, maxTokensPerRequest: 10 })).toThrow(RangeError);
  });
});

describe('tooLong', () => {
  it('finds the inputs over 8,192 tokens', () => {
    expect(tooLong([8192, 8193, 0, 12_000, 1])).toEqual([1, 3]);
    expect(tooLong([])).toEqual([]);
    expect(tooLong([10, 11, 12], 10)).toEqual([1, 2]);
  });
});

describe('cacheKey', () => {
  const parts: CacheKeyParts = {
    baseURL: 'https://api.openai.com/v1',
    model: 'text-embedding-3-small',
    dimensions: null,
    text: 'Hello, world!',
  };

  it('is the SHA-256 of the JSON array of the parts, in hex', async () => {
    const expected = createHash('sha256')
      .update(JSON.stringify(['https://api.openai.com/v1', 'text-embedding-3-small', null, 'Hello, world!']))
      .digest('hex');
    expect(await cacheKey(parts)).toBe(expected);
    expect(await cacheKey({ ...parts })).toBe(expected);
  });

  it('differs when the dimensions, the server, the model or the text differ', async () => {
    const variants: CacheKeyParts[] = [
      parts,
      { ...parts, dimensions: 1536 },
      { ...parts, dimensions: 256 },
      { ...parts, baseURL: 'http://localhost:11434/v1' },
      { ...parts, model: 'text-embedding-3-large' },
      { ...parts, text: 'Hello, world! ' },
      { ...parts, text: 'hello, world!' },
      // Boundaries cannot shift between parts.
      { ...parts, model: 'text-embedding-3-small","', text: 'Hello' },
      { ...parts, text: '\ud800' },
      { ...parts, text: '\udfff' },
    ];
    for (const digest of [undefined, null]) {
      const keys = await cacheKeys(variants, digest);
      expect(new Set(keys).size, `digest ${String(digest)}`).toBe(variants.length);
    }
  });

  it('takes a base URL with a trailing slash for the same server', async () => {
    expect(await cacheKey({ ...parts, baseURL: 'https://api.openai.com/v1/' })).toBe(await cacheKey(parts));
  });

  it('keys many parts in one call, in order', async () => {
    const many = ['a', 'b', 'c'].map((text) => ({ ...parts, text }));
    expect(await cacheKeys(many)).toEqual(await Promise.all(many.map((p) => cacheKey(p))));
    expect(await cacheKeys([])).toEqual([]);
  });

  it('falls back to a 128-bit FNV-1a hash where crypto.subtle is missing (http pages on a LAN)', async () => {
    const key = await cacheKey(parts, null);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await cacheKey(parts, null)).toBe(key);
    const bytes = new TextEncoder().encode(
      JSON.stringify([parts.baseURL, parts.model, parts.dimensions, parts.text]),
    );
    expect(key).toBe(fallbackHash(bytes));
    // SHA-256 keys are twice as long: the two kinds never meet in one cache.
    expect(await cacheKey(parts)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the fallback hash', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("gives FNV-1a 64's published test vectors", () => {
    expect(fnv1a64Hex(bytes(''))).toBe('cbf29ce484222325');
    expect(fnv1a64Hex(bytes('a'))).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex(bytes('foobar'))).toBe('85944171f73967e8');
  });

  it('agrees with a BigInt FNV-1a on long and varied input, twice over', () => {
    const reference = (data: Uint8Array, basis: bigint) => {
      let h = basis;
      for (const b of data) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
      return h;
    };
    const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 2654435761) >>> 24);
    const first = reference(data, 0xcbf29ce484222325n);
    const second = reference(data, first);
    const hex = (n: bigint) => n.toString(16).padStart(16, '0');
    expect(fnv1a64Hex(data)).toBe(hex(first));
    expect(fallbackHash(data)).toBe(hex(first) + hex(second));
  });
});
