import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { chatBodies, lastAnswer, openChat, rawText, send } from './chat-helpers';

const LONG = 'vercel-ai__openai-text.chunks.jsonl';
const SHORT = 'openai-python__test_parse_nothing.sse';
const CHAT = { path: '/chat/completions' } as const;
const live = (page: Page) => page.getByRole('article', { name: 'assistant message (in progress)' });

// The browser logs every failed response and broken body itself; those are the point of these tests.
test.beforeEach(({ guard }) => guard.allowConsoleError(/^Failed to load resource: /));

test.describe('Chat: stop, broken streams, stalls', () => {
  test('Stop keeps the partial answer, marked as stopped; Esc stops too', async ({ page, api }) => {
    await api.queue(
      { kind: 'replay', fixture: LONG, chunkDelayMs: 40 },
      { kind: 'replay', fixture: LONG, chunkDelayMs: 40 },
    );
    await openChat(page, api);
    await send(page, 'Tell me');
    await expect(live(page).locator('.choice')).toContainText(/\w{4,}/);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const answer = lastAnswer(page);
    await expect(answer.getByText('Stopped: partial answer')).toBeVisible();
    const partial = await rawText(answer);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(1000);

    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect(live(page).locator('.choice')).toContainText(/\w{4,}/);
    await page.keyboard.press('Escape');
    await expect(lastAnswer(page).getByText('Stopped: partial answer')).toBeVisible();
  });

  test('a stream that breaks keeps what arrived, marked, with Retry', async ({ page, api }) => {
    await api.queue(
      { kind: 'cut', fixture: SHORT, afterChunks: 8, chunkDelayMs: 20 },
      { kind: 'replay', fixture: SHORT },
    );
    await openChat(page, api);
    await send(page, 'Hi');
    const answer = lastAnswer(page);
    await expect(answer.getByText('Interrupted: partial answer')).toBeVisible();
    await expect(answer).toContainText('The stream broke off');
    const partial = await rawText(answer);
    expect(partial.length).toBeGreaterThan(0);

    await answer.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByText('Interrupted: partial answer')).toHaveCount(0);
    await expect(page.getByRole('article', { name: /^assistant message \d+$/ })).toHaveCount(1);
    expect((await rawText(lastAnswer(page))).startsWith(partial)).toBe(true);
    expect(await chatBodies(api)).toHaveLength(2);
  });

  test('a stall is detected after the stall time, can be awaited, then stopped', async ({ page, api }) => {
    await api.queue({ kind: 'stall', fixture: SHORT, afterChunks: 4 });
    await openChat(page, api);
    await page.getByText('Request settings').click();
    await page.getByRole('spinbutton', { name: 'Stall timeout (seconds)' }).fill('1');
    await send(page, 'Hi');
    const alert = live(page).getByRole('alert');
    await expect(alert).toContainText('No data for 1 s: the stream may have stalled.');
    await alert.getByRole('button', { name: 'Keep waiting' }).click();
    await expect(alert).toHaveCount(0);
    await expect(live(page).getByRole('alert')).toContainText(/No data for [2-9] s/);
    await live(page).getByRole('alert').getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(lastAnswer(page).getByText('Stopped: partial answer')).toBeVisible();
  });
});

