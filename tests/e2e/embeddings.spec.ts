import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import type { Session } from '../server/control';
import { connect, dumpBrowserStorage, expect, test } from './fixtures';

const EMBEDDINGS = { path: '/embeddings' } as const;

const TEXTS = [
  'ml\tMachine learning finds patterns in data',
  'ml\tMachine learning models learn patterns from training data',
  'dl\tDeep learning trains neural networks with many layers',
  'dl\tNeural networks with many layers power deep learning',
  'cooking\tSimmer the tomato sauce with garlic and basil',
  'cooking\tBake the bread with flour, water, salt and yeast',
];

async function openLab(page: Page, api: Session): Promise<void> {
  await page.goto('./');
  await connect(page, { key: api.key, baseURL: api.baseURL });
  await expect(page.getByRole('status').filter({ hasText: /Connected/ })).toBeVisible();
  await page.getByRole('tab', { name: 'Embeddings' }).click();
  await expect(page.getByRole('heading', { name: 'Embeddings', exact: true })).toBeVisible();
}

async function embeddingBodies(api: Session): Promise<Record<string, unknown>[]> {
  return (await api.requests())
    .filter((r) => r.method === 'POST' && r.path === '/embeddings')
    .map((r) => r.body as Record<string, unknown>);
}

const texts = (page: Page) => page.getByRole('textbox', { name: 'Texts' });
const embed = (page: Page) => page.getByRole('button', { name: 'Embed', exact: true });

