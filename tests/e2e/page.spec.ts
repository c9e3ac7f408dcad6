import { connect, dumpBrowserStorage, expect, test } from './fixtures';

test.describe('Themes', () => {
  test('follow the system by default, and the switch overrides it', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('./');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await expect(page.getByRole('radio', { name: 'System' })).toBeChecked();
    expect(await background()).toBe('rgb(19, 17, 16)');

    await page.getByRole('radio', { name: 'Light' }).check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    expect(await background()).toBe('rgb(251, 250, 247)');

    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('radio', { name: 'Dark' }).check();
    expect(await background()).toBe('rgb(19, 17, 16)');
  });
});

test.describe('Layout and keyboard', () => {
  for (const [label, width] of [
    ['laptop', 1280],
    ['wide screen', 2200],
    ['narrow window', 390],
  ] as const) {
    test(`nothing overflows sideways on a ${label} (${width}px)`, async ({ page, api }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto('./');
      await connect(page, { key: api.key, baseURL: api.baseURL });
      await expect(page.getByRole('status')).toHaveText(/Connected/);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }

  test('keyboard focus is visible and reaches every control in order', async ({ page }) => {
    await page.goto('./');
    // Headless Chromium gives the first Tab to the document itself; the page's controls come next.
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement === document.body)) await page.keyboard.press('Tab');
    const expected = [
      'Skip to connection settings',
      'System', // the theme radio group is one stop; arrows move within it
      'API key',
      'Show key',
      'platform.openai.com',
      'Remember key on this device',
      // "Forget key" is disabled with no key, so it is skipped.
      'Base URL',
      'OpenAI',
      'Ollama',
      'LM Studio',
      'vLLM',
      'Organization and project (optional)',
      'Test connection',
    ];
    const names: string[] = [];
    for (let i = 0; i < expected.length; i++) {
      if (i > 0) await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement;
        // A radio is drawn by its label (the input itself is transparent): the ring must be there.
        const drawn = el.type === 'radio' ? el.closest('label')! : el;
        const style = getComputedStyle(drawn);
        const name = el.labels?.[0]?.textContent?.trim() || el.textContent?.trim() || '';
        return { name, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
      });
      names.push(focused.name);
      expect(focused.outline, `focus ring on ${focused.name}`).toBe('solid');
      expect(focused.width, `focus ring on ${focused.name}`).toBeGreaterThanOrEqual(2);
    }
    expect(names).toEqual(expected);
  });
});

test.describe('Storage problems are shown and lose nothing', () => {
  test('IndexedDB unavailable (private mode): a notice, and the app still works in memory', async ({
    page,
    api,
  }) => {
    await page.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException(
          'A mutation operation was attempted on a database that did not allow mutations.',
          'InvalidStateError',
        );
      };
    });
    await page.goto('./');
    await expect(page.getByRole('alert')).toContainText('This browser is not letting Sandpit save anything');
    await connect(page, { key: api.key, baseURL: api.baseURL });
    await expect(page.getByRole('status')).toHaveText(/Connected: 14 models/);
    await page.getByRole('button', { name: 'Dismiss this storage notice' }).click();
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('storage full: the change is kept for this tab and the notice says so', async ({ page, api }) => {
    await page.goto('./');
    await page.getByRole('textbox', { name: 'Base URL' }).fill(api.baseURL);
    await expect.poll(() => dumpBrowserStorage(page)).toContain(api.baseURL);
    // From now on every write fails the way a full disk does.
    await page.evaluate(() => {
      IDBObjectStore.prototype.put = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await page.getByText('Organization and project (optional)').click();
    await page.getByRole('textbox', { name: 'Project ID' }).fill('proj_unsaved');
    await expect(page.getByRole('alert')).toContainText('Browser storage is full');
    await expect(page.getByRole('alert')).toContainText('Nothing already saved was removed');
    await expect(page.getByRole('textbox', { name: 'Project ID' })).toHaveValue('proj_unsaved');

    await page.reload();
    // What was stored before the disk filled up is still there.
    await expect(page.getByRole('textbox', { name: 'Base URL' })).toHaveValue(api.baseURL);
  });

  test('a corrupt saved record is skipped and reported; defaults are used', async ({ page }) => {
    await page.goto('./');
    await page.getByRole('textbox', { name: 'Base URL' }).fill('http://localhost:1234/v1');
    await expect.poll(() => dumpBrowserStorage(page)).toContain('http://localhost:1234/v1');
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('sandpit');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const tx = db.transaction('records', 'readwrite');
      tx.objectStore('records').put(
        { kind: 'settings', v: 1, savedAt: 1, data: { baseURL: 42 } },
        'settings:default',
      );
      await new Promise((r) => (tx.oncomplete = r));
      db.close();
    });
    await page.reload();
    await expect(page.getByRole('alert')).toContainText(
      'A saved settings record could not be read and was skipped',
    );
    await expect(page.getByRole('textbox', { name: 'Base URL' })).toHaveValue('https://api.openai.com/v1');
  });
});
