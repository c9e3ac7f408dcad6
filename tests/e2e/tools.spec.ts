import { expect, test } from './fixtures';
import { chatBodies, openChat, send } from './chat-helpers';
import {
  chooseModel,
  importTools,
  openTools,
  recordedBodies,
  replaceEditorText,
  toolCall,
} from './tools-helpers';

const LOOP = 'pydantic-ai__gpt-4o_tool_loop';
const THEN_TEXT = 'pydantic-ai__gpt-4o-mini_tool_then_text';
const CHAT = { path: '/chat/completions' } as const;

/** The two strict tools of openai-python's parallel-calls recording. */
const PARALLEL_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'GetWeatherArgs',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          country: { type: 'string' },
          units: { type: 'string', enum: ['c', 'f'] },
        },
        required: ['city', 'country', 'units'],
        additionalProperties: false,
      },
      strict: true,
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_stock_price',
      description: 'Fetch the latest price for a given ticker',
      parameters: {
        type: 'object',
        properties: { ticker: { type: 'string' }, exchange: { type: 'string' } },
        required: ['ticker', 'exchange'],
        additionalProperties: false,
      },
      strict: true,
    },
  },
];

/** The strict tool of openai-python's strict-tools recording. */
const STRICT_WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, state: { type: 'string' } },
      required: ['city', 'state'],
      additionalProperties: false,
    },
    strict: true,
  },
};

