import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `tests/fixtures/`, resolved from this file so the server works from any working directory. */
export const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Absolute path of a file under `tests/fixtures/`. */
export function fixturePath(relative: string): string {
  return fixturesDir + relative;
}

/** Parses a JSON file under `tests/fixtures/`. */
export function readFixtureJson<T>(relative: string): T {
  return JSON.parse(readFileSync(fixturePath(relative), 'utf8')) as T;
}

const DONE_BLOCK = Buffer.from('data: [DONE]\n\n');
const BLANK_LINE = Buffer.from('\n\n');

/** The recorded streams a scenario may name: `.sse` and `.jsonl` files of `tests/fixtures/sse/`. */
export function streamFixtureNames(): string[] {
  return readdirSync(fixturePath('sse')).filter((name) => name.endsWith('.sse') || name.endsWith('.jsonl'));
}

/**
 * Splits a recorded stream into the blocks the server writes one at a time.
 * `.sse` files are cut after each blank line, as bytes, so their concatenation is the file itself;
 * `.jsonl` lines are wrapped the way the API sends them, with the `[DONE]` sentinel appended.
 */
export function splitStreamFixture(name: string, bytes: Buffer): Buffer[] {
  if (name.endsWith('.jsonl')) {
    const lines = bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    return [...lines.map((line) => Buffer.from(`data: ${line}\n\n`)), DONE_BLOCK];
  }
  const blocks: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(BLANK_LINE, start);
    const stop = end === -1 ? bytes.length : end + BLANK_LINE.length;
    blocks.push(bytes.subarray(start, stop));
    start = stop;
  }
  return blocks;
}

/** The JSON payloads of a stream's `data:` blocks, `[DONE]` left out. */
export function chunkPayloads(blocks: Buffer[]): unknown[] {
  const payloads: unknown[] = [];
  for (const block of blocks) {
    const data = block
      .toString('utf8')
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '' || data === '[DONE]') continue;
    payloads.push(JSON.parse(data));
  }
  return payloads;
}

/** Reads each recorded stream once per server; the files never change while it runs. */
export class StreamFixtures {
  readonly #names = new Set(streamFixtureNames());
  readonly #blocks = new Map<string, Buffer[]>();

  /** Whether a scenario may name this file. */
  has(name: string): boolean {
    return this.#names.has(name);
  }

  /** The wire blocks of a fixture; throws for a name that is not in `tests/fixtures/sse/`. */
  blocks(name: string): Buffer[] {
    if (!this.#names.has(name)) throw new Error(`Unknown stream fixture: ${name}`);
    let blocks = this.#blocks.get(name);
    if (!blocks) {
      blocks = splitStreamFixture(name, readFileSync(fixturePath(`sse/${name}`)));
      this.#blocks.set(name, blocks);
    }
    return blocks;
  }
}
