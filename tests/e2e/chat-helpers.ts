import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import type { Session } from '../server/control';
import { connect, expect } from './fixtures';

/** One entry of tests/fixtures/sse/index.json, as far as these tests read it. */
export interface StreamEntry {
  file: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  finish_reasons: Record<string, string>;
  assembled_by_concatenating_deltas: Record<string, { content: string | null; refusal: string | null }>;
}

export function streamEntry(file: string): StreamEntry {
  const index = JSON.parse(
    readFileSync(new URL('../fixtures/sse/index.json', import.meta.url), 'utf8'),
  ) as StreamEntry[];
  const entry = index.find((e) => e.file === file);
  if (!entry) throw new Error(`no fixture ${file}`);
  return entry;
}

/** Opens the app, connects to the session and waits for the model list. */
export async function openChat(page: Page, api: Session): Promise<void> {
  await page.goto('./');
  await connect(page, { key: api.key, baseURL: api.baseURL });
  await expect(page.getByRole('status').filter({ hasText: /Connected/ })).toBeVisible();
}

export const messageBox = (page: Page): Locator =>
  page.getByRole('textbox', { name: 'Message', exact: true });

/** Writes a message and presses Send. */
export async function send(page: Page, text: string): Promise<void> {
  await messageBox(page).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** The last assistant message in the conversation. */
export const lastAnswer = (page: Page): Locator =>
  page.getByRole('article', { name: /^assistant message \d+$/ }).last();

/** The answer's text exactly as it arrived, from its raw view. */
export async function rawText(answer: Locator): Promise<string> {
  await answer.getByRole('checkbox', { name: 'Show raw text' }).check();
  const text = await answer.locator('pre.raw').textContent();
  await answer.getByRole('checkbox', { name: 'Show raw text' }).uncheck();
  return text ?? '';
}

/** The chat completion requests the session received, as parsed bodies. */
export async function chatBodies(api: Session): Promise<Record<string, unknown>[]> {
  return (await api.requests())
    .filter((r) => r.method === 'POST' && r.path === '/chat/completions')
    .map((r) => r.body as Record<string, unknown>);
}

/** The answer details region's value for a label (e.g. "Prompt tokens"). */
export async function detail(answer: Locator, label: string): Promise<string> {
  const details = answer.getByRole('region', { name: 'Answer details' });
  return (
    (await details
      .locator('div', { has: answer.page().getByText(label, { exact: true }) })
      .locator('dd')
      .textContent()) ?? ''
  );
}