test.describe('Chat: errors', () => {
  const cases: { error: string; title: RegExp; more?: RegExp }[] = [
    { error: '401_invalid_api_key', title: /Invalid API key/ },
    { error: '403_unsupported_country_region_territory', title: /Region not supported/ },
    { error: '429_insufficient_quota', title: /Out of credit/, more: /Waiting will not help/ },
    {
      error: '400_context_length_exceeded',
      title: /Too long for the model/,
      more: /Longest first: turn 1 \(user\)/,
    },
  ];
  for (const c of cases) {
    test(`${c.error} is explained, without retries`, async ({ page, api }) => {
      await api.queue({ kind: 'error', error: c.error, match: CHAT });
      await openChat(page, api);
      await send(page, 'Hi');
      const problem = live(page);
      await expect(problem).toContainText(c.title);
      if (c.more) await expect(problem).toContainText(c.more);
      expect(await chatBodies(api)).toHaveLength(1);
    });
  }

  test('404 model not found points at the model field', async ({ page, api }) => {
    await api.queue({ kind: 'error', error: '404_model_not_found_chat', match: CHAT });
    await openChat(page, api);
    await send(page, 'Hi');
    await expect(live(page)).toContainText('Model not available');
    await live(page).getByRole('button', { name: 'Go to Model' }).click();
    await expect(page.getByRole('combobox', { name: 'Model' })).toBeFocused();
    await expect(page.getByRole('combobox', { name: 'Model' })).toHaveAttribute('aria-invalid', 'true');
  });

  test('400 with param points at that parameter’s control', async ({ page, api }) => {
    await api.queue({ kind: 'error', error: '400_unsupported_value_temperature', match: CHAT });
    await openChat(page, api);
    await page.getByRole('spinbutton', { name: 'Temperature value' }).fill('0.01');
    await send(page, 'Hi');
    await expect(live(page)).toContainText('The API rejected “temperature”');
    await live(page).getByRole('button', { name: 'Go to Temperature' }).click();
    await expect(page.getByRole('slider', { name: 'Temperature' })).toBeFocused();
    await expect(page.getByRole('spinbutton', { name: 'Temperature value' })).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    await expect(page.locator('#param-temperature-help')).toContainText(
      'Only the default (1) value is supported',
    );
  });

  test('a server without CORS is diagnosed as CORS', async ({ page, newSession, guard }) => {
    const open = await newSession();
    const closed = await newSession({ cors: false });
    guard.allowConsoleError(/CORS|Failed to load resource|ERR_FAILED/);
    await openChat(page, open);
    await page.getByRole('textbox', { name: 'Base URL' }).fill(closed.baseURL);
    await page.getByRole('textbox', { name: 'API key' }).fill(closed.key);
    await send(page, 'Hi');
    await expect(live(page)).toContainText('The server does not allow this page (CORS)');
  });
});

test.describe('Chat: unreachable server', () => {
  test('nothing listening at the base URL is told apart from CORS', async ({ page, api, guard }) => {
    const nowhere = 'http://127.0.0.1:9/v1';
    guard.allowRequestsTo('http://127.0.0.1:9/');
    guard.allowConsoleError(/ERR_CONNECTION_REFUSED/);
    await openChat(page, api);
    await page.getByRole('textbox', { name: 'Base URL' }).fill(nowhere);
    await page.getByText('Request settings').click();
    await page.getByRole('spinbutton', { name: 'Max retries' }).fill('0');
    await send(page, 'Hi');
    await expect(live(page)).toContainText('Nothing answered at that address');
    await expect(live(page)).toContainText('127.0.0.1:9');
  });
});

test.describe('Chat: retries', () => {
  test('a 429 with a "try again in" hint counts down, and the retry can be cancelled', async ({
    page,
    api,
  }) => {
    await api.queue({ kind: 'error', error: '429_rate_limit_reached_try_again', match: CHAT });
    await openChat(page, api);
    await send(page, 'Hi');
    const status = live(page).getByRole('status');
    await expect(status).toHaveText(/Retrying in [34] s \(attempt 2 of 3\)\./);
    await expect(live(page)).toContainText('Rate limit reached');
    await live(page).getByRole('button', { name: 'Cancel retry' }).click();
    await expect(status).toHaveText('Retry cancelled.');
    expect(await chatBodies(api)).toHaveLength(1);
  });

  test('a 500 is retried after a visible wait, then the answer comes', async ({ page, api }) => {
    await api.queue(
      { kind: 'error', error: '500_server_error', match: CHAT },
      { kind: 'replay', fixture: SHORT },
    );
    await openChat(page, api);
    await send(page, 'Hi');
    await expect(lastAnswer(page).getByRole('region', { name: 'Answer details' })).toContainText('Attempts');
    expect(await chatBodies(api)).toHaveLength(2);
  });

  test('max retries 0 fails at once', async ({ page, api }) => {
    await api.queue({ kind: 'error', error: '500_server_error', match: CHAT });
    await openChat(page, api);
    await page.getByText('Request settings').click();
    await page.getByRole('spinbutton', { name: 'Max retries' }).fill('0');
    await send(page, 'Hi');
    await expect(live(page)).toContainText('The server had an error');
    expect(await chatBodies(api)).toHaveLength(1);
  });
});
