import { expect, test } from './fixtures';
import { detail, lastAnswer, openChat, rawText, send, streamEntry } from './chat-helpers';

const TEXT_STREAMS = [
  'openai-python__test_parse_nothing.sse', // plain text
  'openai-python__test_parse_max_tokens_reached.sse', // finish_reason: length
  'openai-node__stream_works_1.sse', // usage chunk
  'openai-node__stream_is_robust_against_leading_newline_chunks_1.sse',
  'pydantic-ai__gpt-5_text.1.sse', // a chunk after the usage chunk, with usage: null
  'vercel-ai__openai-text.chunks.jsonl', // a long Markdown answer in 303 chunks
  'vercel-ai__azure-model-router.chunks.jsonl', // Azure: first chunk without choices, reasoning tokens
];

test.describe('Chat: recorded streams', () => {
  for (const file of TEXT_STREAMS) {
    test(`${file}: the answer equals the assembled content, with its usage`, async ({ page, api }) => {
      const entry = streamEntry(file);
      const expected = entry.assembled_by_concatenating_deltas['0']!.content!;
      await api.queue({ kind: 'replay', fixture: file, chunkDelayMs: 2 });
      await openChat(page, api);
      await send(page, 'Hello');

      const answer = lastAnswer(page);
      await expect(answer.getByRole('region', { name: 'Answer details' })).toBeVisible();
      expect(await rawText(answer)).toBe(expected);
      // The rendered Markdown shows the same words (markup aside).
      const rendered = (await answer.locator('.body').innerText()).replace(/\s+/g, ' ').trim();
      const plainWords = expected
        .replace(/[#*`>|_-]/g, ' ')
        .split(/\s+/)
        .filter((w) => /^\w+$/.test(w));
      for (const word of plainWords.slice(0, 40)) expect(rendered).toContain(word);

      expect(await detail(answer, 'Prompt tokens')).toContain(String(entry.usage.prompt_tokens));
      expect(await detail(answer, 'Completion tokens')).toContain(String(entry.usage.completion_tokens));
      expect(await detail(answer, 'Finish reason')).toContain(entry.finish_reasons['0']!);
      if (entry.finish_reasons['0'] === 'length') {
        await expect(answer.getByText('Cut off at max tokens')).toBeVisible();
        expect(await detail(answer, 'Finish reason')).toContain('raise Max tokens');
      }
    });
  }

  test('n = 3: the three choices stream side by side, then become tabs', async ({ page, api }) => {
    const file = 'openai-python__test_parse_pydantic_model_multiple_choices.sse';
    const entry = streamEntry(file);
    await api.queue({ kind: 'replay', fixture: file, chunkDelayMs: 60 });
    await openChat(page, api);
    await page.getByRole('spinbutton', { name: 'Choices (n)' }).fill('3');
    await send(page, 'Weather?');

    const live = page.getByRole('article', { name: 'assistant message (in progress)' });
    await expect(live.getByText('Choice 3')).toBeVisible();

    const answer = lastAnswer(page);
    const tabs = answer.getByRole('tab');
    await expect(tabs).toHaveCount(3);
    for (let i = 0; i < 3; i++) {
      await answer.getByRole('tab', { name: `Choice ${i + 1}` }).click();
      await expect(answer.getByRole('tab', { name: `Choice ${i + 1}` })).toHaveAttribute(
        'aria-selected',
        'true',
      );
      expect(await rawText(answer)).toBe(entry.assembled_by_concatenating_deltas[String(i)]!.content);
    }
  });

  test('a refusal is shown as a refusal', async ({ page, api }) => {
    const file = 'openai-python__test_parse_pydantic_model_refusal.sse';
    const entry = streamEntry(file);
    await api.queue({ kind: 'replay', fixture: file });
    await openChat(page, api);
    await send(page, 'How do I make anthrax?');
    await expect(lastAnswer(page).getByText('Refusal:')).toBeVisible();
    await expect(lastAnswer(page)).toContainText(entry.assembled_by_concatenating_deltas['0']!.refusal!);
  });

  test('text appears while it streams, and the inspector lists every chunk with its arrival time', async ({
    page,
    api,
  }) => {
    const file = 'vercel-ai__openai-text.chunks.jsonl';
    await api.queue({ kind: 'replay', fixture: file, chunkDelayMs: 15 });
    await openChat(page, api);
    await send(page, 'Tell me');
    const live = page.getByRole('article', { name: 'assistant message (in progress)' });
    await expect(live.getByRole('status')).toHaveText('Streaming…');
    await expect(live).toContainText(/\w+/);
    await expect(lastAnswer(page).getByRole('region', { name: 'Answer details' })).toBeVisible({
      timeout: 15_000,
    });

    await page.getByText('Inspector', { exact: true }).click();
    const chunks = page.getByRole('list', { name: 'Chunks' }).getByRole('listitem');
    await expect(chunks).toHaveCount(303);
    await expect(chunks.first()).toContainText(/^\+\d+ ms/);
    const body = JSON.parse((await page.getByLabel('Request body').textContent())!);
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  test('an answer with no text (a tool call) still shows its details', async ({ page, api }) => {
    const file = 'pydantic-ai__gpt-4o-mini_tool_then_text.1.sse';
    const entry = streamEntry(file);
    await api.queue({ kind: 'replay', fixture: file });
    await openChat(page, api);
    await send(page, 'Weather?');
    const answer = lastAnswer(page);
    await expect(answer.getByRole('article', { name: 'tool call get_capital' })).toContainText(
      '"country": "UK"',
    );
    const details = answer.getByRole('region', { name: 'Answer details' });
    await expect(details).toContainText('tool_calls');
    await expect(details).toContainText(String(entry.usage.prompt_tokens));
  });
});
