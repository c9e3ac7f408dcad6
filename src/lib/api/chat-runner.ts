/**
 * What running a chat request needs, loaded on the first Send: the SDK, the run loop and the catalog.
 * Everything here is reached through one dynamic import (see `state/chat.svelte.ts`).
 */
export { runChat, type RunOutcome } from './chat-run';
export { createClient } from './client';
export { describeModel } from '../models';
export { measureAnswer } from '../chat/metrics';
