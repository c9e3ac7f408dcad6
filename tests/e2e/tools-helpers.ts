import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** A recorded tool conversation: each request body as sent to the real API. */
export function recordedBodies(file: string): Record<string, unknown>[] {
  const conversation = JSON.parse(
    readFileSync(new URL(`../fixtures/sse/${file}`, import.meta.url), 'utf8'),
  ) as { interactions: { request: { body: Record<string, unknown> } }[] };
  return conversation.interactions.map((i) => i.request.body);
}

/** Opens the Tools section (it loads its code the first time). */
export async function openTools(page: Page): Promise<Locator> {
  const region = page.getByRole('region', { name: 'Tools' });
  const toggle = region.getByRole('button', { name: 'Tools', exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(region.getByRole('button', { name: 'Add tool' })).toBeEnabled();
  return region;
}

/** Imports tools from JSON (an array of tools, or a request body with `tools`) through the file picker. */
export async function importTools(page: Page, json: unknown, name = 'tools.json'): Promise<void> {
  const region = await openTools(page);
  await region.getByLabel('Import tools (JSON)').setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(json, null, 2)),
  });
}

/**
 * Replaces the text of the Monaco editor with this accessible name by pasting, as a person pastes JSON
 * (typed text would get Monaco's auto-closed brackets).
 */
export async function replaceEditorText(page: Page, name: string, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  // Monaco's input is a 1-pixel textarea: focus it rather than click it.
  await page.getByRole('textbox', { name }).focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

/** Picks a model by typing its id into the model combobox. */
export async function chooseModel(page: Page, id: string): Promise<void> {
  const model = page.getByRole('combobox', { name: 'Model' });
  await model.fill(id);
  await model.press('Escape');
  await expect(model).toHaveValue(id);
}

/** The article of a tool call, by function name (the nth when several share it). */
export const toolCall = (page: Page, name: string): Locator =>
  page.getByRole('article', { name: `tool call ${name}` });
