import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';

/**
 * The one gate between model or user text and the DOM. Everything `marked` produces passes through
 * here, and the configuration is stricter than DOMPurify's default because of the page's CSP
 * (`style-src 'self'`, `img-src 'self' data: blob:`, `frame-src 'none'`, `object-src 'none'`): an
 * inline style, a remote image or a frame from model text would raise a violation or leak the
 * reader's address to a third party, so none of them may reach the DOM.
 */

/**
 * Copy buttons are ours; model text must not be able to make one (a forged "Copy" button could run
 * our click handler on content it chose). Our code renderer marks its buttons with a random token
 * that never appears in any output: the sanitizer keeps a `<button>` only if it carries exactly this
 * token, and then blanks the attribute to `data-copy-code=""`. Model text cannot know the token, so a
 * `<button>` it writes, with or without `data-copy-code`, is removed together with its content.
 */
const COPY_TOKEN = randomToken();

/** The copy button as it leaves the sanitizer (and as the unsanitized open-fence preview writes it). */
export const COPY_BUTTON_HTML =
  '<button type="button" data-copy-code="" aria-label="Copy code">Copy</button>';

/** The copy button as our code renderer writes it, before sanitizing: only this one survives. */
export const COPY_BUTTON_PLACEHOLDER = COPY_BUTTON_HTML.replace(
  'data-copy-code=""',
  `data-copy-code="${COPY_TOKEN}"`,
);

/** Classes the app's markdown styles use; any other class (say `visually-hidden`) is dropped. */
const ALLOWED_CLASS = /^(?:language-[\w+#.-]+|code-block|code-head|md-image-link|md-task)$/;

/** Images may only come inline, as data; anything else would be a request to another host. */
const INLINE_IMAGE = /^data:image\//i;

/** Spaces and control characters a browser ignores inside a URL's scheme. */
// eslint-disable-next-line no-control-regex
const URL_IGNORED = /[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g;

const CONFIG: Config = {
  USE_PROFILES: { html: true }, // no SVG, no MathML
  FORBID_TAGS: [
    'style',
    'link',
    'meta',
    'base',
    'iframe',
    'frame',
    'frameset',
    'object',
    'embed',
    'applet',
    'video',
    'audio',
    'source',
    'track',
    'picture',
    'canvas',
    'template',
    'dialog',
    'form',
    'input',
    'textarea',
    'select',
    'option',
    'optgroup',
    'datalist',
  ],
  FORBID_ATTR: [
    'style',
    'srcset',
    'sizes',
    'background',
    'poster',
    'ping',
    'action',
    'formaction',
    'xlink:href',
    'usemap',
    'longdesc',
    'lowsrc',
    'dynsrc',
    'tabindex',
    'autofocus',
    'popover',
    'popovertarget',
    'popovertargetaction',
    'command',
    'commandfor',
  ],
  // `id`/`name` from model text become `user-content-…`, so they cannot shadow the app's own elements.
  SANITIZE_NAMED_PROPS: true,
};

/**
 * Sanitizes HTML made from untrusted Markdown for insertion with `{@html}` / `innerHTML`.
 * Needs a DOM: the browser's, or jsdom's when `globalThis.window` is set (tests, bench).
 * @throws if there is no `window` to sanitize with (it never returns unsanitized HTML).
 */
export function sanitizeHtml(html: string): string {
  return getPurifier().sanitize(html, CONFIG);
}

/**
 * One DOMPurify instance of our own, made on first use from the window there is then. The hooks live
 * on this instance only, so another user of DOMPurify on the page is not affected by them.
 */
const getPurifier = once((): Purifier => {
  const win = (globalThis as { window?: Window & typeof globalThis }).window;
  if (!win?.document) throw new Error('Sanitizing Markdown needs a DOM (globalThis.window).');
  const purifier = DOMPurify(win);
  if (!purifier.isSupported) throw new Error('DOMPurify does not support this environment.');

  purifier.addHook('uponSanitizeElement', (node, event) => {
    if (event.tagName === 'button' && (node as Element).getAttribute('data-copy-code') !== COPY_TOKEN)
      (node as Element).remove();
  });

  purifier.addHook('uponSanitizeAttribute', (node, event) => {
    if (event.attrName === 'data-copy-code') {
      if (node.nodeName === 'BUTTON' && event.attrValue === COPY_TOKEN) event.attrValue = '';
      else event.keepAttr = false;
    } else if (event.attrName === 'class') {
      const kept = event.attrValue.split(/\s+/).filter((c) => ALLOWED_CLASS.test(c));
      if (kept.length) event.attrValue = kept.join(' ');
      else event.keepAttr = false;
    }
  });

  purifier.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'IMG') replaceRemoteImage(node);
    else if (node.hasAttribute('href')) openInNewTab(node);
  });

  return purifier;
});

/** Links leave the app in a new tab that cannot reach back (`window.opener`) or see where it came from. */
function openInNewTab(link: Element): void {
  link.setAttribute('target', '_blank');
  link.setAttribute('rel', 'noopener noreferrer');
}

/**
 * An `<img>` whose source is not inline data would load from another host: it becomes a link the
 * reader may follow ("image: alt"), or plain text when the URL is not a web address.
 */
function replaceRemoteImage(img: Element): void {
  const src = img.getAttribute('src') ?? '';
  if (INLINE_IMAGE.test(src)) return;
  const doc = img.ownerDocument;
  const label = `image: ${img.getAttribute('alt')?.trim() || src || 'no description'}`;
  let replacement: Node = doc.createTextNode(label);
  if (src && isWebUrl(src)) {
    const link = doc.createElement('a');
    link.setAttribute('href', src);
    link.setAttribute('class', 'md-image-link');
    link.textContent = label;
    openInNewTab(link);
    replacement = link;
  }
  img.replaceWith(replacement);
}

/** http(s) or a relative URL; every other scheme (data:, blob:, javascript:, …) is refused. */
function isWebUrl(url: string): boolean {
  const compact = url.replace(URL_IGNORED, '');
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(compact)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'http' || scheme === 'https';
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
