import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { splitBlocks, StreamingMarkdown } from '../../src/lib/markdown/blocks';
import { markdownToUnsanitizedHtml, renderMarkdown } from '../../src/lib/markdown/render';

/** The content delta of each of the 303 chunks of a real streamed answer ('' for chunks without one). */
function fixtureDeltas(): string[] {
  const file = new URL('../fixtures/sse/vercel-ai__openai-text.chunks.jsonl', import.meta.url);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const chunk = JSON.parse(line) as { choices: { delta?: { content?: string | null } }[] };
      return chunk.choices[0]?.delta?.content ?? '';
    });
}

/** The fixture's deltas repeated, a blank line between copies, until the text is at least `chars` long. */
function longAnswer(chars: number): string[] {
  const once = fixtureDeltas();
  const onceLength = once.join('').length;
  const deltas: string[] = [];
  for (let length = 0; length < chars; length += onceLength + 2) {
    if (deltas.length) deltas.push('\n\n');
    deltas.push(...once);
  }
  return deltas;
}

/** Streams `deltas` as the UI does, reading the tail after each one; returns the final HTML. */
function stream(md: StreamingMarkdown, deltas: string[]): string {
  for (const delta of deltas) {
    md.append(delta);
    void md.tail;
  }
  md.finish();
  return md.blocks.map((b) => b.html).join('') + md.tail;
}

/** A render function that records what it is given (and by default hands it back). */
function counting(render: (md: string) => string = (md) => md) {
  const calls: string[] = [];
  const fn = (md: string) => {
    calls.push(md);
    return render(md);
  };
  return { fn, calls, chars: () => calls.reduce((sum, md) => sum + md.length, 0) };
}

const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('splitBlocks', () => {
  it('cuts at a blank line when the next line starts in column 0', () => {
    expect(splitBlocks('# Title\n\nOne\nstill one\n\n\nTwo')).toEqual([
      '# Title\n\n',
      'One\nstill one\n\n\n',
      'Two',
    ]);
  });

  it('gives back the whole text, in order', () => {
    const text = fixtureDeltas().join('');
    const blocks = splitBlocks(text);
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.join('')).toBe(text);
  });

  it('keeps a fence with blank lines inside in one block, and makes it a block of its own', () => {
    const text = 'Look:\n```js\nconst a = 1;\n\n\nconst b = 2;\n```\nAfter\n\nEnd';
    expect(splitBlocks(text)).toEqual([
      'Look:\n',
      '```js\nconst a = 1;\n\n\nconst b = 2;\n```\n',
      'After\n\n',
      'End',
    ]);
  });

  it('closes a ~~~ fence only with tildes, and a long backtick fence only with as many backticks', () => {
    const tildes = '~~~\n```\n\nstill code\n~~~\n\nprose';
    expect(splitBlocks(tildes)).toEqual(['~~~\n```\n\nstill code\n~~~\n', '\nprose']);
    const long = '`````md\n```js\n\nx\n```\n\n````\n`````\n\nprose';
    expect(splitBlocks(long)).toEqual(['`````md\n```js\n\nx\n```\n\n````\n`````\n', '\nprose']);
    expect(markdownToUnsanitizedHtml(splitBlocks(long)[0]!)).toContain('```js\n\nx\n```\n\n````\n</code>');
  });

  it('runs an unclosed fence to the end of the text', () => {
    expect(splitBlocks('Intro\n\n```py\nprint(1)\n\n# more')).toEqual([
      'Intro\n\n',
      '```py\nprint(1)\n\n# more',
    ]);
  });

  it('does not cut before an indented line: indented code, the body of a list item, a nested fence', () => {
    expect(splitBlocks('Para\n\n    code\n\n    more code\n\nNext')).toEqual([
      'Para\n\n    code\n\n    more code\n\n',
      'Next',
    ]);
    expect(splitBlocks('1. one\n\n   still one\n\n   ```\n   a\n\nb\n   ```\n\nAfter')).toEqual([
      '1. one\n\n   still one\n\n   ```\n   a\n\nb\n   ```\n\n',
      'After',
    ]);
    const html = markdownToUnsanitizedHtml(splitBlocks('Para\n\n    code\n\nNext')[0]!);
    expect(html).toMatch(
      /^<p>Para<\/p>\n<div class="code-block">.*<pre><code>code\n<\/code><\/pre><\/div>\n$/s,
    );
  });

  it('cuts a loose list into lists, and marked keeps the number an ordered list starts at', () => {
    const blocks = splitBlocks('1. one\n\n2. two\n\n- a\n- b\n');
    expect(blocks).toEqual(['1. one\n\n', '2. two\n\n', '- a\n- b\n']);
    expect(markdownToUnsanitizedHtml(blocks[1]!)).toBe('<ol start="2">\n<li>two</li>\n</ol>\n');
  });

  it('keeps a table whole', () => {
    const table = '| Model | Input |\n|---|--:|\n| gpt-4o | 2.50 |\n| gpt-4o-mini | 0.15 |\n';
    const blocks = splitBlocks(`Prices:\n\n${table}\nThat is all.`);
    expect(blocks).toEqual(['Prices:\n\n', `${table}\n`, 'That is all.']);
    expect(markdownToUnsanitizedHtml(blocks[1]!)).toMatch(/^<table>[\s\S]*gpt-4o-mini[\s\S]*<\/table>\n$/);
  });

  it('keeps raw HTML blocks that blank lines do not end whole (comment, pre)', () => {
    expect(splitBlocks('<!--\n\nhidden\n\n-->\nshown\n\nnext')).toEqual([
      '<!--\n\nhidden\n\n-->\nshown\n\n',
      'next',
    ]);
    expect(splitBlocks('<pre>\n\nx\n\n</pre>\n\nnext')).toEqual(['<pre>\n\nx\n\n</pre>\n\n', 'next']);
    expect(splitBlocks('<!-- one line -->\n\nnext')).toEqual(['<!-- one line -->\n\n', 'next']);
  });

  it('reads CRLF line ends like LF', () => {
    expect(splitBlocks('a\r\n\r\n```\r\nx\r\n\r\ny\r\n```\r\nb')).toEqual([
      'a\r\n\r\n',
      '```\r\nx\r\n\r\ny\r\n```\r\n',
      'b',
    ]);
  });
});

