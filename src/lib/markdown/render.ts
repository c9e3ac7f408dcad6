import { Marked } from 'marked';
import { COPY_BUTTON_HTML, COPY_BUTTON_PLACEHOLDER, sanitizeHtml } from './sanitize';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * The language of a fenced code block from its info string (```` ```ts title="x" ````): the leading
 * run of `[\w+#.-]` in the first word, at most 32 characters, or '' when there is none. Whatever
 * else the model wrote there never reaches the markup.
 */
export function codeLanguage(info: string | undefined): string {
  return (/^[\w+#.-]+/.exec(info?.trim() ?? '')?.[0] ?? '').slice(0, 32);
}

function codeBlock(escapedCode: string, lang: string, button: string): string {
  const cls = lang ? ` class="language-${lang}"` : '';
  return (
    `<div class="code-block"><div class="code-head"><span>${lang || 'text'}</span>${button}</div>` +
    `<pre><code${cls}>${escapedCode}</code></pre></div>\n`
  );
}

/**
 * The markup of a code block, with its copy button, built without `marked` and safe without the
 * sanitizer (everything that varies is escaped): the preview of a fence that is still streaming.
 * @param code the code as written, unescaped
 * @param info the fence's info string
 */
export function renderCodeBlock(code: string, info?: string): string {
  return codeBlock(escapeHtml(code.replace(/\n$/, '')) + '\n', codeLanguage(info), COPY_BUTTON_HTML);
}

const marked = new Marked({
  gfm: true,
  renderer: {
    code({ text, lang, escaped }) {
      const body = (escaped ? text : escapeHtml(text)).replace(/\n$/, '') + '\n';
      return codeBlock(body, codeLanguage(lang), COPY_BUTTON_PLACEHOLDER);
    },
    // Raw HTML in model or user text is shown as the text it is, never parsed: what the model wrote
    // is what the reader sees, and hostile markup never reaches a parser that shares the page's CSP
    // (Chrome reports violations even for DOMPurify's inert documents). The sanitizer stays as the
    // second gate for what Markdown itself produces (links, images).
    html({ text, block }) {
      return block ? `<p>${escapeHtml(text.replace(/\n+$/, ''))}</p>\n` : escapeHtml(text);
    },
    // Form controls are forbidden in model output, so task-list boxes are drawn as text.
    checkbox({ checked }) {
      const label = checked ? 'done' : 'not done';
      return `<span class="md-task" role="img" aria-label="${label}">${checked ? '☑' : '☐'}</span> `;
    },
  },
});

/**
 * Markdown to HTML with the app's renderers, NOT sanitized: for tests and for {@link renderMarkdown}.
 * Never put its output in the DOM.
 */
export function markdownToUnsanitizedHtml(md: string): string {
  return marked.parse(md, { async: false });
}

/**
 * Markdown (GFM: tables, fenced code, strikethrough, autolinks) to sanitized HTML, ready for
 * `{@html}`. Needs a DOM, see {@link sanitizeHtml}.
 */
export function renderMarkdown(md: string): string {
  return sanitizeHtml(markdownToUnsanitizedHtml(md));
}
