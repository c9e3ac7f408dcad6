import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dumpBrowserStorage, expect, test } from './fixtures';
import { chatBodies, lastAnswer, messageBox, openChat } from './chat-helpers';
import { importTools } from './tools-helpers';

const run = promisify(execFile);

/** Prints, as JSON, the value the Python program assigns to `body` (only that statement runs). */
const PYTHON_BODY = [
  'import ast, json, sys',
  'tree = ast.parse(open(sys.argv[1]).read())',
  "node = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], 'id', '') == 'body')",
  "scope = {'json': json}",
  "exec(compile(ast.Module(body=[node], type_ignores=[]), 'body', 'exec'), scope)",
  "print(json.dumps(scope['body']))",
].join('\n');

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
    strict: true,
  },
};

test.describe('Share link', () => {
  test('carries the setup, never the key, and fills a fresh browser that opens it', async ({
    page,
    api,
    browser,
  }) => {
    await openChat(page, api);
    await page.getByRole('textbox', { name: 'System prompt' }).fill('Answer like a pirate.');
    await messageBox(page).fill('Where is the treasure? ☠️');
    await page.getByRole('button', { name: 'Add to conversation' }).click();
    await page.getByRole('spinbutton', { name: 'Temperature value' }).fill('0.3');
    await importTools(page, [WEATHER]);
    await page.getByRole('button', { name: 'Share link' }).click();
    const link = await page.getByRole('textbox', { name: 'Link to this setup' }).inputValue();
    expect(link).toMatch(/#s=v1\./);
    expect(link).not.toContain(api.key);
    expect(link.length).toBeLessThan(8000);

    // A new browser profile: no key, no draft.
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto(link);
    await expect(
      other.getByRole('status').filter({ hasText: 'Opened the setup from a shared link' }),
    ).toContainText('1 message');
    await expect(other.getByRole('textbox', { name: 'System prompt' })).toHaveValue('Answer like a pirate.');
    await expect(other.getByRole('textbox', { name: 'Text of turn 1 (user)' })).toHaveValue(
      'Where is the treasure? ☠️',
    );
    await expect(other.getByRole('spinbutton', { name: 'Temperature value' })).toHaveValue('0.3');
    await expect(
      other.getByRole('region', { name: 'Tools' }).getByRole('button', { name: 'get_weather', exact: true }),
    ).toBeVisible();
    await expect(other.getByRole('textbox', { name: 'API key' })).toHaveValue('');
    expect(new URL(other.url()).hash).toBe('');
    expect(await dumpBrowserStorage(other)).not.toContain(api.key);
    // Undo brings back what the playground held before the link.
    await other.getByRole('button', { name: 'Undo' }).click();
    await expect(other.getByRole('textbox', { name: 'System prompt' })).toHaveValue('');
    await expect(
      other.getByRole('status').filter({ hasText: 'Your setup is back as it was.' }),
    ).toBeVisible();
    await context.close();
  });

  test('a damaged link says why and changes nothing', async ({ page }) => {
    await page.goto('./#s=v1.AAAA');
    await expect(
      page.getByRole('alert').filter({ hasText: 'This share link could not be opened' }),
    ).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'System prompt' })).toHaveValue('');
  });
});

test.describe('View code', () => {
  test('the TypeScript and curl code send exactly the body the playground sent; the Python compiles', async ({
    page,
    api,
  }) => {
    await openChat(page, api);
    await page.getByRole('spinbutton', { name: 'Temperature value' }).fill('0.5');
    await page.getByRole('spinbutton', { name: 'Seed' }).fill('42');
    await messageBox(page).fill('Say hi');
    await page.getByRole('button', { name: 'Add to conversation' }).click();

    await page.getByRole('button', { name: 'View code' }).click();
    const code = async (tab: string) => {
      await page.getByRole('tab', { name: tab }).click();
      return (await page.getByRole('group', { name: `${tab} code` }).textContent()) ?? '';
    };
    const ts = await code('TypeScript');
    const curl = await code('curl');
    const python = await code('Python');
    for (const snippet of [ts, curl, python]) {
      expect(snippet).toContain('OPENAI_API_KEY');
      expect(snippet).not.toContain(api.key);
    }

    let pythonBody: unknown;
    const dir = mkdtempSync(join(process.cwd(), 'tests', '.tmp-view-code-'));
    try {
      const env = { ...process.env, OPENAI_API_KEY: api.key };
      writeFileSync(join(dir, 'request.mts'), ts);
      await run('npx', ['tsx', join(dir, 'request.mts')], { env, timeout: 60_000 });
      await run('bash', ['-c', curl], { env, timeout: 30_000 });
      writeFileSync(join(dir, 'request.py'), python);
      await run('python3', ['-m', 'py_compile', join(dir, 'request.py')], { timeout: 30_000 });
      // The Python program's `body` statement, run alone (no request): the JSON it carries.
      const { stdout } = await run('python3', ['-c', PYTHON_BODY, join(dir, 'request.py')], {
        timeout: 30_000,
      });
      pythonBody = JSON.parse(stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // Then the playground sends the same setup itself.
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(lastAnswer(page)).toContainText('You said: Say hi');
    const bodies = await chatBodies(api);
    expect(bodies).toHaveLength(3);
    const sent = bodies[2]!;
    expect(sent).toMatchObject({ temperature: 0.5, seed: 42 });
    expect(bodies[0]).toEqual(sent);
    expect(bodies[1]).toEqual(sent);
    expect(pythonBody).toEqual(sent);
  });
});
