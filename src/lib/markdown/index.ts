/**
 * Markdown for chat answers: `marked` (GFM) to HTML, sanitized by DOMPurify before it reaches the DOM,
 * and rendered incrementally while an answer streams. Model and user text are untrusted.
 */
export { BlockSplitter, splitBlocks, StreamingMarkdown, type MarkdownBlock } from './blocks';
export { codeLanguage, escapeHtml, renderCodeBlock, renderMarkdown } from './render';
export { sanitizeHtml } from './sanitize';
