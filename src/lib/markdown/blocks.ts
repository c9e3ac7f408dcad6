import { renderCodeBlock, renderMarkdown } from './render';

/**
 * Streaming Markdown in linear time.
 *
 * An answer arrives in hundreds of small deltas; parsing and sanitizing the whole text again on every
 * delta is quadratic (about 37 s of main-thread time for a 20 KB answer). Instead the text is cut into
 * top-level blocks at boundaries that later text cannot move, each finished block is rendered once,
 * and only the unfinished last block (the tail) is rendered again as text arrives.
 *
 * Where a block ends ({@link BlockSplitter}), reading each line once:
 * - at a blank line, outside a fenced code block or a raw HTML block (`<pre>`, `<script>`, `<style>`,
 *   `<textarea>`, `<!-- -->`, `<? ?>`, `<!X >`, `<![CDATA[ ]]>`), when the next non-blank line starts
 *   in column 0. A next line that is indented continues what came before (indented code, the body of
 *   a list item), so it is not a boundary;
 * - before a fence opening in column 0 (a fence interrupts a paragraph, list, quote or table) and
 *   after its closing line, so a code block is a block of its own.
 *
 * Trade-offs of rendering blocks apart (the whole-text render differs here):
 * - a loose list (items separated by blank lines) becomes consecutive lists, one per item; `marked`
 *   keeps an ordered list's number (`2.` renders as `<ol start="2">`), and items lose their `<p>`;
 * - a reference-style link definition (`[x]: https://…`) only resolves in its own block;
 * - an HTML block that spans blank lines (`<details>` … `</details>`) is closed at the end of each
 *   block by the sanitizer, so what follows falls outside it; a fence inside such a block is still
 *   taken for a fence.
 * A single block that is very long (a long table, a tight list, a paragraph without blank lines) is
 * still rendered again on each update, so its own cost grows with the square of its length.
 */

/** A finished block: rendered once, never changed; `id` is stable for keyed rendering. */
export interface MarkdownBlock {
  readonly id: number;
  readonly html: string;
}

/** A fenced code block being read: the opening run, its info string and where its content starts. */
interface Fence {
  char: string;
  length: number;
  info: string;
  contentStart: number;
  /** Opened in column 0, so it is a top-level block of its own. */
  topLevel: boolean;
}

