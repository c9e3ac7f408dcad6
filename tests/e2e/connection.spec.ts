import { connect, dumpBrowserStorage, expect, test } from './fixtures';

test.describe('Test connection', () => {
  test('lists the models the key can use, grouped by kind, with limits and prices', async ({ page, api }) => {
    await page.goto('./');
    await connect(page, { key: api.key, baseURL: api.baseURL });

    await expect(page.getByRole('status')).toHaveText(/Connected: 14 models available\./);
    const models = page.getByRole('region', { name: 'Models' });
    for (const group of ['Chat', 'Reasoning', 'Embeddings', 'Other']) {
      await expect(models.getByRole('heading', { name: new RegExp(`^${group}`) })).toBeVisible();
    }
    const gpt4o = models.getByRole('row', { name: /^gpt-4o\b(?!-)/ });
    await expect(gpt4o.getByRole('cell').first()).toHaveText('128,000');
    await expect(gpt4o).toContainText('$2.50');
    await expect(gpt4o).toContainText('$10.00');
    await expect(models.getByRole('row', { name: /o3-mini/ })).toContainText('effort: low, medium, high');
    await expect(models.getByRole('row', { name: /whisper-1/ })).toContainText(
      'not a chat or embeddings model',
    );

    await models.getByRole('searchbox', { name: 'Filter models' }).fill('embedding');
    await expect(models.getByRole('row', { name: /text-embedding/ })).toHaveCount(3);
    await expect(models.getByRole('row', { name: /gpt-4o/ })).toHaveCount(0);

    const requests = (await api.requests()).filter((r) => r.method === 'GET');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toBe('/models');
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${api.key}`);
    expect(requests[0]!.headers['openai-organization']).toBeUndefined();
  });

  test('sends the organization and project headers when they are set', async ({ page, api }) => {
    await page.goto('./');
    await page.getByText('Organization and project (optional)').click();
    await page.getByRole('textbox', { name: 'Organization ID' }).fill('org-sandpit');
    await page.getByRole('textbox', { name: 'Project ID' }).fill('proj_sandpit');
    await connect(page, { key: api.key, baseURL: api.baseURL });
    await expect(page.getByRole('status')).toHaveText(/Connected/);
    const [request] = (await api.requests()).filter((r) => r.method === 'GET');
    expect(request!.headers['openai-organization']).toBe('org-sandpit');
    expect(request!.headers['openai-project']).toBe('proj_sandpit');
  });

  test('does not load the SDK until the first call', async ({ page, api }) => {
    const scripts: Promise<string>[] = [];
    page.on('response', (res) => {
      if (res.request().resourceType() === 'script') scripts.push(res.text());
    });
    const sdkLoaded = async () => (await Promise.all(scripts)).some((s) => s.includes('X-Stainless-Lang'));
    await page.goto('./', { waitUntil: 'networkidle' });
    await expect(page.getByRole('button', { name: 'Test connection' })).toBeVisible();
    expect(scripts.length).toBeGreaterThan(0);
    expect(await sdkLoaded()).toBe(false);

    await connect(page, { key: api.key, baseURL: api.baseURL });
    await expect(page.getByRole('status')).toHaveText(/Connected/);
    expect(await sdkLoaded()).toBe(true);
  });
});

test.describe('Connection failures, each with its cause and fix next to the field at fault', () => {
  test('no key', async ({ page, api }) => {
    await page.goto('./');
    await page.getByRole('textbox', { name: 'Base URL' }).fill(api.baseURL);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByRole('status')).toHaveText('Connection failed: No API key.');
    const key = page.getByRole('textbox', { name: 'API key' });
    await expect(key).toHaveAttribute('aria-invalid', 'true');
    await expect(key).toHaveAccessibleDescription(/No API key\. .*Paste your key/);
    expect(await api.requests()).toEqual([]);
  });

  test('401: an invalid key', async ({ page, api, guard }) => {
    guard.allowConsoleError(/status of 401 \(Unauthorized\)/);
    await page.goto('./');
    await connect(page, { key: 'sk-wrong-key-1234', baseURL: api.baseURL });
    await expect(page.getByRole('status')).toHaveText('Connection failed: Invalid API key.');
    const key = page.getByRole('textbox', { name: 'API key' });
    await expect(key).toHaveAttribute('aria-invalid', 'true');
    await expect(key).toHaveAccessibleDescription(/Copy the key again from platform\.openai\.com\/api-keys/);
    await expect(page.locator('#api-key-problem')).toContainText('Incorrect API key provided: sk-wrong');
    await expect(page.locator('#api-key-problem')).toContainText(/Request ID: req_[0-9a-f]+/);
  });

  test('403: a region the API does not serve', async ({ page, api, guard }) => {
    guard.allowConsoleError(/status of 403 \(Forbidden\)/);
    await api.queue({ kind: 'error', error: '403_unsupported_country_region_territory' });
    await page.goto('./');
    await connect(page, { key: api.key, baseURL: api.baseURL });
    await expect(page.getByRole('status')).toHaveText('Connection failed: Region not supported.');
    await expect(page.locator('#connection-problem')).toContainText('Use the API from a supported region');
  });

  test('404: a base URL without /v1', async ({ page, api, guard }) => {
    const withoutV1 = api.baseURL.replace(/\/v1$/, '');
    guard.allowRequestsTo(withoutV1);
    guard.allowConsoleError(/404 \(Not Found\)/);
    await page.goto('./');
    await connect(page, { key: api.key, baseURL: withoutV1 });
    await expect(page.getByRole('status')).toHaveText('Connection failed: Nothing at that address.');
    const baseUrl = page.getByRole('textbox', { name: 'Base URL' });
    await expect(baseUrl).toHaveAttribute('aria-invalid', 'true');
    await expect(baseUrl).toHaveAccessibleDescription(/The base URL probably lacks \/v1/);
  });

  test('network: nothing listens at the address', async ({ page, guard }) => {
    const down = 'http://127.0.0.1:9/v1';
    guard.allowRequestsTo(down);
    guard.allowConsoleError(/ERR_CONNECTION_REFUSED|Failed to load resource/);
    await page.goto('./');
    await connect(page, { key: 'sk-anything', baseURL: down });
    await expect(page.getByRole('status')).toHaveText('Connection failed: Nothing answered at that address.');
    await expect(page.getByRole('textbox', { name: 'Base URL' })).toHaveAccessibleDescription(
      /No server answered at 127\.0\.0\.1:9/,
    );
  });

  test('CORS: the server answers without CORS headers, and the fix names each server’s setting', async ({
    page,
    newSession,
    guard,
  }) => {
    const noCors = await newSession({ cors: false });
    guard.allowConsoleError(/CORS policy|Failed to load resource/);
    await page.goto('./');
    await connect(page, { key: noCors.key, baseURL: noCors.baseURL });
    await expect(page.getByRole('status')).toHaveText(
      'Connection failed: The server does not allow this page (CORS).',
    );
    const problem = page.locator('#base-url-problem');
    await expect(problem).toContainText('OLLAMA_ORIGINS');
    await expect(problem).toContainText('Enable CORS');
    await expect(problem).toContainText('--allowed-origins');
  });

  test('plain http to another machine is refused before any request is sent', async ({ page }) => {
    const sent: string[] = [];
    page.on('request', (req) => sent.push(req.url()));
    await page.goto('./');
    await page.getByRole('textbox', { name: 'Base URL' }).fill('http://192.168.1.20:8000/v1');
    const baseUrl = page.getByRole('textbox', { name: 'Base URL' });
    await expect(baseUrl).toHaveAttribute('aria-invalid', 'true');
    await expect(baseUrl).toHaveAccessibleDescription(/Plain http is allowed only to this computer/);
    await page.getByRole('textbox', { name: 'API key' }).fill('sk-anything');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByRole('status')).toHaveText(/Connection failed: Plain http is allowed only/);
    expect(sent.filter((url) => url.includes('192.168.1.20'))).toEqual([]);
  });

  test('429 quota and 500 are told apart', async ({ page, api, guard }) => {
    guard.allowConsoleError(/status of (429 \(Too Many Requests\)|500 \(Internal Server Error\))/);
    await api.queue({ kind: 'error', error: '429_insufficient_quota' });
    await page.goto('./');
    await connect(page, { key: api.key, baseURL: api.baseURL });
    await expect(page.getByRole('status')).toHaveText('Connection failed: Out of credit.');
    await expect(page.locator('#connection-problem')).toContainText('Waiting will not help');

    await api.queue({ kind: 'error', error: '500_server_error' });
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByRole('status')).toHaveText('Connection failed: The server had an error.');
    await expect(page.locator('#connection-problem')).toContainText('This is on its side, not yours');
  });
});

test.describe('What is kept across a reload', () => {
  test('settings are kept; the key is not, and is nowhere in browser storage', async ({ page, api }) => {
    await page.goto('./');
    await connect(page, { key: api.key, baseURL: api.baseURL });
    await expect(page.getByRole('status')).toHaveText(/Connected/);
    await page.getByText('Organization and project (optional)').click();
    await page.getByRole('textbox', { name: 'Project ID' }).fill('proj_kept');
    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect(async () => {
      const stored = await dumpBrowserStorage(page);
      expect(stored).toContain('proj_kept');
      expect(stored).toContain('"theme":"dark"');
    }).toPass();

    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Base URL' })).toHaveValue(api.baseURL);
    await expect(page.getByRole('textbox', { name: 'Project ID' })).toHaveValue('proj_kept');
    await expect(page.getByRole('radio', { name: 'Dark' })).toBeChecked();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.getByRole('textbox', { name: 'API key' })).toHaveValue('');
    await expect(page.getByRole('checkbox', { name: 'Remember key on this device' })).not.toBeChecked();

    const stored = await dumpBrowserStorage(page);
    expect(stored).toContain(api.baseURL);
    expect(stored).not.toContain(api.key);
  });

  test('a change survives a reload that comes right after it', async ({ page }) => {
    await page.goto('./');
    for (const port of [1001, 1002, 1003]) {
      await page.getByRole('textbox', { name: 'Base URL' }).fill(`http://localhost:${port}/v1`);
      await page.reload();
      await expect(page.getByRole('textbox', { name: 'Base URL' })).toHaveValue(
        `http://localhost:${port}/v1`,
      );
    }
    for (const theme of ['Dark', 'Light']) {
      await page.getByRole('radio', { name: theme }).check();
      await page.reload();
      await expect(page.getByRole('radio', { name: theme })).toBeChecked();
    }
  });

  test('with the opt-in the key survives a reload; Forget key removes it everywhere', async ({
    page,
    api,
  }) => {
    await page.goto('./');
    await connect(page, { key: api.key, baseURL: api.baseURL });
    await page.getByRole('checkbox', { name: 'Remember key on this device' }).check();
    await expect(page.getByText('A copy of the key is saved on this device.')).toBeVisible();
    expect(await dumpBrowserStorage(page)).toContain(api.key);

    await page.reload();
    await expect(page.getByRole('textbox', { name: 'API key' })).toHaveValue(api.key);
    // The user asked to pick up where they left off: the connection is checked again.
    await expect(page.getByRole('status')).toHaveText(/Connected: 14 models/);

    await page.getByRole('button', { name: 'Forget key' }).click();
    await expect(page.getByRole('textbox', { name: 'API key' })).toHaveValue('');
    await expect(page.getByRole('checkbox', { name: 'Remember key on this device' })).not.toBeChecked();
    await expect(async () => expect(await dumpBrowserStorage(page)).not.toContain(api.key)).toPass();

    await page.reload();
    await expect(page.getByRole('textbox', { name: 'API key' })).toHaveValue('');
    expect(await dumpBrowserStorage(page)).not.toContain(api.key);
  });

  test('turning the opt-in off removes the stored copy but keeps the key for this tab', async ({
    page,
    api,
  }) => {
    await page.goto('./');
    await page.getByRole('textbox', { name: 'API key' }).fill(api.key);
    const remember = page.getByRole('checkbox', { name: 'Remember key on this device' });
    await remember.check();
    await expect(async () => expect(await dumpBrowserStorage(page)).toContain(api.key)).toPass();
    await remember.uncheck();
    await expect(async () => expect(await dumpBrowserStorage(page)).not.toContain(api.key)).toPass();
    await expect(page.getByRole('textbox', { name: 'API key' })).toHaveValue(api.key);
  });
});

test.describe('The key field', () => {
  test('is a password field with show and hide', async ({ page }) => {
    await page.goto('./');
    const key = page.getByRole('textbox', { name: 'API key' });
    await key.fill('sk-secret-value');
    await expect(key).toHaveAttribute('type', 'password');
    await page.getByRole('button', { name: 'Show key' }).click();
    await expect(key).toHaveAttribute('type', 'text');
    await page.getByRole('button', { name: 'Hide key' }).click();
    await expect(key).toHaveAttribute('type', 'password');
  });
});