describe('StreamingMarkdown', () => {
  it('streams the recorded answer chunk by chunk to the same HTML as the whole text at once', () => {
    const deltas = fixtureDeltas();
    expect(deltas).toHaveLength(303);
    const text = deltas.join('');
    const whole = stream(new StreamingMarkdown(markdownToUnsanitizedHtml), [text]);
    const chunked = stream(new StreamingMarkdown(markdownToUnsanitizedHtml), deltas);
    const byChar = stream(new StreamingMarkdown(markdownToUnsanitizedHtml), [...text]);
    expect(chunked).toBe(whole);
    expect(byChar).toBe(whole);
    expect(whole).toContain('<p><strong>Holiday Name:</strong> Harmony Day</p>');
    expect(whole).toContain('<ol start="7">\n<li><strong>Educational Workshops:</strong>');
    // Only list markup differs from rendering the text as one document: no text is lost or doubled.
    expect(textOf(whole)).toBe(textOf(markdownToUnsanitizedHtml(text)));
  });

  it('renders each finished block exactly once', () => {
    const deltas = fixtureDeltas();
    const render = counting();
    const md = new StreamingMarkdown(render.fn);
    for (const delta of deltas) md.append(delta); // the tail is never read, so never rendered
    md.finish();
    expect(render.calls).toEqual(splitBlocks(deltas.join('')));
    expect(md.blocks.map((b) => b.html)).toEqual(render.calls);
    expect(new Set(md.blocks.map((b) => b.id)).size).toBe(md.blocks.length);
  });

  it('renders the tail at most once per change, and only when it is read', () => {
    const render = counting();
    const md = new StreamingMarkdown(render.fn);
    md.append('# Title\n\nSome');
    expect(render.calls).toEqual(['# Title\n\n']);
    expect(md.tail).toBe('Some');
    expect(md.tail).toBe('Some');
    expect(render.calls).toEqual(['# Title\n\n', 'Some']);
    md.append(' words');
    md.append(' more');
    expect(md.tail).toBe('Some words more');
    expect(render.calls).toHaveLength(3);
  });

  it('keeps finished blocks as they were, adding new ones in a new array', () => {
    const md = new StreamingMarkdown((s) => `<p>${s.trim()}</p>`);
    md.append('one\n\ntwo');
    const first = md.blocks;
    md.append(' and more\n\nthree');
    expect(md.blocks).not.toBe(first);
    expect(md.blocks[0]).toBe(first[0]);
    expect(md.blocks.map((b) => b.html)).toEqual(['<p>one</p>', '<p>two and more</p>']);
    expect(md.tail).toBe('<p>three</p>');
  });

  it('previews an open fence without parsing it, hiding a half-written closing fence', () => {
    const render = counting();
    const renderOpenCode = vi.fn((code: string, info: string) => `[${info}] ${code}`);
    const md = new StreamingMarkdown(render.fn, renderOpenCode);
    for (const ch of 'Code:\n\n```ts title="a"\nconst a = 1;\n\nconst b = 2;\n``') {
      md.append(ch);
      void md.tail;
    }
    expect(md.tail).toBe('[ts title="a"] const a = 1;\n\nconst b = 2;\n');
    expect(render.calls.filter((call) => call.includes('const a'))).toEqual([]);
    md.append('`\n');
    expect(md.blocks.at(-1)?.html).toBe('```ts title="a"\nconst a = 1;\n\nconst b = 2;\n```\n');
    expect(md.tail).toBe('');
  });

  it('escapes the preview of an open fence with the default renderer', () => {
    const md = new StreamingMarkdown(markdownToUnsanitizedHtml);
    md.append('```html\n<script>alert(1)</script>\n');
    expect(md.tail).toContain('<code class="language-html">&lt;script&gt;alert(1)&lt;/script&gt;\n</code>');
    expect(md.tail).toContain('<button type="button" data-copy-code="" aria-label="Copy code">Copy</button>');
    expect(md.tail).not.toContain('<script>');
  });

  it('finishes an unclosed fence as a code block', () => {
    const html = stream(new StreamingMarkdown(markdownToUnsanitizedHtml), [...'```py\nprint(1)\n\nprint(2)']);
    expect(html).toContain('<code class="language-py">print(1)\n\nprint(2)\n</code>');
  });

  it('appends when set() extends the text, and starts over with new ids otherwise', () => {
    const md = new StreamingMarkdown((s) => s);
    md.set('one\n\ntwo');
    const [one] = md.blocks;
    md.set('one\n\ntwo\n\nthree');
    expect(md.blocks[0]).toBe(one);
    expect(md.blocks.map((b) => b.html)).toEqual(['one\n\n', 'two\n\n']);
    md.set('uno\n\ndos');
    expect(md.blocks.map((b) => b.html)).toEqual(['uno\n\n']);
    expect(md.blocks[0]!.id).toBeGreaterThan(one!.id);
    expect(md.text).toBe('uno\n\ndos');
    md.set('');
    expect(md.blocks).toEqual([]);
    expect(md.tail).toBe('');
  });

  it('finishes once, and reads the text again if more arrives after finishing', () => {
    const md = new StreamingMarkdown((s) => s);
    md.append('one\n\ntw');
    md.finish();
    md.finish();
    expect(md.blocks.map((b) => b.html)).toEqual(['one\n\n', 'tw']);
    expect(md.finished).toBe(true);
    md.append('o\n\nthree');
    expect(md.finished).toBe(false);
    expect(md.blocks.map((b) => b.html)).toEqual(['one\n\n', 'two\n\n']);
    expect(md.tail).toBe('three');
  });

  it('hands the renderer work linear in the length of the answer', () => {
    const budget = 40; // characters given to the renderer per character of answer
    const measure = (chars: number) => {
      const deltas = longAnswer(chars);
      const length = deltas.join('').length;
      const incremental = counting();
      stream(new StreamingMarkdown(incremental.fn), deltas);
      // What re-rendering the whole message on every delta hands to the renderer.
      const naive = counting();
      let text = '';
      for (const delta of deltas) naive.fn((text += delta));
      return { perChar: incremental.chars() / length, naivePerChar: naive.chars() / length };
    };
    const at20 = measure(20_000);
    expect(at20.perChar).toBeLessThan(budget);
    expect(at20.naivePerChar).toBeGreaterThan(budget * 10); // the budget does tell the two apart
    const at10 = measure(10_000);
    const at40 = measure(40_000);
    expect(at40.perChar / at10.perChar).toBeLessThan(1.2);
    expect(at40.naivePerChar / at10.naivePerChar).toBeGreaterThan(3);
  });
});

describe('renderMarkdown', () => {
  it('refuses to render without a DOM to sanitize with, rather than return unsanitized HTML', () => {
    expect(() => renderMarkdown('<img src=x onerror=alert(1)>')).toThrow(/needs a DOM/);
  });
});
