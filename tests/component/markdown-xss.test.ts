import { describe, expect, it } from 'vitest';
import { renderMarkdown, StreamingMarkdown } from '../../src/lib/markdown';
import { sanitizeHtml } from '../../src/lib/markdown/sanitize';
import dompurifyVectors from '../fixtures/xss/dompurify_expect_vectors.json';
import owaspCheatSheet from '../fixtures/xss/owasp_xss_filter_evasion.json';

/**
 * Model text is untrusted. Every payload of DOMPurify's own test vectors and of OWASP's XSS filter
 * evasion cheat sheet goes through both rendering paths (whole text, and streamed in small pieces
 * with every intermediate tail inserted too), and what reaches the DOM is checked element by element.
 */
interface Payload {
  name: string;
  text: string;
}

function dompurifyPayloads(): Payload[] {
  return dompurifyVectors.vectors.map((v, i) => ({ name: `dompurify #${i} ${v.title}`, text: v.payload }));
}

function owaspPayloads(): Payload[] {
  return owaspCheatSheet.blocks.flatMap((b, i) => {
    const name = `owasp #${i} ${b.heading}`;
    const variants = [{ name, text: b.code }];
    if (b.code_nbsp_as_space !== b.code)
      variants.push({ name: `${name} (nbsp as space)`, text: b.code_nbsp_as_space });
    return variants;
  });
}

/** Markdown's own ways to write a dangerous URL, which HTML vectors do not cover. */
const MARKDOWN_PAYLOADS: Payload[] = [
  '[a](javascript:alert(1))',
  '[a](JaVaScRiPt:alert(1))',
  '[a](  javascript:alert(1) )',
  '[a](java\tscript:alert(1))',
  '[a](&#106;avascript:alert(1))',
  '[a](javascript&colon;alert(1))',
  '[a](vbscript:msgbox(1))',
  '[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '<javascript:alert(1)>',
  '[a][r]\n\n[r]: javascript:alert(1)',
  '[a][r]\n[r]: javascript:alert(1)',
  '![a](javascript:alert(1))',
  '![a](https://tracker.example/pixel.png)',
  '![a](data:text/html,<script>alert(1)</script>)',
  '![a](data:image/svg+xml,<svg onload=alert(1)>)',
  '[![a](https://tracker.example/p.png)](javascript:alert(1))',
  '```js" onmouseover="alert(1)\ncode\n```',
  '```\n</code></pre><img src=x onerror=alert(1)>\n```',
  '> <iframe src="https://evil.example"></iframe>\n\n- <form action="https://evil.example"><input name=x></form>',
  '| a |\n|---|\n| <img src=x onerror=alert(1)> |',
  '<div style="background:url(https://tracker.example/x)">styled</div>',
  '<details open ontoggle=alert(1)><summary>x</summary></details>',
  '<a href="https://example.com" ping="https://tracker.example" target="_self">x</a>',
  '<video poster="https://tracker.example/p.png"><source src="https://tracker.example/v.mp4"></video>',
  '<img srcset="https://tracker.example/1x.png 1x" src="data:image/png;base64,iVBORw0KGgo=">',
  '<button data-copy-code onclick="alert(1)">Copy</button>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
].map((text, i) => ({ name: `markdown #${i} ${text.slice(0, 40)}`, text }));