test.describe('Embeddings lab', () => {
  test('embeds a set, shows the heatmap and the map, and ranks a query', async ({ page, api }) => {
    await openLab(page, api);
    await texts(page).fill(['', ...TEXTS, '   '].join('\n'));
    await expect(page.getByText('6 texts; 2 empty lines skipped')).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Embedding model' })).toHaveValue(
      'text-embedding-3-small',
    );
    await expect(page.getByText(/\d+ tokens · at most \$/)).toBeVisible();
    await embed(page).click();

    await expect(page.getByRole('progressbar', { name: 'Embedding progress' })).toHaveJSProperty('value', 6);
    await expect(
      page.getByRole('img', { name: 'Cosine similarity of 6 texts, similar texts grouped together' }),
    ).toBeVisible();
    await expect(page.getByRole('img', { name: 'PCA map of 6 texts' })).toBeVisible();
    await expect(page.getByText(/6 vectors \(0 from the cache\) from text-embedding-3-small/)).toBeVisible();

    const [body] = await embeddingBodies(api);
    expect(body).toEqual({
      model: 'text-embedding-3-small',
      input: TEXTS.map((t) => t.split('\t')[1]),
      encoding_format: 'base64',
    });

    // The test server's vectors are bags of words: the two deep-learning texts share the query's words.
    await page.getByRole('textbox', { name: 'Query' }).fill('deep neural networks layers');
    await page.getByRole('button', { name: 'Rank' }).click();
    const ranking = page.getByRole('list', { name: 'Ranking' }).getByRole('listitem');
    await expect(ranking).toHaveCount(6);
    await expect(ranking.nth(0)).toContainText('dl:');
    await expect(ranking.nth(1)).toContainText('dl:');
    await expect(ranking.nth(5)).toContainText(/cooking:|ml:/);

    await page.getByText('Compare two texts').click();
    // The query goes to the server that embedded the texts, or nowhere.
    await page.getByRole('textbox', { name: 'Base URL' }).fill(api.baseURL.replace('/v1', '/v2/v1'));
    await page.getByRole('button', { name: 'Rank' }).click();
    await expect(page.locator('#lab-rank-problem')).toContainText('Another server');
    await page.getByRole('textbox', { name: 'Base URL' }).fill(api.baseURL);

    await page.getByRole('combobox', { name: 'First text' }).selectOption({ index: 2 });
    await page.getByRole('combobox', { name: 'Second text' }).selectOption({ index: 3 });
    await expect(page.getByText(/Cosine similarity: 0\.\d{4}/)).toBeVisible();
  });

  test('a second run takes every vector from the cache; dimensions are sent only when set', async ({
    page,
    api,
  }) => {
    await openLab(page, api);
    await texts(page).fill(TEXTS.join('\n'));
    await embed(page).click();
    await expect(page.getByText(/6 vectors \(0 from the cache\)/)).toBeVisible();
    await embed(page).click();
    await expect(page.getByText(/6 vectors \(6 from the cache\)/)).toBeVisible();
    expect(await embeddingBodies(api)).toHaveLength(1);

    // A length the model does not have is marked and never sent.
    const dims = page.getByRole('spinbutton', { name: 'Dimensions' });
    await dims.fill('3072');
    await expect(dims).toHaveAttribute('aria-invalid', 'true');
    await embed(page).click();
    await expect(page.locator('#lab-problem')).toContainText('from 1 to 1,536');
    await dims.fill('256');
    await embed(page).click();
    await expect(
      page.getByText(/6 vectors \(0 from the cache\) from text-embedding-3-small at 256 dimensions/),
    ).toBeVisible();
    const bodies = await embeddingBodies(api);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toMatchObject({ dimensions: 256 });

    // Reload: the texts, the model and the dimensions are still there.
    await page.reload();
    await page.getByRole('tab', { name: 'Embeddings' }).click();
    await expect(texts(page)).toHaveValue(TEXTS.join('\n'));
    await expect(page.getByRole('spinbutton', { name: 'Dimensions' })).toHaveValue('256');
    const stored = await dumpBrowserStorage(page);
    expect(stored).toContain('"kind":"embeddings-run"');
    expect(stored).not.toContain(api.key);
  });

  test('Cancel mid-way keeps what arrived', async ({ page, api, context }) => {
    test.setTimeout(60_000);
    const many = Array.from({ length: 2100 }, (_, i) => `text number ${i}`);
    // The first request (2,048 texts) answers at once, the second waits.
    await api.queue(
      { kind: 'delay', ms: 0, match: EMBEDDINGS },
      { kind: 'delay', ms: 5000, match: EMBEDDINGS },
    );
    await openLab(page, api);
    // Pasted, as a person would bring 2,100 lines (typing them through fill() takes Chromium ~20 s).
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.evaluate((text) => navigator.clipboard.writeText(text), many.join('\n'));
    await texts(page).focus();
    await page.keyboard.press('Control+V');
    await expect(page.getByText('2100 texts')).toBeVisible();
    await embed(page).click();
    const progress = page.getByRole('progressbar', { name: 'Embedding progress' });
    await expect(progress).toHaveJSProperty('value', 2048);
    await expect(progress).toHaveJSProperty('max', 2100);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByText(/Cancelled: 2048 vectors/)).toBeVisible();
    const bodies = await embeddingBodies(api);
    expect(bodies.map((b) => (b.input as string[]).length)).toEqual([2048, 52]);
  });

  test('an API error is explained; a text over the token limit is flagged and not sent', async ({
    page,
    api,
    guard,
  }) => {
    guard.allowConsoleError(/Failed to load resource/);
    await api.queue({ kind: 'error', error: '401_invalid_api_key', match: EMBEDDINGS });
    await openLab(page, api);
    await texts(page).fill(`short text\n${'hello '.repeat(9000)}`);
    await expect(page.getByRole('alert')).toContainText('1 text is over 8,192 tokens');
    await embed(page).click();
    await expect(page.locator('#lab-problem')).toContainText('Invalid API key');
    await embed(page).click();
    await expect(page.getByText(/1 vectors \(0 from the cache\)/)).toBeVisible();
    const bodies = await embeddingBodies(api);
    expect(bodies.map((b) => b.input)).toEqual([['short text'], ['short text']]);
  });

  test('exports the vectors as JSON, for the Embedding Projector, and the heatmap as PNG', async ({
    page,
    api,
  }) => {
    await openLab(page, api);
    await texts(page).fill(TEXTS.join('\n'));
    await embed(page).click();
    await expect(page.getByRole('img', { name: /Cosine similarity of 6 texts/ })).toBeVisible();

    const saved = async (button: string) => {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: button }).click();
      const file = await download;
      return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
    };
    const json = await saved('Export vectors as JSON');
    expect(json.name).toMatch(/text-embedding-3-small.*\.json$/);
    const doc = JSON.parse(json.text) as { items: { label: string; vector: number[] }[] };
    expect(doc.items).toHaveLength(6);
    expect(doc.items[0]!.label).toBe('ml');
    expect(doc.items.every((i) => i.vector.length === 1536)).toBe(true);
    const norm = Math.hypot(...doc.items[0]!.vector);
    expect(norm).toBeCloseTo(1, 4);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save heatmap as PNG' }).click();
    expect((await download).suggestedFilename()).toMatch(/heatmap\.png$/);

    const first = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export for the Embedding Projector' }).click();
    expect((await first).suggestedFilename()).toMatch(/vectors\.tsv$/);
  });

  test('imports a CSV, choosing the text and label columns', async ({ page, api }) => {
    await openLab(page, api);
    const csv =
      'id,topic,sentence\n1,ml,"Machine learning, at scale"\n2,cooking,"Bake ""the"" bread\nthen slice it"\n3,,\n';
    await page.getByLabel('Import a .txt or .csv file').setInputFiles({
      name: 'sentences.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await expect(page.getByRole('group', { name: /Columns of sentences\.csv/ })).toBeVisible();
    await page.getByRole('combobox', { name: 'Text column' }).selectOption({ label: 'sentence' });
    await page.getByRole('combobox', { name: 'Label column' }).selectOption({ label: 'topic' });
    await page.getByRole('button', { name: 'Add these texts' }).click();
    // One text per line: the line break inside a quoted field becomes a space, and the note says so.
    await expect(texts(page)).toHaveValue(
      'ml\tMachine learning, at scale\ncooking\tBake "the" bread then slice it',
    );
    await expect(
      page.getByText(/Added 2 texts from sentences\.csv; 1 empty skipped\. In 1, line breaks/),
    ).toBeVisible();

    await page.getByLabel('Import a .txt or .csv file').setInputFiles({
      name: 'broken.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('a,b\n"unclosed,1\n'),
    });
    await expect(page.getByRole('alert')).toContainText('broken.csv could not be read');
    await expect(texts(page)).toHaveValue(
      'ml\tMachine learning, at scale\ncooking\tBake "the" bread then slice it',
    );
  });
});
