import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { connect, dumpBrowserStorage, expect, test } from './fixtures';
import { chatBodies, lastAnswer, openChat, send } from './chat-helpers';

/** Opens the History section and returns it. */
async function openHistory(page: Page) {
  const region = page.getByRole('region', { name: 'History' });
  const toggle = region.getByRole('button', { name: 'History', exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(region.getByRole('searchbox', { name: 'Search history' })).toBeVisible();
  return region;
}

test.describe('History', () => {
  test('run, reload, find it, open it, fork it, delete and undo', async ({ page, api }) => {
    await openChat(page, api);
    await page.getByRole('spinbutton', { name: 'Temperature value' }).fill('0.7');
    await send(page, 'The first experiment about lighthouses');
    await expect(lastAnswer(page)).toContainText('You said');
    await send(page, 'A second one about volcanoes');
    await expect(lastAnswer(page)).toContainText('volcanoes');

    await page.reload();
    // The key is held in memory only: after a reload it is entered again.
    await connect(page, { key: api.key, baseURL: api.baseURL });
    const history = await openHistory(page);
    const runs = history.getByRole('list', { name: 'Saved runs' });
    await expect(runs.getByRole('article')).toHaveCount(2);
    await history.getByRole('searchbox', { name: 'Search history' }).fill('lighthouses');
    await expect(runs.getByRole('article')).toHaveCount(1);
    const run = runs.getByRole('article', { name: /lighthouses/ });
    await expect(run).toContainText('gpt-4o-mini');

    // Open: the conversation with its answer; the saved run is kept.
    await page.getByRole('button', { name: 'Delete turn 1' }).click();
    await run.getByRole('button', { name: /^Open / }).click();
    await expect(history.getByRole('status').filter({ hasText: 'Opened' })).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Text of turn 1 (user)' })).toHaveValue(
      'The first experiment about lighthouses',
    );
    await expect(page.getByRole('article', { name: 'assistant message 2' })).toContainText('You said');
    await expect(page.getByRole('spinbutton', { name: 'Temperature value' })).toHaveValue('0.7');

    // Fork: the setup alone, sent again as a new run.
    await run.getByRole('button', { name: /^Fork / }).click();
    await expect(page.getByRole('article', { name: /^assistant message/ })).toHaveCount(0);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(lastAnswer(page)).toContainText('lighthouses');
    const bodies = await chatBodies(api);
    expect(bodies[2]).toEqual(bodies[0]);
    await history.getByRole('searchbox', { name: 'Search history' }).fill('');
    await expect(runs.getByRole('article')).toHaveCount(3);

    // Rename, tag, star; then delete with undo.
    const newest = runs.getByRole('article').first();
    await newest.getByRole('button', { name: /^Edit / }).click();
    await newest.getByRole('textbox', { name: 'Name' }).fill('Lighthouse fork');
    await newest.getByRole('textbox', { name: 'Tags' }).fill('coast, demo');
    await newest.getByRole('button', { name: 'Save' }).click();
    await expect(runs.getByRole('article', { name: 'run Lighthouse fork' })).toContainText('#coast');
    await runs.getByRole('button', { name: 'Star Lighthouse fork' }).click();
    await history.getByRole('checkbox', { name: 'Starred only' }).check();
    await expect(runs.getByRole('article')).toHaveCount(1);
    await history.getByRole('checkbox', { name: 'Starred only' }).uncheck();

    await runs.getByRole('button', { name: 'Delete Lighthouse fork' }).click();
    await expect(runs.getByRole('article')).toHaveCount(2);
    await history.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect(runs.getByRole('article', { name: 'run Lighthouse fork' })).toBeVisible();
    await page.reload();
    await expect(
      (await openHistory(page)).getByRole('article', { name: 'run Lighthouse fork' }),
    ).toContainText('#demo');
  });

  test('export, then import into a fresh browser profile: identical; bad files are refused with a reason', async ({
    page,
    api,
    browser,
  }) => {
    await openChat(page, api);
    await send(page, 'Keep this run');
    await expect(lastAnswer(page)).toContainText('You said');
    const history = await openHistory(page);
    await expect(history.getByRole('article')).toHaveCount(1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      history.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    const file = readFileSync((await download.path())!, 'utf8');
    expect(file).not.toContain(api.key);
    expect(JSON.parse(file)).toMatchObject({ format: 'sandpit-runs', version: 1 });

    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto('./');
    const fresh = await openHistory(other);
    const input = fresh.getByLabel('Runs file to import');
    for (const [name, text, reason] of [
      ['notes.json', '{"hello": "world"}', /not a Sandpit|format/i],
      ['cut.json', file.slice(0, Math.floor(file.length / 2)), /JSON|truncated|cut/i],
      ['garbage.json', 'not json at all', /JSON/],
    ] as const) {
      await input.setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
      await expect(fresh.getByRole('alert')).toContainText(`${name} was not imported`);
      await expect(fresh.getByRole('alert')).toContainText(reason);
    }
    await expect(fresh.getByRole('article')).toHaveCount(0);

    await input.setInputFiles({ name: 'runs.json', mimeType: 'application/json', buffer: Buffer.from(file) });
    await expect(
      fresh.getByRole('status').filter({ hasText: 'Imported 1 run from runs.json.' }),
    ).toBeVisible();
    await expect(fresh.getByRole('article', { name: 'run Keep this run' })).toBeVisible();
    // Importing it again skips the duplicate, never overwriting.
    await input.setInputFiles({ name: 'runs.json', mimeType: 'application/json', buffer: Buffer.from(file) });
    await expect(fresh.getByRole('alert')).toContainText('Skipped 1');
    await expect(fresh.getByRole('article')).toHaveCount(1);

    // The imported run is the exported one: exporting it again gives the same runs.
    const [again] = await Promise.all([
      other.waitForEvent('download'),
      fresh.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    const reexported = JSON.parse(readFileSync((await again.path())!, 'utf8')) as { runs: unknown[] };
    expect(reexported.runs).toEqual((JSON.parse(file) as { runs: unknown[] }).runs);
    await connect(other, { key: api.key, baseURL: api.baseURL });
    expect(await dumpBrowserStorage(other)).not.toContain(api.key);
    expect(await dumpBrowserStorage(page)).not.toContain(api.key);
    await context.close();
  });

  test('Compare: the parameters that differ, the outputs with a word diff, and a chart', async ({
    page,
    api,
  }) => {
    await openChat(page, api);
    await page.getByRole('spinbutton', { name: 'Temperature value' }).fill('0.2');
    await send(page, 'Describe the sea at dawn');
    await expect(lastAnswer(page)).toContainText('You said');
    await page.getByRole('button', { name: 'Delete turn 2' }).click();
    await page.getByRole('button', { name: 'Delete turn 1' }).click();
    await page.getByRole('spinbutton', { name: 'Temperature value' }).fill('0.9');
    await send(page, 'Describe the sea at dusk');
    await expect(lastAnswer(page)).toContainText('dusk');

    const history = await openHistory(page);
    await expect(history.getByRole('button', { name: 'Compare' })).toBeDisabled();
    await history.getByRole('checkbox', { name: 'Select Describe the sea at dawn' }).check();
    await history.getByRole('checkbox', { name: 'Select Describe the sea at dusk' }).check();
    await history.getByRole('button', { name: 'Compare' }).click();

    const compare = history.getByRole('region', { name: 'Compare runs' });
    await expect(compare.getByRole('rowheader', { name: 'temperature (differs)' })).toBeVisible();
    await expect(compare.getByRole('rowheader', { name: 'model', exact: true })).toBeVisible();
    // The first ticked run is the base; the other shows its words against it.
    const second = compare.getByRole('article', { name: 'output of Describe the sea at dusk' });
    await expect(second.locator('ins')).toContainText('dusk');
    await expect(second.locator('del')).toContainText('dawn');
    await expect(compare.getByRole('img', { name: /Latency, tokens and cost/ })).toBeVisible();
    await expect(compare.getByRole('table').last().getByRole('row')).toHaveCount(3);
  });
});
