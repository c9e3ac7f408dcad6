import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { preview } from 'vite';
import { chromiumLaunchOptions } from '../chromium';
import { chunkReport } from './first-load';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/**
 * Monaco's weight and its time to an editable editor. The chunks that carry monaco-editor (the editor,
 * its two workers) and the CSS loaded with it are listed with their gzip sizes; then, in Chromium, the
 * time from choosing "JSON schema" (which opens the Response format section) to an editor showing its
 * text and taking typing, the first time (Monaco fetched and started) and again after the section was
 * closed (Monaco cached). Both are printed as ratios to the first visit's own time to an interactive
 * page, measured in the same browser.
 */
export async function benchMonaco(dist: string): Promise<{ lines: string[]; failures: string[] }> {
  const lines: string[] = ['Monaco (tools and response-format editors), loaded on first use:'];
  const failures: string[] = [];
  const assets = readdirSync(join(dist, 'assets'));
  let total = 0;
  for (const file of assets.filter((f) => f.endsWith('.js'))) {
    const report = chunkReport(dist, `assets/${file}`);
    if (!report.packages.has('monaco-editor')) continue;
    total += report.gzipBytes;
    lines.push(`  ${file.padEnd(44)} ${kib(report.gzipBytes).padStart(10)} gzip (${kib(report.bytes)} raw)`);
  }
  for (const file of assets.filter((f) => f.endsWith('.css'))) {
    const css = readFileSync(join(dist, 'assets', file));
    if (!css.includes('.monaco-editor')) continue;
    const gzip = gzipSync(css, { level: 9 }).length;
    total += gzip;
    lines.push(`  ${file.padEnd(44)} ${kib(gzip).padStart(10)} gzip (CSS)`);
  }
  lines.push(`  total ${kib(total)} gzip, none of it in the first load`);

  const server = await preview({
    preview: { port: 0, host: '127.0.0.1' },
    base: '/sandpit/',
    logLevel: 'silent',
  });
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    const start = Date.now();
    await page.goto(server.resolvedUrls!.local[0]!);
    await page.getByRole('button', { name: 'Test connection' }).waitFor();
    const firstVisit = Date.now() - start;

    const cold = await timeToEditable(page, async () => {
      await page.getByRole('combobox', { name: 'Response format', exact: true }).selectOption('json_schema');
    });
    const toggle = page.getByRole('button', { name: 'Response format', exact: true });
    await toggle.click();
    await page.locator('#response-format-editor').waitFor({ state: 'detached' });
    const warm = await timeToEditable(page, () => toggle.click());

    // Editable means it takes typing: a character typed at the start lands in the text.
    await page.getByRole('textbox', { name: 'Response format schema' }).focus();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.type('x');
    const typed = await page.locator('#response-format-editor .view-lines').innerText();
    if (!typed.startsWith('x{')) failures.push('the response-format editor did not take typing');

    lines.push(
      `  first visit to an interactive page: ${firstVisit} ms (the baseline)`,
      `  choosing "JSON schema" to an editable editor, first time: ${cold} ms (ratio ${(cold / firstVisit).toFixed(2)} to the first visit)`,
      `  the same after closing the section (Monaco cached): ${warm} ms (ratio ${(warm / firstVisit).toFixed(2)}; ${(warm / cold).toFixed(2)} of the first time)`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
  return { lines, failures };
}

/** Milliseconds from `action` until the response-format editor shows its text and has its input. */
async function timeToEditable(page: Page, action: () => Promise<unknown>): Promise<number> {
  const start = Date.now();
  await action();
  await page.waitForFunction(() => {
    const editor = document.querySelector('#response-format-editor');
    return (
      !!editor?.querySelector('textarea') &&
      (editor.querySelector('.view-lines')?.textContent ?? '').includes('product_review')
    );
  });
  return Date.now() - start;
}
