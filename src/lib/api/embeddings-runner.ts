/**
 * What the embeddings lab needs to run, loaded on first use: the SDK, the run loop and the catalog.
 * Reached through one dynamic import (see `state/embeddings.svelte.ts`).
 */
export { runEmbeddings } from './embeddings-run';
export { createClient } from './client';
export { describeModel, costOf } from '../models';
