/**
 * The embeddings lab's input side: texts (with optional labels) from pasted text, a .txt file or a CSV
 * file. Pure functions, no DOM: the caller reads the file (`await file.text()`) and passes the string.
 */
import Papa, { type ParseError, type ParseResult } from 'papaparse';
import { binaryFileError, type EmbeddingItem, type ParsedTexts } from './texts';

export { binaryFileError, parsePasted, parseTxtFile } from './texts';
export type { EmbeddingItem, ParsedTexts } from './texts';

/** A CSV file read into rows of strings, every row as wide as the widest one. */
export interface ParsedCsv {
  /** Column names: the header row's cells, or `Column 1`, `Column 2`, … (also for empty header cells). */
  columns: string[];
  /** The data rows, without the header row; short rows padded with ''. Blank rows are left out. */
  rows: string[][];
  /** Whether the first row of the file was taken as the column names (see {@link parseCsv}). */
  hasHeader: boolean;
  /** The field delimiter found in the file. */
  delimiter: CsvDelimiter;
}

export type CsvDelimiter = ',' | ';' | '\t';

/** What {@link parseCsv} gives: the table, or a sentence saying why the file cannot be read. */
export type CsvParseResult = ParsedCsv | { error: string };

const BOM = '\uFEFF';
const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];
/** The longest cell still taken for a column name when guessing whether the first row is a header. */
const MAX_HEADER_CELL = 100;

function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** A number as a spreadsheet would write it, decimal comma included. */
const NUMBER = /^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[-+]?\d+)?%?$/i;

function isBlank(cell: string): boolean {
  return cell.trim() === '';
}

/**
 * Whether the first row looks like column names, by a deliberately simple rule: there is at least one other
 * row, and every cell of the first row is non-blank, not a number, on one line, at most 100 characters,
 * different from the other cells of that row, and not repeated further down its column (a name is not a
 * value). A one-column file of short phrases therefore reads its first phrase as a header: the caller
 * lets the user override the guess.
 */
