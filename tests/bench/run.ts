import { readdirSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { chromiumLaunchOptions } from '../chromium';
import { chunkReport, firstLoadChunks } from './first-load';
import { benchEmbeddings } from './embeddings';
import { benchEmbeddingsBrowser } from './embeddings-browser';
import { benchMarkdown } from './markdown';
import { benchMonaco } from './monaco';
import { benchHistory } from './history';

/**
 * `npm run bench`: prints each budget as a ratio against its baseline, measured in this process.
 * A ratio above 1.00 is over budget, and the run fails.
 */
const DIST = 'dist';
const HEAVY = [
  'openai',
  'monaco-editor',
  'chart.js',
  'gpt-tokenizer',
  'marked',
  'dompurify',
  'papaparse',
  'umap-js',
];
const FIRST_LOAD_BUDGET = 60 * 1024;

const failures: string[] = [];
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const ratio = (value: number, baseline: number) => (value / baseline).toFixed(2);

// 1. The first load, from the build's own files.
const chunks = firstLoadChunks(DIST);
const firstLoad = chunks.reduce((sum, c) => sum + c.gzipBytes, 0);
console.log('First load (entry chunk + everything index.html preloads), gzip -9:');
for (const c of chunks) console.log(`  ${c.file.padEnd(40)} ${kib(c.gzipBytes).padStart(10)}`);
console.log(
  `  total ${kib(firstLoad)} against a budget of ${kib(FIRST_LOAD_BUDGET)}: ratio ${ratio(firstLoad, FIRST_LOAD_BUDGET)}`,
);
if (firstLoad > FIRST_LOAD_BUDGET)
  failures.push(`first load ${kib(firstLoad)} is over ${kib(FIRST_LOAD_BUDGET)}`);

const packages = new Map<string, number>();
for (const c of chunks)
  for (const [name, size] of c.packages) packages.set(name, (packages.get(name) ?? 0) + size);
console.log('  source files it draws on, by package (before tree-shaking):');
for (const [name, size] of [...packages].sort((a, b) => b[1] - a[1]))
  console.log(`    ${name.padEnd(30)} ${kib(size)}`);
for (const heavy of HEAVY) if (packages.has(heavy)) failures.push(`${heavy} is part of the first load`);

// The heavy parts exist, but in chunks of their own, loaded on first use.
const lazy = readdirSync(`${DIST}/assets`)
  .filter((f) => f.endsWith('.js') && !chunks.some((c) => c.file.endsWith(f)))
  .map((f) => chunkReport(DIST, `assets/${f}`));
console.log('Loaded on first use:');
for (const c of lazy.sort((a, b) => b.gzipBytes - a.gzipBytes)) {
  const heavy = [...c.packages.keys()].filter((p) => HEAVY.includes(p));
  console.log(
    `  ${c.file.padEnd(40)} ${kib(c.gzipBytes).padStart(10)}  ${heavy.length ? `(${heavy.join(', ')})` : ''} ` +
      `first load = ${ratio(firstLoad, c.gzipBytes)}× this chunk`,
  );
}

// 2. What a real browser fetches on a first visit: the same files, and no heavy package.
const server = await preview({
  preview: { port: 0, host: '127.0.0.1' },
  base: '/sandpit/',
  logLevel: 'silent',
});
const url = `${server.resolvedUrls!.local[0]!}`;
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  const page = await browser.newPage();
  const fetched: string[] = [];
  page.on('requestfinished', (req) => {
    if (req.resourceType() === 'script')
      fetched.push(new URL(req.url()).pathname.replace(/^.*\/assets\//, 'assets/'));
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.getByRole('button', { name: 'Test connection' }).waitFor();
  const fetchedBytes = fetched.reduce((sum, f) => sum + chunkReport(DIST, f).gzipBytes, 0);
  console.log(
    `Chromium fetched ${fetched.length} scripts on the first visit (${kib(fetchedBytes)} gzip): ${fetched.join(', ')}`,
  );
  console.log(`  ratio to the files index.html names: ${ratio(fetchedBytes, firstLoad)}`);
  const heavyFetched = fetched.filter((f) => lazy.some((c) => c.file === f));
  if (heavyFetched.length) failures.push(`the first visit fetched lazy chunks: ${heavyFetched.join(', ')}`);
} finally {
  await browser.close();
  await server.close();
}

// 3. Rendering an answer while it streams: incremental against re-rendering the whole text per chunk.
const markdown = await benchMarkdown();
for (const line of markdown.lines) console.log(line);
failures.push(...markdown.failures);

// 4. The embeddings lab's math, in the worker's code path, against straightforward number[] loops.
const embeddings = await benchEmbeddings();
for (const line of embeddings.lines) console.log(line);
failures.push(...embeddings.failures);
const lab = await benchEmbeddingsBrowser();
for (const line of lab.lines) console.log(line);
failures.push(...lab.failures);

// 5. Monaco: its chunks, and the time from opening an editor's section to an editable editor.
const monaco = await benchMonaco(DIST);
for (const line of monaco.lines) console.log(line);
failures.push(...monaco.failures);

// 6. The history with 5,000 saved runs: listing, search, saving a run's entry.
const history = await benchHistory();
for (const line of history.lines) console.log(line);
failures.push(...history.failures);

if (failures.length) {
  console.error(`\nOver budget:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('\nAll budgets met.');
