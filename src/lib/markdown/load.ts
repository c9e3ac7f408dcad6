/**
 * The lazy boundary of Markdown rendering: `marked` and DOMPurify load when the first answer is shown
 * (or when the user turns to the chat), not with the page. The module map keeps them once loaded.
 */
import type * as Markdown from './index';

export const loadMarkdown = (): Promise<typeof Markdown> => import('./index');