function looksLikeHeader(rows: readonly string[][]): boolean {
  const [first, ...rest] = rows;
  if (!first || rest.length === 0) return false;
  const names = first.map((cell) => cell.trim());
  if (new Set(names).size !== names.length) return false;
  return names.every(
    (name, column) =>
      name !== '' &&
      name.length <= MAX_HEADER_CELL &&
      !name.includes('\n') &&
      !NUMBER.test(name) &&
      rest.every((row) => (row[column] ?? '').trim() !== name),
  );
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function quoteError(error: ParseError, text: string): string {
  const where = error.row === undefined ? 'A row' : `Row ${error.row + 1}`;
  const line = error.index === undefined ? null : lineOf(text, error.index);
  const onLine = line === null ? '' : ` on line ${line}`;
  return error.code === 'InvalidQuotes'
    ? `${where} has a stray quote: a quoted field${onLine} goes on after its closing quote. Inside a quoted field, write a quote as "".`
    : `${where} has an unclosed quote: the quoted field that starts${onLine} never ends.`;
}

function columnName(index: number): string {
  return `Column ${index + 1}`;
}

/**
 * Reads a CSV file with papaparse: quoted fields with commas, quotes ("") and line breaks inside; a
 * leading BOM; CRLF, CR or LF; `,`, `;` or tab as the delimiter, whichever fits the file (a file with
 * one column reads as `,`). Rows whose cells are all blank are left out; short rows are padded with ''.
 *
 * Whether the first row holds the column names is guessed (see {@link looksLikeHeader}: non-blank,
 * non-numeric, distinct names that do not recur as values) unless `options.hasHeader` says so.
 *
 * Never throws: an empty file, a binary one, or an unclosed or stray quote give `{ error }` with a
 * sentence to show, e.g. "The file has no rows." or "Row 12 has an unclosed quote: …".
 */
export function parseCsv(text: string, options: { hasHeader?: boolean } = {}): CsvParseResult {
  const content = stripBom(text);
  const binary = binaryFileError(content);
  if (binary) return { error: binary };
  // One line break everywhere: papaparse guesses a single one per file, and a CR left at a row's end
  // would end up in its last cell. A CRLF inside a quoted field becomes LF too: the same text gets the
  // same embedding and cache key whether the file was saved on Windows or not.
  const normalized = content.replace(/\r\n?/g, '\n');
  if (normalized.trim() === '') return { error: 'The file has no rows.' };

  let result: ParseResult<string[]>;
  try {
    // Skipping blank lines matters to the delimiter guess (a final empty line would spoil a tab file's);
    // error rows still count every row of the file.
    result = Papa.parse<string[]>(normalized, {
      delimitersToGuess: [...DELIMITERS],
      newline: '\n',
      skipEmptyLines: 'greedy',
    });
  } catch (error) {
    return {
      error: `The file could not be read as CSV: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  // The only other errors papaparse reports without `header: true` are its delimiter guesses (a file
  // with one column has none to find): not a problem.
  const quotes = result.errors.find((e) => e.type === 'Quotes');
  if (quotes) return { error: quoteError(quotes, normalized) };

  const raw = result.data.filter((row) => !row.every(isBlank));
  if (raw.length === 0) return { error: 'The file has no rows.' };
  // Not Math.max(...rows): spreading 100,000 arguments overflows the stack.
  const width = raw.reduce((widest, row) => Math.max(widest, row.length), 0);
  const padded = raw.map((row) =>
    row.length < width ? [...row, ...Array<string>(width - row.length).fill('')] : row,
  );

  const hasHeader = options.hasHeader ?? looksLikeHeader(padded);
  const header = hasHeader ? padded[0]! : [];
  const columns = Array.from({ length: width }, (_, i) => header[i]?.trim() || columnName(i));
  const delimiter = DELIMITERS.find((d) => d === result.meta.delimiter) ?? ',';
  return { columns, rows: hasHeader ? padded.slice(1) : padded, hasHeader, delimiter };
}

function checkColumn(parsed: ParsedCsv, column: number, what: string): void {
  if (!Number.isInteger(column) || column < 0 || column >= parsed.columns.length) {
    throw new RangeError(
      `The ${what} column ${column} is not one of the file's ${parsed.columns.length} columns.`,
    );
  }
}

/**
 * The items of a parsed CSV: the text from `textColumn`, the label from `labelColumn` (or '' when null).
 * Rows whose text is blank (a missing or empty cell) are skipped and counted. A text loses its trailing
 * whitespace, as a pasted line does; a label is trimmed and its line breaks and tabs become spaces.
 *
 * @throws RangeError when a column index is not one of `parsed.columns` (a caller's mistake, not the file's).
 */
export function csvItems(parsed: ParsedCsv, textColumn: number, labelColumn: number | null): ParsedTexts {
  checkColumn(parsed, textColumn, 'text');
  if (labelColumn !== null) checkColumn(parsed, labelColumn, 'label');
  const items: EmbeddingItem[] = [];
  let skippedEmpty = 0;
  for (const row of parsed.rows) {
    const text = (row[textColumn] ?? '').trimEnd();
    if (text.trim() === '') {
      skippedEmpty++;
      continue;
    }
    const label = labelColumn === null ? '' : (row[labelColumn] ?? '').replace(/\s+/g, ' ').trim();
    items.push({ text, label });
  }
  return { items, skippedEmpty };
}

/** The column with the longest text on average (trimmed; a missing cell counts as 0): the first one on a tie, 0 when there are no rows. */
export function suggestTextColumn(parsed: ParsedCsv): number {
  const totals = parsed.columns.map(() => 0);
  for (const row of parsed.rows) {
    for (let i = 0; i < totals.length; i++) totals[i]! += (row[i] ?? '').trim().length;
  }
  let best = 0;
  for (let i = 1; i < totals.length; i++) if (totals[i]! > totals[best]!) best = i;
  return best;
}
