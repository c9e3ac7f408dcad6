import type { Exchange } from './http.ts';

/** Pacing of a stream: a pause before the first block and between the following ones. */
export interface Pacing {
  chunkDelayMs?: number;
  firstChunkDelayMs?: number;
}

/** The wire form of one chunk object. */
export function sseBlock(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The sentinel that ends every OpenAI stream. */
export const DONE = 'data: [DONE]\n\n';

/**
 * Writes blocks one `write()` each, so the client sees them arrive separately, and waits for each
 * to be flushed. Resolves `false` as soon as the client has gone away.
 */
export async function writeBlocks(
  ex: Exchange,
  blocks: readonly (Buffer | string)[],
  pacing: Pacing = {},
): Promise<boolean> {
  for (const [i, block] of blocks.entries()) {
    const pause = i === 0 ? (pacing.firstChunkDelayMs ?? 0) : (pacing.chunkDelayMs ?? 0);
    if (pause > 0 && !(await ex.wait(pause))) return false;
    if (!(await ex.write(block))) return false;
  }
  return true;
}