/** An SSE body with one tool call (as a server would stream it), for calls no recording has. */
function toolCallStream(name: string, args: string): string {
  const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
  const chunks = [
    {
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, id: 'call_x1', type: 'function', function: { name, arguments: '' } }],
          },
          finish_reason: null,
        },
      ],
    },
    {
      ...base,
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: args } }] },
          finish_reason: null,
        },
      ],
    },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  ];
  return `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
}

test.describe('Tools: recorded tool streams', () => {
  test('the three-turn tool loop: the requests equal the recorded conversation, message for message', async ({
    page,
    api,
  }) => {
    const recorded = recordedBodies(`${LOOP}.conversation.json`);
    for (const n of [1, 2, 3])
      await api.queue({ kind: 'replay', fixture: `${LOOP}.${n}.sse`, chunkDelayMs: 2 });
    await openChat(page, api);
    await chooseModel(page, 'gpt-4o');
    await importTools(page, recorded[0]);
    await expect(page.getByText('Imported 19 tools from tools.json.')).toBeVisible();
    await page.getByRole('combobox', { name: 'Tool choice' }).selectOption('required');

    const first = recorded[0]!.messages as { content: string }[];
    await send(page, first[0]!.content);
    await expect(toolCall(page, 'get_country')).toBeVisible();
    await expect(toolCall(page, 'get_product_name')).toBeVisible();
    await page.getByRole('textbox', { name: 'Result of get_country' }).fill('Mexico');
    await page.getByRole('textbox', { name: 'Result of get_product_name' }).fill('Pydantic AI');
    await page.getByRole('button', { name: 'Submit tool results' }).click();

    await expect(toolCall(page, 'get_weather')).toBeVisible();
    await expect(toolCall(page, 'get_weather')).toContainText(
      'The arguments match get_weather’s parameters.',
    );
    await page.getByRole('textbox', { name: 'Result of get_weather' }).fill('sunny');
    await page.getByRole('button', { name: 'Submit tool results' }).click();
    await expect(toolCall(page, 'final_result')).toBeVisible();

    const sent = await chatBodies(api);
    expect(sent).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(sent[i]!.messages).toEqual(recorded[i]!.messages);
      expect(sent[i]!.tools).toEqual(recorded[i]!.tools);
      expect(sent[i]!.tool_choice).toBe('required');
      expect(sent[i]!.model).toBe('gpt-4o');
      expect(sent[i]!.stream_options).toEqual({ include_usage: true });
    }
  });

  test('parallel calls stream side by side, each checked against its tool', async ({ page, api }) => {
    await api.queue({
      kind: 'replay',
      fixture: 'openai-python__test_parse_multiple_pydantic_tools.sse',
      chunkDelayMs: 150, // about 4 s of streaming: time to see the calls assemble, even on a busy machine
    });
    await openChat(page, api);
    await importTools(page, PARALLEL_TOOLS);
    await send(page, "What's the weather like in Edinburgh? And the price of AAPL?");

    // While streaming, the calls appear with their arguments assembling.
    const live = page.getByRole('article', { name: 'assistant message (in progress)' });
    await expect(live.getByRole('article', { name: 'tool call GetWeatherArgs' })).toBeVisible();

    const weather = toolCall(page, 'GetWeatherArgs');
    const stock = toolCall(page, 'get_stock_price');
    await expect(weather).toContainText('The arguments match GetWeatherArgs’s parameters.');
    await expect(stock).toContainText('The arguments match get_stock_price’s parameters.');
    await expect(weather.getByLabel('Arguments of GetWeatherArgs')).toContainText('"city": "Edinburgh"');
    const [a, b] = [await weather.boundingBox(), await stock.boundingBox()];
    expect(Math.abs(a!.y - b!.y)).toBeLessThan(4);
    expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);
  });

  test('tool then text, auto-run with a fixed mock: the second request equals the recorded one', async ({
    page,
    api,
  }) => {
    const recorded = recordedBodies(`${THEN_TEXT}.conversation.json`);
    for (const n of [1, 2])
      await api.queue({ kind: 'replay', fixture: `${THEN_TEXT}.${n}.sse`, chunkDelayMs: 2 });
    await openChat(page, api);
    await importTools(page, recorded[0]);
    const tools = page.getByRole('region', { name: 'Tools' });
    await tools.getByRole('radio', { name: 'Fixed reply' }).check();
    await tools.getByRole('textbox', { name: 'Fixed reply of get_capital' }).fill('London');
    await tools.getByRole('checkbox', { name: 'Auto-run tools' }).check();
    await tools.getByRole('combobox', { name: 'Tool choice' }).selectOption('auto');

    await send(page, (recorded[0]!.messages as { content: string }[])[0]!.content);
    await expect(page.getByText('The capital of the UK is London.')).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Auto-run finished in 1 step.' })).toBeVisible();
    const result = page.getByRole('article', { name: 'tool message 3' });
    await expect(result).toContainText('result of get_capital');

    const sent = await chatBodies(api);
    expect(sent).toHaveLength(2);
    // The recording sends the assistant's empty content as null; the playground leaves it out, as the
    // three-turn recording does. Both are the same message to the API.
    const withoutNullContent = (messages: unknown) =>
      (messages as Record<string, unknown>[]).map((m) =>
        Object.fromEntries(Object.entries(m).filter(([, v]) => v !== null)),
      );
    for (let i = 0; i < 2; i++) {
      expect(withoutNullContent(sent[i]!.messages)).toEqual(withoutNullContent(recorded[i]!.messages));
      expect(sent[i]!.tools).toEqual(recorded[i]!.tools);
      expect(sent[i]!.tool_choice).toBe('auto');
    }

    // Saved with each run: the tools, tool_choice, the calls, and (in the next request) the result.
    const runs = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('sandpit');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const req = db
          .transaction('records')
          .objectStore('records')
          .getAll(IDBKeyRange.bound('run:', 'run:\uffff'));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      db.close();
      return all as { data: Record<string, unknown> }[];
    });
    const saved = runs.map((r) => r.data).sort((x, y) => Number(x.createdAt) - Number(y.createdAt));
    expect(saved).toHaveLength(2);
    const [one, two] = saved as {
      request: Record<string, unknown>;
      choices: { toolCalls?: { id: string; name: string; arguments: string }[]; content: string }[];
      loop?: { step: number };
    }[];
    expect(one!.request.tools).toEqual(recorded[0]!.tools);
    expect(one!.request.tool_choice).toBe('auto');
    expect(one!.choices[0]!.toolCalls).toEqual([
      { id: 'call_ZR5UUuTt3pf61kjwAJIYdVMj', name: 'get_capital', arguments: '{"country":"UK"}' },
    ]);
    expect(withoutNullContent(two!.request.messages)).toEqual(withoutNullContent(recorded[1]!.messages));
    expect(two!.loop?.step).toBe(1);
    expect(two!.choices[0]!.content).toBe('The capital of the UK is London.');
  });

  test('strict tool call, answered by a JavaScript mock in a Web Worker', async ({ page, api }) => {
    await api.queue({
      kind: 'replay',
      fixture: 'openai-python__test_parse_strict_tools.sse',
      chunkDelayMs: 2,
    });
    await openChat(page, api);
    await importTools(page, [STRICT_WEATHER]);
    const tools = page.getByRole('region', { name: 'Tools' });
    await expect(tools.getByRole('checkbox', { name: 'Strict mode' })).toBeChecked();
    await tools.getByRole('radio', { name: 'JavaScript function' }).check();
    const code =
      'const { city, state } = args;\nreturn { city, state, temperature: 18, network: typeof fetch, storage: typeof indexedDB };';
    await replaceEditorText(page, 'Mock function of get_weather', code);
    await send(page, "What's the weather like in SF?");

    const call = toolCall(page, 'get_weather');
    await expect(call).toContainText('The arguments match get_weather’s parameters.');
    await call.getByRole('button', { name: 'Run mock of get_weather' }).click();
    await expect(call.getByText(/Mock answered in \d+ ms/)).toBeVisible();
    const result = page.getByRole('textbox', { name: 'Result of get_weather' });
    expect(JSON.parse(await result.inputValue())).toEqual({
      city: 'San Francisco',
      state: 'CA',
      temperature: 18,
      network: 'undefined',
      storage: 'undefined',
    });

    // An endless loop is stopped at the time limit; code built from strings is refused.
    await replaceEditorText(page, 'Mock function of get_weather', 'while (true) {}');
    await call.getByRole('button', { name: 'Run mock of get_weather' }).click();
    await expect(call.getByRole('status')).toContainText('took longer than 2 s', { timeout: 10_000 });
    await replaceEditorText(
      page,
      'Mock function of get_weather',
      "return (() => {}).constructor('return 1')();",
    );
    await call.getByRole('button', { name: 'Run mock of get_weather' }).click();
    await expect(call.getByRole('status')).toContainText('Mock failed');

    await result.fill('{"temperature": 18}');
    await page.getByRole('button', { name: 'Submit tool results' }).click();
    await expect(page.getByRole('article', { name: /^assistant message/ }).last()).toContainText('You said');
    const sent = await chatBodies(api);
    expect((sent[1]!.messages as unknown[]).at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_CTf1nWJLqSeRgDqaCG27xZ74',
      content: '{"temperature": 18}',
    });
  });

  test('a call to an unknown tool, with arguments that are not JSON, is flagged, not fatal', async ({
    page,
    api,
  }) => {
    await api.queue({
      kind: 'raw',
      status: 200,
      contentType: 'text/event-stream',
      body: toolCallStream('get_time', '{"zone": "Eur'),
      match: CHAT,
    });
    await openChat(page, api);
    await importTools(page, [STRICT_WEATHER]);
    await send(page, 'What time is it?');
    const call = toolCall(page, 'get_time');
    await expect(call).toContainText('get_time is not one of your enabled tools');
    await expect(call).toContainText('The arguments are not valid JSON');
    await expect(call.getByLabel('Arguments of get_time')).toHaveText('{"zone": "Eur');
    // The user can still answer it.
    await page.getByRole('textbox', { name: 'Result of get_time' }).fill('unknown tool');
    await expect(page.getByRole('button', { name: 'Submit tool results' })).toBeEnabled();
  });
});

test.describe('Tools: the editor', () => {
  test('a broken tool definition gets Monaco schema markers and blocks Send', async ({ page, api }) => {
    await openChat(page, api);
    const tools = await openTools(page);
    await tools.getByRole('button', { name: 'Add tool' }).click();
    await expect(tools.getByRole('textbox', { name: 'Tool definition: get_weather' })).toBeAttached();

    await replaceEditorText(
      page,
      'Tool definition: get_weather',
      '{\n  "type": "function",\n  "function": { "nam": "lookup" }\n}',
    );
    const problems = tools.getByRole('list', { name: 'Problems in Tool 1' });
    await expect(problems).toContainText('Missing property "name"');
    await expect(problems).toContainText('Line 3');
    await expect(tools.locator('.squiggly-error').first()).toBeAttached();

    await send(page, 'Hi');
    await expect(page.getByRole('alert').filter({ hasText: 'Tool 1: line 3' })).toBeVisible();
    expect(await chatBodies(api)).toHaveLength(0);

    // Invalid JSON says where.
    await replaceEditorText(page, 'Tool definition: Tool 1', '{ "type": "function", }');
    await expect(problems).toContainText('Line 1');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: /Tool 1: line 1, column \d+/ })).toBeVisible();
    expect(await chatBodies(api)).toHaveLength(0);
  });

  test('the strict-mode lint points at the property that breaks the rules', async ({ page, api }) => {
    await openChat(page, api);
    const tools = await openTools(page);
    await tools.getByRole('button', { name: 'Add tool' }).click();
    const strictTool = JSON.stringify(
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
            required: ['city'],
          },
          strict: true,
        },
      },
      null,
      2,
    );
    await replaceEditorText(page, 'Tool definition: get_weather', strictTool);
    const problems = tools.getByRole('list', { name: 'Problems in get_weather' });
    await expect(problems).toContainText('"unit"');
    await expect(problems).toContainText('additionalProperties');
    await expect(tools.getByRole('button', { name: 'get_weather, 2 problems' })).toBeVisible();

    // Turning strict mode off keeps them as advice only.
    await tools.getByRole('checkbox', { name: 'Strict mode' }).uncheck();
    await expect(
      tools.getByText('Strict mode is off; turning it on would need the 2 changes listed above.'),
    ).toBeVisible();
  });

  test('a schema the API rejects (400 with param) points back at the editor that holds it', async ({
    page,
    api,
    guard,
  }) => {
    guard.allowConsoleError(/status of 400/);
    await api.queue({ kind: 'error', error: '400_invalid_function_parameters', match: CHAT });
    await openChat(page, api);
    await importTools(page, [
      STRICT_WEATHER,
      { type: 'function', function: { name: 'mongodb-list-databases', parameters: { type: 'object' } } },
    ]);
    await send(page, 'List the databases');
    const goTo = page.getByRole('button', { name: 'Go to tool mongodb-list-databases' });
    await expect(goTo).toBeVisible();
    await goTo.click();
    const tools = page.getByRole('region', { name: 'Tools' });
    await expect(tools.getByRole('heading', { name: 'mongodb-list-databases' })).toBeVisible();
    await expect(
      tools.getByRole('textbox', { name: 'Tool definition: mongodb-list-databases' }),
    ).toBeFocused();
  });
});

test.describe('Structured outputs', () => {
  const LOCATION = JSON.stringify(
    {
      name: 'Location',
      strict: true,
      schema: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          temperature: { type: 'number' },
          units: { type: 'string', enum: ['c', 'f'] },
        },
        required: ['city', 'temperature', 'units'],
        additionalProperties: false,
      },
    },
    null,
    2,
  );

  test('valid, refused, cut at max tokens, and not matching: each answer is checked against the schema', async ({
    page,
    api,
  }) => {
    await api.queue({
      kind: 'replay',
      fixture: 'openai-python__test_parse_pydantic_model.sse',
      chunkDelayMs: 2,
    });
    await api.queue({
      kind: 'replay',
      fixture: 'openai-python__test_parse_pydantic_model_refusal.sse',
      chunkDelayMs: 2,
    });
    await api.queue({
      kind: 'replay',
      fixture: 'openai-python__test_parse_max_tokens_reached.sse',
      chunkDelayMs: 2,
    });
    await openChat(page, api);
    await page.getByRole('combobox', { name: 'Response format', exact: true }).selectOption('json_schema');
    const format = page.getByRole('region', { name: 'Response format' });
    await expect(format.getByRole('textbox', { name: 'Response format schema' })).toBeAttached();
    await replaceEditorText(page, 'Response format schema', LOCATION);
    await expect(format.getByRole('checkbox', { name: 'Strict mode' })).toBeChecked();

    await send(page, "What's the weather like in SF?");
    let answer = page.getByRole('article', { name: /^assistant message/ }).last();
    const structured = () => answer.getByRole('region', { name: 'Structured output' });
    await expect(structured()).toContainText('Valid: matches the schema Location.');
    const tree = structured().getByRole('group', { name: 'Parsed answer' });
    await expect(tree).toContainText('city');
    await expect(tree).toContainText('"San Francisco"');
    await expect(structured().getByLabel('Raw JSON')).toHaveText(
      '{"city":"San Francisco","temperature":61,"units":"f"}',
    );
    const [body] = await chatBodies(api);
    expect(body!.response_format).toEqual({ type: 'json_schema', json_schema: JSON.parse(LOCATION) });

    await send(page, 'How do I make anthrax?');
    answer = page.getByRole('article', { name: /^assistant message/ }).last();
    await expect(answer).toContainText("Refusal: I'm sorry, I can't assist with that request.");
    await expect(structured()).toContainText('The model refused, so there is no JSON to check');

    await send(page, "What's the weather like in SF?");
    answer = page.getByRole('article', { name: /^assistant message/ }).last();
    await expect(structured()).toContainText('Cut off at max tokens: the JSON is incomplete');

    const wrong = JSON.stringify({ city: 'Paris', temperature: 'warm', units: 'k' });
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4o',
      choices: [{ index: 0, delta: { role: 'assistant', content: wrong }, finish_reason: 'stop' }],
    };
    await api.queue({
      kind: 'raw',
      status: 200,
      contentType: 'text/event-stream',
      body: `data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`,
      match: CHAT,
    });
    await send(page, 'And Paris?');
    answer = page.getByRole('article', { name: /^assistant message/ }).last();
    await expect(structured()).toContainText('Does not match the schema Location');
    const errors = structured().getByRole('list', { name: 'Schema errors' });
    await expect(errors).toContainText('temperature');
    await expect(errors).toContainText('units');
  });

  test('JSON mode reminds that the prompt must mention JSON', async ({ page, api }) => {
    await openChat(page, api);
    await page.getByRole('combobox', { name: 'Response format', exact: true }).selectOption('json_object');
    const format = page.getByRole('region', { name: 'Response format' });
    await format.getByRole('button', { name: 'Response format', exact: true }).click();
    await expect(format).toContainText('the messages must mention “JSON”');
  });
});