/** A fence opening as `marked` reads it: 0–3 spaces, 3+ backticks (no backtick after) or 3+ tildes. */
const FENCE_OPEN = /^( {0,3})(`{3,}(?=[^`]*$)|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,}) *$/;
const BLANK = /^[ \t]*$/;
/** HTML blocks (CommonMark kinds 1-5) that a blank line does not end, and what does end them. */
const HTML_RAW_OPEN =
  /^ {0,3}<(?:(script|pre|style|textarea)(?:[\s>]|$)|(!--)|(\?)|(![A-Za-z])|(!\[CDATA\[))/i;

/**
 * Finds the boundaries of top-level blocks in a text that only grows, a complete line at a time: each
 * line is read once, whatever the size of the deltas, and the state between lines is only whether a
 * fence or a raw HTML block is open and whether the last line was blank.
 */
export class BlockSplitter {
  #searched = 0; // text before this offset holds no unread newline
  #lineStart = 0; // start of the first line not yet read
  #blockStart = 0;
  #hasContent = false; // the unfinished block has a non-blank line
  #afterBlank = false;
  #fence: Fence | null = null;
  #rawEnd: RegExp | null = null;

  /** Where the unfinished block starts. */
  get blockStart(): number {
    return this.#blockStart;
  }

  /** The top-level fence the unfinished block consists of, while it is open. */
  get openFence(): { readonly info: string; readonly contentStart: number } | null {
    return this.#fence?.topLevel ? this.#fence : null;
  }

  /**
   * Reads the lines of `text` completed since the last call (`text` must extend the text given before)
   * and returns the blocks they finished, as `[start, end)` offsets.
   * @param final the text is complete: its last line counts even without a newline, and the
   *   unfinished block is finished too. The splitter cannot be fed again afterwards.
   */
  scan(text: string, final = false): [number, number][] {
    const finished: [number, number][] = [];
    let nl: number;
    while ((nl = text.indexOf('\n', this.#searched)) !== -1) {
      this.#line(text, this.#lineStart, nl, nl + 1, finished);
      this.#lineStart = this.#searched = nl + 1;
    }
    this.#searched = text.length;
    // A cut after a blank line depends only on the next line's first character: make it as soon as
    // that arrives, not when the line (often a whole paragraph) is complete.
    const first = text[this.#lineStart];
    if (this.#afterBlank && first !== undefined && !/\s/.test(first)) this.#cut(this.#lineStart, finished);
    if (final) {
      if (this.#lineStart < text.length)
        this.#line(text, this.#lineStart, text.length, text.length, finished);
      this.#lineStart = text.length;
      if (this.#hasContent) this.#cut(text.length, finished);
    }
    return finished;
  }

  #line(text: string, start: number, end: number, next: number, finished: [number, number][]): void {
    const line = text.slice(start, text.charCodeAt(end - 1) === 13 ? end - 1 : end); // drop a \r
    const fence = this.#fence;
    if (fence) {
      const close = FENCE_CLOSE.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) {
        this.#fence = null;
        if (fence.topLevel) this.#cut(next, finished);
      }
      return;
    }
    if (this.#rawEnd) {
      if (this.#rawEnd.test(line)) this.#rawEnd = null;
      return;
    }
    if (BLANK.test(line)) {
      if (this.#hasContent) this.#afterBlank = true;
      return;
    }
    if (this.#afterBlank && !/^\s/.test(line)) this.#cut(start, finished);
    this.#afterBlank = false;
    const open = FENCE_OPEN.exec(line);
    if (open) {
      const topLevel = open[1] === '';
      if (topLevel && this.#hasContent) this.#cut(start, finished);
      const run = open[2]!;
      this.#fence = {
        char: run[0]!,
        length: run.length,
        info: open[3]!.trim(),
        contentStart: next,
        topLevel,
      };
    } else {
      this.#rawEnd = rawHtmlEnd(line);
    }
    this.#hasContent = true;
  }

  #cut(at: number, finished: [number, number][]): void {
    finished.push([this.#blockStart, at]);
    this.#blockStart = at;
    this.#hasContent = false;
    this.#afterBlank = false;
  }
}

/** What ends the raw HTML block this line opens, or null (none opened, or it ends on this line). */
function rawHtmlEnd(line: string): RegExp | null {
  const m = HTML_RAW_OPEN.exec(line);
  if (!m) return null;
  const end = m[1] ? new RegExp(`</${m[1]}>`, 'i') : m[2] ? /-->/ : m[3] ? /\?>/ : m[4] ? />/ : /\]\]>/;
  // `<!-->` and `<!--->` are complete comments, so a comment's end is looked for from its `--`.
  const rest = line.slice(m[2] ? m.index + m[0].length - 2 : m.index + m[0].length);
  return end.test(rest) ? null : end;
}

/** Splits a complete text into its top-level blocks' Markdown, as {@link StreamingMarkdown} does. */
export function splitBlocks(text: string): string[] {
  return new BlockSplitter().scan(text, true).map(([start, end]) => text.slice(start, end));
}

/** A last line that may be the start of the fence's closing line: not shown until it is complete. */
const PARTIAL_CLOSE = /^ {0,3}(?:`+|~+) *$/;

/**
 * Markdown that arrives in pieces, rendered in time linear in its length: finished blocks are rendered
 * once and kept; only the unfinished tail is rendered again, lazily, when {@link tail} is read. While
 * the tail is an open code fence it is not parsed at all, only escaped into the code-block markup.
 *
 * Framework-free: a component keeps one per message, calls {@link append} / {@link set} /
 * {@link finish} and shows {@link blocks} keyed by id, then {@link tail}.
 */
export class StreamingMarkdown {
  readonly #render: (md: string) => string;
  readonly #renderOpenCode: (code: string, info: string) => string;
  #text = '';
  #splitter = new BlockSplitter();
  #blocks: readonly MarkdownBlock[] = [];
  #nextId = 0;
  #finished = false;
  #tail: string | null = ''; // null: to render again when read

  /**
   * @param render Markdown of one block to sanitized HTML; {@link renderMarkdown} by default.
   * @param renderOpenCode the code of an unclosed fence so far, and its info string, to safe HTML;
   *   {@link renderCodeBlock} by default.
   */
  constructor(
    render: (md: string) => string = renderMarkdown,
    renderOpenCode: (code: string, info: string) => string = renderCodeBlock,
  ) {
    this.#render = render;
    this.#renderOpenCode = renderOpenCode;
  }

  /** Full text so far. */
  get text(): string {
    return this.#text;
  }

  /** Finished blocks, in order; a new array whenever one is added, the old ones kept as they were. */
  get blocks(): readonly MarkdownBlock[] {
    return this.#blocks;
  }

  /** Whether {@link finish} was called since the text last changed. */
  get finished(): boolean {
    return this.#finished;
  }

  /** HTML of the unfinished tail ('' when there is none), rendered on first read after a change. */
  get tail(): string {
    return (this.#tail ??= this.#renderTail());
  }

  /** Adds text at the end. After {@link finish}, the text is read again from the start (rare: a resumed answer). */
  append(delta: string): void {
    if (!delta) return;
    if (this.#finished) {
      this.#restart(this.#text + delta);
      return;
    }
    this.#text += delta;
    this.#keep(this.#splitter.scan(this.#text));
    this.#tail = null;
  }

  /** Replaces the whole text (an edit); reuses nothing unless `text` starts with the current text, then appends. */
  set(text: string): void {
    if (text === this.#text) return;
    if (!this.#finished && text.startsWith(this.#text)) this.append(text.slice(this.#text.length));
    else this.#restart(text);
  }

  /** Marks the text complete: the tail becomes a finished block. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#keep(this.#splitter.scan(this.#text, true));
    this.#tail = '';
  }

  #restart(text: string): void {
    this.#text = '';
    this.#splitter = new BlockSplitter();
    this.#blocks = [];
    this.#finished = false;
    this.#tail = '';
    this.append(text);
  }

  #keep(finished: [number, number][]): void {
    if (!finished.length) return;
    const added = finished.map(([start, end]) => ({
      id: this.#nextId++,
      html: this.#render(this.#text.slice(start, end)),
    }));
    this.#blocks = [...this.#blocks, ...added];
  }

  #renderTail(): string {
    const fence = this.#splitter.openFence;
    if (fence) {
      const code = this.#text.slice(fence.contentStart);
      const lastLine = code.lastIndexOf('\n') + 1;
      const shown = PARTIAL_CLOSE.test(code.slice(lastLine)) ? code.slice(0, lastLine) : code;
      return this.#renderOpenCode(shown, fence.info);
    }
    const md = this.#text.slice(this.#splitter.blockStart);
    return /\S/.test(md) ? this.#render(md) : '';
  }
}
