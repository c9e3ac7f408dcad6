import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { dumpBrowserStorage, expect, test } from './fixtures';
import { chatBodies, lastAnswer, messageBox, openChat, send } from './chat-helpers';

const xss = (file: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/xss/${file}`, import.meta.url), 'utf8')) as {
    vectors?: { payload: string }[];
    blocks?: { code: string }[];
  };
const PAYLOADS = [
  ...xss('dompurify_expect_vectors.json').vectors!.map((v) => v.payload),
  ...xss('owasp_xss_filter_evasion.json').blocks!.map((b) => b.code),
];

/** Makes any script that runs leave a trace (besides the CSP report the guard fails on). */
async function trapScripts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__xss = [];
    for (const name of ['alert', 'confirm', 'prompt', 'print']) {
      w[name] = (...args: unknown[]) => (w.__xss as unknown[]).push([name, ...args]);
    }
  });
}

/** Everything dangerous that survived in the rendered answers. */
async function survivors(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const URL_ATTRIBUTES = [
      'href',
      'src',
      'action',
      'formaction',
      'xlink:href',
      'data',
      'poster',
      'background',
      'cite',
      'srcset',
    ];
    const found: string[] = [];
    const answers = document.querySelectorAll('[aria-label^="assistant message"] .body');
    for (const root of answers) {
      for (const el of root.querySelectorAll('*')) {
        const tag = el.tagName.toLowerCase();
        if (
          ['script', 'iframe', 'frame', 'object', 'embed', 'form', 'style', 'link', 'meta', 'base'].includes(
            tag,
          )
        )
          found.push(`<${tag}>`);
        if (tag === 'button' && !el.hasAttribute('data-copy-code')) found.push('<button> from the text');
        for (const attr of el.attributes) {
          // eslint-disable-next-line no-control-regex -- browsers ignore these inside a URL's scheme
          const value = attr.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
          if (attr.name.startsWith('on')) found.push(`${tag} ${attr.name}`);
          if (attr.name === 'style') found.push(`${tag} style`);
          if (URL_ATTRIBUTES.includes(attr.name) && /^(javascript|vbscript):/.test(value))
            found.push(`${tag} ${attr.name}=${value.slice(0, 30)}`);
          if (tag === 'img' && attr.name === 'src' && !value.startsWith('data:image/'))
            found.push(`img ${value}`);
        }
      }
    }
    return found;
  });
}

test.describe('Chat: untrusted text', () => {
  test('every XSS vector, saved as an answer and rendered: no script, no handler, no javascript: URL', async ({
    page,
    api,
  }) => {
    test.setTimeout(60_000);
    await trapScripts(page);
    await page.goto('./');
    await expect(page.getByRole('heading', { name: 'Chat' })).toBeVisible();
    // The conversation as the app stores it, one assistant answer per vector.
    await page.evaluate(async (payloads) => {
      const metrics = {
        ttftMs: 1,
        totalMs: 2,
        tokensPerSecond: null,
        usage: null,
        costUsd: null,
        finishReasons: ['stop'],
        systemFingerprint: null,
        requestId: null,
        model: 'gpt-4o-mini',
        attempts: 1,
        streamed: true,
        chunkCount: 1,
      };
      const draft = {
        kind: 'chat-draft',
        v: 1,
        savedAt: Date.now(),
        data: {
          model: 'gpt-4o-mini',
          systemPrompt: '',
          messages: payloads.map((content, i) => ({
            id: `x${i}`,
            role: 'assistant',
            content,
            answer: { runId: `r${i}`, choices: [content], choice: 0, end: 'done', refusal: null, metrics },
          })),
          params: {},
          stream: true,
          stallSeconds: 30,
          maxRetries: 2,
          composer: '',
          composerRole: 'user',
        },
      };
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('sandpit');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      await new Promise((resolve, reject) => {
        const tx = db.transaction('records', 'readwrite');
        tx.objectStore('records').put(draft, 'chat-draft:default');
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    }, PAYLOADS);
    await page.reload();
    await expect(page.getByRole('article', { name: /^assistant message/ })).toHaveCount(PAYLOADS.length, {
      timeout: 20_000,
    });
    await expect(
      page.getByRole('article', { name: `assistant message ${PAYLOADS.length}` }).locator('.body'),
    ).not.toBeEmpty();
    expect(await survivors(page)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __xss: unknown[] }).__xss)).toEqual([]);
    expect(PAYLOADS.length).toBeGreaterThan(300);
    void api;
  });

  test('the same vectors streamed back as one answer', async ({ page, newSession }) => {
    test.setTimeout(60_000);
    await trapScripts(page);
    // Thousands of small chunks: without the usual pause between them.
    const api = await newSession({ chunkDelayMs: 0 });
    await openChat(page, api);
    await send(page, PAYLOADS.join('\n\n'));
    await expect(lastAnswer(page).getByRole('region', { name: 'Answer details' })).toBeVisible({
      timeout: 30_000,
    });
    expect(await survivors(page)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __xss: unknown[] }).__xss)).toEqual([]);
  });

  test('links open in a new tab without referrer, remote images become links, code has a copy button', async ({
    page,
    api,
    context,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openChat(page, api);
    await send(
      page,
      'See [the docs](https://platform.openai.com/docs) and ![a chart](https://example.com/chart.png)\n\n```js\nconsole.log("hi");\n```',
    );
    const answer = lastAnswer(page);
    const link = answer.getByRole('link', { name: 'the docs' });
    await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(answer.getByRole('img')).toHaveCount(0);
    await expect(answer.getByRole('link', { name: /a chart/ })).toHaveAttribute(
      'href',
      'https://example.com/chart.png',
    );
    await answer.getByRole('button', { name: 'Copy code' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('console.log("hi");\n');
  });
});

test.describe('Chat: saved', () => {
  test('a reload restores the conversation and parameters; saved runs hold no key', async ({ page, api }) => {
    await openChat(page, api);
    await page.getByRole('textbox', { name: 'System prompt' }).fill('You are terse.');
    await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
    await send(page, 'remember me');
    await expect(lastAnswer(page)).toContainText('You said: remember me');
    await messageBox(page).fill('unsent draft');

    await page.reload();
    await expect(page.getByRole('textbox', { name: 'System prompt' })).toHaveValue('You are terse.');
    await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('7');
    await expect(page.getByRole('article', { name: 'user message 1' })).toBeVisible();
    await expect(lastAnswer(page)).toContainText('You said: remember me');
    await expect(lastAnswer(page).getByRole('region', { name: 'Answer details' })).toContainText(
      'Prompt tokens',
    );
    await expect(messageBox(page)).toHaveValue('unsent draft');

    const stored = await dumpBrowserStorage(page);
    expect(stored).toContain('"kind":"run"');
    expect(stored).toContain('remember me');
    expect(stored).not.toContain(api.key);
    expect(stored).not.toContain(api.key.slice(3));

    // The inspector reads the saved run back.
    await lastAnswer(page).getByRole('button', { name: 'Inspect this run' }).click();
    await page.getByText('Inspector', { exact: true }).click();
    const body = JSON.parse((await page.getByLabel('Request body').textContent())!);
    expect(body).toEqual((await chatBodies(api))[0]);
    expect(JSON.stringify(body)).not.toContain(api.key);
  });

  test('the prompt-token count follows the conversation, with the context meter and cost', async ({
    page,
    api,
  }) => {
    await openChat(page, api);
    const meter = page.getByRole('region', { name: 'Prompt size' });
    await messageBox(page).fill('Hello world');
    // The cookbook's rule: 3 per message, its role ("user": 1) and content ("Hello world": 2), 3 to prime the reply.
    await expect(meter).toContainText('9 prompt tokens (o200k_base)');
    await expect(meter.getByRole('meter', { name: 'Context window used' })).toBeVisible();
    await expect(meter).toContainText('of 128,000');
    await expect(meter).toContainText(/Cost: \$[\d.e-]+ \(prompt\) to \$/);
    await page.getByRole('textbox', { name: 'System prompt' }).fill('Hello world');
    await expect(meter).toContainText('15 prompt tokens');
    // The prompt is billed once, the output once per choice: 64 tokens at $0.60 / 1M, twice.
    await page.getByRole('spinbutton', { name: 'Max tokens' }).fill('64');
    await page.getByRole('spinbutton', { name: 'Choices (n)' }).fill('2');
    await expect(meter).toContainText('to $0.000079 (with max tokens, 2 choices)');
  });
});
