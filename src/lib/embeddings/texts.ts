/**
 * Texts to embed from pasted text or a .txt file: no dependency, so the lab's state can use it from the
 * first load (CSV reading, in `input.ts`, brings papaparse and loads with the lab).
 */

/** One text to embed. `label` is '' when there is none. */
export interface EmbeddingItem {
  text: string;
  label: string;
}

/** Texts read from pasted text or a .txt file, and how many blank lines were left out. */
export interface ParsedTexts {
  items: EmbeddingItem[];
  skippedEmpty: number;
}

const BOM = '\uFEFF';
/** Characters looked at to tell text from binary: enough to be sure, cheap on a 50 MB file. */
const SNIFF_CHARS = 64 * 1024;

function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/**
 * Pasted text, one text per line. A line `label<TAB>text` gives the text a label: everything before the
 * first tab is the label (trimmed), everything after it the text, further tabs included. Lines that are
 * blank or whitespace-only, or whose text is (`label<TAB>` alone), are skipped and counted in
 * `skippedEmpty`. CRLF, CR and LF all end a line. Each text loses its trailing whitespace only: leading
 * spaces (indented code, poetry) are part of what gets embedded.
 */
export function parsePasted(text: string): ParsedTexts {
  const lines = stripBom(text).split(/\r\n|\r|\n/);
  // The empty string after a final newline is not a line the user wrote.
  if (lines.at(-1) === '') lines.pop();
  const items: EmbeddingItem[] = [];
  let skippedEmpty = 0;
  for (const line of lines) {
    const tab = line.indexOf('\t');
    const body = (tab === -1 ? line : line.slice(tab + 1)).trimEnd();
    if (body.trim() === '') {
      skippedEmpty++;
      continue;
    }
    items.push({ text: body, label: tab === -1 ? '' : line.slice(0, tab).trim() });
  }
  return { items, skippedEmpty };
}

/**
 * A .txt file, read as {@link parsePasted} reads pasted text (a leading BOM is dropped). It does not look
 * at whether the file is text at all: check {@link binaryFileError} first, so that a PDF or a workbook
 * chosen by mistake is refused rather than embedded as garbage.
 */
export function parseTxtFile(text: string): ParsedTexts {
  return parsePasted(text);
}

/**
 * Why `text` (a file read as UTF-8) is not a text file, or null when it is. A zip archive (.xlsx, .ods,
 * .docx) is named as such; otherwise a NUL character, or more than 10 % of control characters and
 * U+FFFD (bytes that are not UTF-8) in its first 64 KiB, mean a binary file or a UTF-16 one.
 */
export function binaryFileError(text: string): string | null {
  if (text.startsWith('PK\u0003\u0004')) {
    return 'This is a zip archive (an Excel or LibreOffice workbook?), not text: save it as CSV (UTF-8) and choose that file.';
  }
  const sample = text.slice(0, SNIFF_CHARS);
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) {
      return 'This file is not text: it contains NUL bytes. Save it as CSV or plain text in UTF-8 (a UTF-16 file looks like this too).';
    }
    // Control characters other than tab, LF, VT, FF and CR; U+FFFD is what a byte that is not UTF-8 decodes to.
    if ((c < 0x20 && (c < 0x09 || c > 0x0d)) || c === 0x7f || c === 0xfffd) odd++;
  }
  if (odd > sample.length / 10) {
    return 'This file is not UTF-8 text: it looks like a binary file. Save it as CSV or plain text in UTF-8.';
  }
  return null;
}
