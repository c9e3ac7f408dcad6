import { expect, test } from './fixtures';
import { chatBodies, lastAnswer, messageBox, openChat, send } from './chat-helpers';

test.describe('Chat: parameters and the request body', () => {
  test('only the parameters the user changed are sent, each under its API name', async ({ page, api }) => {
    await openChat(page, api);
    await page.getByRole('textbox', { name: 'System prompt' }).fill('Be brief.');
    await send(page, 'first');
    await expect(lastAnswer(page)).toContainText('You said: first');

    await page.getByRole('spinbutton', { name: 'Temperature value' }).fill('0');
    await page.getByRole('spinbutton', { name: 'Max tokens' }).fill('64');
    await page.getByRole('spinbutton', { name: 'Top P value' }).fill('0.5');
    await page.getByRole('spinbutton', { name: 'Frequency penalty value' }).fill('0.4');
    await page.getByRole('spinbutton', { name: 'Presence penalty value' }).fill('-0.3');
    await page.getByRole('textbox', { name: 'Stop sequences' }).fill('END\n###');
    await page.getByRole('spinbutton', { name: 'Seed' }).fill('42');
    await page.getByRole('combobox', { name: 'Response format' }).selectOption('json_object');
    await page.getByRole('checkbox', { name: 'Stream' }).uncheck();
    // Advice where it applies.
    await expect(page.getByRole('list', { name: 'Advice' })).toContainText('not both');
    await expect(page.getByRole('list', { name: 'Advice' })).toContainText('JSON');
    await send(page, 'second, as json');
    await expect(lastAnswer(page)).toContainText('You said: second, as json');

    // Reset: the parameter is no longer sent.
    await page.getByRole('button', { name: 'Reset Top P to its default' }).click();
    await page.getByRole('button', { name: 'Reset Stop sequences to their default' }).click();
    await page.getByRole('slider', { name: 'Temperature' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('checkbox', { name: 'Stream' }).check();
    await send(page, 'third, json');
    await expect(lastAnswer(page)).toContainText('You said: third, json');

    const [first, second, third] = await chatBodies(api);
    expect(first).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(second).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'You said: first' },
        { role: 'user', content: 'second, as json' },
      ],
      temperature: 0,
      top_p: 0.5,
      max_completion_tokens: 64,
      frequency_penalty: 0.4,
      presence_penalty: -0.3,
      stop: ['END', '###'],
      seed: 42,
      response_format: { type: 'json_object' },
    });
    expect(third).toMatchObject({ temperature: 0.01, max_completion_tokens: 64, stream: true });
    expect(third).not.toHaveProperty('top_p');
    expect(third).not.toHaveProperty('stop');
  });

  test('a reasoning model: unsupported parameters are disabled with the reason and not sent', async ({
    page,
    api,
  }) => {
    await openChat(page, api);
    await page.getByRole('spinbutton', { name: 'Temperature value' }).fill('0.2');
    const model = page.getByRole('combobox', { name: 'Model' });
    await model.fill('o4');
    const listbox = page.getByRole('listbox', { name: 'Models' });
    await expect(listbox.getByRole('group', { name: 'Reasoning' })).toBeVisible();
    await listbox.getByRole('option', { name: 'o4-mini' }).click();
    await expect(model).toHaveValue('o4-mini');

    await expect(page.getByRole('slider', { name: 'Temperature' })).toBeDisabled();
    await expect(page.getByText(/Only the default \(1\) value is supported/).first()).toBeVisible();
    await expect(page.getByRole('spinbutton', { name: 'Frequency penalty value' })).toBeDisabled();
    await expect(page.getByRole('note')).toContainText('temperature');
    await page.getByRole('combobox', { name: 'Reasoning effort' }).selectOption('low');
    await page.getByRole('spinbutton', { name: 'Max tokens' }).fill('500');
    await expect(page.getByRole('list', { name: 'Advice' })).toContainText('reasoning tokens');
    await send(page, 'Think');
    await expect(lastAnswer(page)).toContainText('You said: Think');

    const [body] = await chatBodies(api);
    expect(body).toMatchObject({ model: 'o4-mini', reasoning_effort: 'low', max_completion_tokens: 500 });
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('max_tokens');
  });

  test('the keyboard: Ctrl+Enter sends, the model list opens with the arrow keys', async ({ page, api }) => {
    await openChat(page, api);
    const model = page.getByRole('combobox', { name: 'Model' });
    await model.focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('listbox', { name: 'Models' })).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(model).not.toHaveValue('gpt-4o-mini');
    const chosen = await model.inputValue();

    await messageBox(page).fill('keyboard');
    await messageBox(page).press('Control+Enter');
    await expect(lastAnswer(page)).toContainText('You said: keyboard');
    expect((await chatBodies(api))[0]).toMatchObject({ model: chosen });
  });

  test('edit, reorder, delete and regenerate messages', async ({ page, api }) => {
    await openChat(page, api);
    await page.getByRole('combobox', { name: 'Role of the new message' }).selectOption('user');
    await messageBox(page).fill('one');
    await page.getByRole('button', { name: 'Add to conversation' }).click();
    await messageBox(page).fill('two');
    await page.getByRole('button', { name: 'Add to conversation' }).click();
    await expect(page.getByRole('article', { name: 'user message 2' })).toBeVisible();

    await page.getByRole('button', { name: 'Move turn 2 up' }).click();
    await expect(page.getByRole('textbox', { name: 'Text of turn 1 (user)' })).toHaveValue('two');
    await page.getByRole('textbox', { name: 'Text of turn 2 (user)' }).fill('one, edited');
    await page.getByRole('combobox', { name: 'Role of turn 1' }).selectOption('developer');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(lastAnswer(page)).toContainText('You said: one, edited');

    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect(page.getByRole('article', { name: /^assistant message/ })).toHaveCount(1);
    await page.getByRole('button', { name: 'Delete turn 1' }).click();
    await expect(page.getByRole('article', { name: /message/ })).toHaveCount(2);

    const bodies = await chatBodies(api);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]!.messages).toEqual([
      { role: 'developer', content: 'two' },
      { role: 'user', content: 'one, edited' },
    ]);
    expect(bodies[1]!.messages).toEqual(bodies[0]!.messages);
  });

  test('typing a model id key by key filters the list and is never overridden', async ({
    page,
    api,
    guard,
  }) => {
    guard.allowConsoleError(/404 \(Not Found\)/);
    await openChat(page, api);
    const model = page.getByRole('combobox', { name: 'Model' });
    await model.fill('');
    await model.pressSequentially('o4-m');
    await expect(model).toHaveValue('o4-m');
    await expect(page.getByRole('listbox', { name: 'Models' }).getByRole('option')).toHaveText(['o4-mini']);
    await model.pressSequentially('ini-custom');
    await expect(model).toHaveValue('o4-mini-custom');
    await send(page, 'Hi');
    await expect(page.getByRole('article', { name: 'assistant message (in progress)' })).toContainText(
      'Model not available',
    );
    expect((await chatBodies(api))[0]).toMatchObject({ model: 'o4-mini-custom' });
  });

  test('the conversation is fixed while an answer streams; Regenerate never drops a message you wrote', async ({
    page,
    api,
  }) => {
    await api.queue({ kind: 'replay', fixture: 'vercel-ai__openai-text.chunks.jsonl', chunkDelayMs: 30 });
    await openChat(page, api);
    await send(page, 'Tell me');
    const live = page.getByRole('article', { name: 'assistant message (in progress)' });
    await expect(live.getByRole('status')).toHaveText('Streaming…');
    await messageBox(page).fill('next question');
    await expect(page.getByRole('button', { name: 'Add to conversation' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Delete turn 1' })).toBeDisabled();
    await page.keyboard.press('Escape');
    await expect(lastAnswer(page).getByText('Stopped: partial answer')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Regenerate' })).toBeEnabled();

    await page.getByRole('combobox', { name: 'Role of the new message' }).selectOption('assistant');
    await messageBox(page).fill('A reply I wrote myself.');
    await page.getByRole('button', { name: 'Add to conversation' }).click();
    await expect(page.getByRole('article', { name: 'assistant message 3' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Regenerate' })).toBeDisabled();
  });
});
