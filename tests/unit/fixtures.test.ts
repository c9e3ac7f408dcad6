import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * tests/fixtures is a copy of the workplace's shared recordings (../shared/fixtures), kept in the
 * repository so a clean clone can run every test. These checks keep the copy honest.
 */
const here = dirname(fileURLToPath(import.meta.url));
const vendored = join(here, '../fixtures');
const shared = join(here, '../../../shared/fixtures');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((f) => f !== 'SHA256SUMS')
    .sort();
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the vendored fixtures', () => {
  it('are exactly the files listed in SHA256SUMS, unmodified', () => {
    const listed = readFileSync(join(vendored, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [hash, name] = line.split(/\s+\*?/);
        return [name!.replace(/^\.\//, ''), hash!] as const;
      });
    expect(listed.map(([name]) => name).sort()).toEqual(files(vendored));
    for (const [name, hash] of listed) expect(sha256(join(vendored, name)), name).toBe(hash);
  });

  it('equal the shared recordings wherever those are present', () => {
    const present = existsSync(shared);
    // Outside the workplace there is nothing to compare with; the checksums above still hold.
    const sharedFiles = present ? files(shared) : files(vendored);
    expect(files(vendored)).toEqual(sharedFiles);
    if (present)
      for (const f of sharedFiles) expect(sha256(join(vendored, f)), f).toBe(sha256(join(shared, f)));
  });
});