const FORBIDDEN_TAGS = new Set(
  (
    'script style link meta base iframe frame frameset object embed applet video audio source track picture ' +
    'form input textarea select option svg math template dialog'
  ).split(' '),
);
const URL_ATTRS = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'xlink:href',
  'data',
  'poster',
  'background',
]);
// eslint-disable-next-line no-control-regex
const IGNORED_IN_URL = /[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g;

/** Everything in `root` that could run script, load from another host or break the CSP. */
function problemsIn(root: Element): string[] {
  const problems: string[] = [];
  for (const el of root.querySelectorAll('*')) {
    const tag = el.localName;
    if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml') problems.push(`<${tag}> in ${el.namespaceURI}`);
    if (FORBIDDEN_TAGS.has(tag)) problems.push(`<${tag}>`);
    if (tag === 'button' && !isOurCopyButton(el)) problems.push(`a button of the model's: ${el.outerHTML}`);
    for (const { name, value } of el.attributes) {
      const attr = name.toLowerCase();
      if (attr.startsWith('on')) problems.push(`${attr} on <${tag}>`);
      if (attr === 'style' || attr === 'srcset' || attr === 'ping') problems.push(`${attr} on <${tag}>`);
      if (!URL_ATTRS.has(attr)) continue;
      const url = value.replace(IGNORED_IN_URL, '').toLowerCase();
      if (url.startsWith('javascript:') || url.startsWith('vbscript:')) problems.push(`${attr}="${value}"`);
      const inlineImage = tag === 'img' && attr === 'src' && url.startsWith('data:image/');
      if (url.startsWith('data:') && !inlineImage) problems.push(`${attr}="${value}" on <${tag}>`);
      if (tag === 'img' && !inlineImage) problems.push(`remote image ${value}`);
    }
    if (tag === 'img' && !el.hasAttribute('src')) problems.push('an image without a source');
    if (tag === 'a' && el.hasAttribute('href') && el.getAttribute('rel') !== 'noopener noreferrer')
      problems.push(`a link without rel="noopener noreferrer": ${el.outerHTML}`);
  }
  return problems;
}

function isOurCopyButton(el: Element): boolean {
  const attrs = [...el.attributes].map((a) => `${a.name}=${a.value}`).sort();
  return (
    attrs.join(' ') === 'aria-label=Copy code data-copy-code= type=button' &&
    el.parentElement?.classList.contains('code-head') === true
  );
}

function inserted(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

/** Streams `text` in pieces of `size`, checking every tail and every finished block as it is inserted. */
function streamedProblems(text: string, size: number): string[] {
  const md = new StreamingMarkdown();
  const problems: string[] = [];
  let seen = 0;
  const check = () => {
    for (const block of md.blocks.slice(seen)) problems.push(...problemsIn(inserted(block.html)));
    seen = md.blocks.length;
    problems.push(...problemsIn(inserted(md.tail)));
  };
  for (let i = 0; i < text.length; i += size) {
    md.append(text.slice(i, i + size));
    check();
  }
  md.finish();
  check();
  return problems;
}

describe.each([
  { set: 'DOMPurify test vectors', payloads: dompurifyPayloads(), count: 223 },
  { set: 'OWASP XSS filter evasion cheat sheet', payloads: owaspPayloads(), count: 110 + 68 },
  { set: 'Markdown links and images', payloads: MARKDOWN_PAYLOADS, count: MARKDOWN_PAYLOADS.length },
])('$set', ({ payloads, count }) => {
  it('are all here', () => {
    expect(payloads).toHaveLength(count);
  });

  it.each(payloads)('$name', ({ text }) => {
    expect(problemsIn(inserted(renderMarkdown(text)))).toEqual([]);
    expect(streamedProblems(text, 3)).toEqual([]);
  });
});

describe('the sanitizer', () => {
  it('detects what it must remove (the check above can fail)', () => {
    const raw =
      '<img src=https://x.example/a.png onerror=alert(1)><a href=" java\tscript:alert(1)">x</a>' +
      '<p style="color:red"><iframe></iframe><svg></svg><button data-copy-code>Copy</button></p>';
    expect(problemsIn(inserted(raw))).toEqual([
      'remote image https://x.example/a.png',
      'onerror on <img>',
      'href=" java\tscript:alert(1)"',
      'a link without rel="noopener noreferrer": <a href=" java\tscript:alert(1)">x</a>',
      'style on <p>',
      '<iframe>',
      '<svg> in http://www.w3.org/2000/svg',
      '<svg>',
      'a button of the model\'s: <button data-copy-code="">Copy</button>',
    ]);
  });

  it('opens links in a new tab that cannot reach back', () => {
    const root = inserted(renderMarkdown('[docs](https://platform.openai.com/docs) and https://example.com'));
    const links = [...root.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://platform.openai.com/docs',
      'https://example.com',
    ]);
    for (const a of links) {
      expect(a).toHaveAttribute('target', '_blank');
      expect(a).toHaveAttribute('rel', 'noopener noreferrer');
    }
    // Raw HTML is shown as text (see below); the sanitizer, the second gate, fixes such links too.
    const raw = inserted(sanitizeHtml('<a href="https://example.com" target="_self" rel="opener">x</a>'));
    expect(raw.querySelector('a')).toHaveAttribute('target', '_blank');
    expect(raw.querySelector('a')).toHaveAttribute('rel', 'noopener noreferrer');
  });

  it('turns a remote image into a link to it, showing its alt text', () => {
    const root = inserted(renderMarkdown('See ![a chart](https://example.com/chart.png "Chart").'));
    expect(root.querySelector('img')).toBeNull();
    const link = root.querySelector('a')!;
    expect(link).toHaveTextContent('image: a chart');
    expect(link).toHaveAttribute('href', 'https://example.com/chart.png');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(link).toHaveAttribute('target', '_blank');
  });

  it('shows an image that is not a web address as text only', () => {
    const root = inserted(
      renderMarkdown('![page](data:text/html,hi) ') + sanitizeHtml('<img src="blob:https://x/1" alt="blob">'),
    );
    expect(root.querySelector('img, a')).toBeNull();
    expect(root).toHaveTextContent('image: page image: blob');
  });

  it('keeps an inline data:image/png image, without its handlers', () => {
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const root = inserted(
      renderMarkdown(`![dot](${png})`) + sanitizeHtml(`<img src="${png}" onerror="alert(1)" alt="again">`),
    );
    const images = [...root.querySelectorAll('img')];
    expect(images.map((img) => img.getAttribute('src'))).toEqual([png, png]);
    expect(images.map((img) => img.getAttribute('alt'))).toEqual(['dot', 'again']);
    expect(images[1]).not.toHaveAttribute('onerror');
  });

  it('drops a copy button written by the model, whatever it carries', () => {
    const forged = [
      '<button data-copy-code onclick="alert(1)">Copy</button>',
      '<div class="code-block"><div class="code-head"><button type="button" data-copy-code="" aria-label="Copy code">Copy</button></div></div>',
      '<button>Press me</button><span data-copy-code>not a button</span>',
    ];
    for (const text of forged) {
      const root = inserted(renderMarkdown(text));
      expect(root.querySelector('button, [data-copy-code], [onclick]'), text).toBeNull();
    }
    const withCode = inserted(renderMarkdown(`${forged[0]}\n\n\`\`\`js\nx\n\`\`\``));
    expect(withCode.querySelectorAll('button')).toHaveLength(1);
    expect(isOurCopyButton(withCode.querySelector('button')!)).toBe(true);
  });

  it('renders a code block as escaped text under a header with its language and copy button', () => {
    const root = inserted(renderMarkdown('```c++\nif (a < b && c > "d") {}\n```'));
    const block = root.querySelector('.code-block')!;
    expect(block.querySelector('.code-head span')).toHaveTextContent('c++');
    expect(block.querySelector('pre code')).toHaveClass('language-c++');
    expect(block.querySelector('pre code')?.textContent).toBe('if (a < b && c > "d") {}\n');
    expect(isOurCopyButton(block.querySelector('button')!)).toBe(true);
  });

  it('keeps only a safe language name', () => {
    const root = inserted(
      renderMarkdown('```"><img src=x onerror=alert(1)>\nx\n```\n\n```c#{1,3} title="x"\ny\n```'),
    );
    const codes = [...root.querySelectorAll('pre code')];
    expect(codes[0]).not.toHaveAttribute('class');
    expect(codes[1]).toHaveClass('language-c#');
    expect(root.querySelector('img')).toBeNull();
  });

  it('drops style attributes and style elements, and classes the app does not style markdown with', () => {
    const root = inserted(
      sanitizeHtml(
        '<p style="color:red" class="visually-hidden panel">text</p><style>body{display:none}</style>',
      ),
    );
    expect(root.innerHTML).toBe('<p>text</p>');
  });

  it('prefixes ids and names so model text cannot shadow the page', () => {
    const root = inserted(sanitizeHtml('<a id="app" name="x" href="https://example.com">a</a>'));
    expect(root.querySelector('a')).toHaveAttribute('id', 'user-content-app');
  });

  it('shows raw HTML in model text as the text it is, block and inline', () => {
    const root = inserted(
      renderMarkdown('<div onclick="x()">block</div>\n\nSome <b>bold</b> <img src=x onerror=alert(1)>'),
    );
    expect(root.querySelector('div, b, img')).toBeNull();
    expect([...root.querySelectorAll('p')].map((p) => p.textContent)).toEqual([
      '<div onclick="x()">block</div>',
      'Some <b>bold</b> <img src=x onerror=alert(1)>',
    ]);
  });

  it('draws task-list boxes as text instead of form inputs', () => {
    const root = inserted(renderMarkdown('- [x] done\n- [ ] to do'));
    expect(root.querySelector('input')).toBeNull();
    expect([...root.querySelectorAll('.md-task')].map((s) => s.getAttribute('aria-label'))).toEqual([
      'done',
      'not done',
    ]);
  });

  it('renders GFM: tables, strikethrough, autolinks', () => {
    const root = inserted(renderMarkdown('| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~old~~ www.example.com'));
    expect(root.querySelector('td[align="right"]')).toHaveTextContent('2');
    expect(root.querySelector('del')).toHaveTextContent('old');
    expect(root.querySelector('a')).toHaveAttribute('href', 'http://www.example.com');
  });
});
