import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One JavaScript file of the build, with what it weighs and which packages went into it. */
export interface ChunkReport {
  file: string;
  bytes: number;
  gzipBytes: number;
  packages: Map<string, number>;
}

/**
 * The JavaScript a first visit downloads: the entry script and every module `index.html` preloads.
 * Packages are read from each chunk's source map (`sources`), so a heavy dependency cannot hide.
 */
export function firstLoadChunks(distDir: string): ChunkReport[] {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const files = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+type="module"[^>]*src="([^"]+)"/g)) files.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(m[1]!);
  return [...files].map((file) => chunkReport(distDir, file.replace(/^\.?\//, '')));
}

/** Size, gzip size and contributing packages of one built file. */
export function chunkReport(distDir: string, file: string): ChunkReport {
  const code = readFileSync(join(distDir, file));
  const packages = new Map<string, number>();
  try {
    const map = JSON.parse(readFileSync(join(distDir, `${file}.map`), 'utf8')) as {
      sources: string[];
      sourcesContent?: (string | null)[];
    };
    map.sources.forEach((source, i) => {
      const name = packageOf(source);
      const size = map.sourcesContent?.[i]?.length ?? 0;
      packages.set(name, (packages.get(name) ?? 0) + size);
    });
  } catch {
    packages.set('(no source map)', code.length);
  }
  return { file, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, packages };
}

function packageOf(source: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  return m ? m[1]! : '(app)';
}
