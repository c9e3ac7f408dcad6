import OpenAI, { type APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { FALLBACK_ANSWER } from './chat.ts';
import { assembleChunks, clientFor, readFixtureJson, useServer } from './helpers.ts';

const { session } = useServer();

const user = (content: string) => [{ role: 'user' as const, content }];

interface ErrorFixture {
  id: string;
  body?: { error: { message: string; type: string; param: string | null; code: string | null } };
}
const recorded = (id: string) =>
  readFixtureJson<{ errors: ErrorFixture[] }>('errors/openai_error_examples.json').errors.find(
    (e) => e.id === id,
  )?.body?.error;

async function failure(promise: Promise<unknown>): Promise<APIError> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error as APIError,
  );
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('default chat answers', () => {
  it('echoes the last user message, streamed or not, to the same text', async () => {
    const s = await session();
    const client = clientFor(s);
    const messages = [
      ...user('first'),
      { role: 'assistant' as const, content: 'ok' },
      ...user('Tell me a joke'),
    ];
    const whole = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const chunks = await collect(
      await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true }),
    );
    const streamed = assembleChunks(chunks);
    expect(whole.choices[0]?.message.content).toBe('You said: Tell me a joke');
    expect(streamed.choices['0']?.content).toBe(whole.choices[0]?.message.content);
    expect(streamed.choices['0']?.finish_reason).toBe('stop');
    expect(whole.choices[0]?.finish_reason).toBe('stop');
    expect(whole.model).toBe('gpt-4o-2024-08-06');
    expect(chunks[0]?.model).toBe('gpt-4o-2024-08-06');
    expect(whole.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
  });

  it('answers with fixed Markdown when there is no user text', async () => {
    const s = await session();
    const whole = await clientFor(s).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'You are terse.' }],
    });
    expect(whole.choices[0]?.message.content).toBe(FALLBACK_ANSWER);
  });

  it('shapes chunks like recorded gpt-4o chunks', async () => {
    const s = await session();
    const chunks = await collect(
      await clientFor(s).chat.completions.create({
        model: 'gpt-4o',
        messages: user('Hi there'),
        stream: true,
      }),
    );
    const [first, ...others] = chunks;
    expect(first?.choices).toEqual([
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]);
    expect(first?.object).toBe('chat.completion.chunk');
    expect(first?.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    expect(first?.service_tier).toBe('default');
    expect(first).not.toHaveProperty('usage');
    const last = others.at(-1);
    expect(last?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    expect(others.slice(0, -1).map((c) => c.choices[0]?.delta.content)).toEqual([
      'You',
      ' said:',
      ' Hi',
      ' there',
    ]);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('sends the usage chunk only with include_usage, and keeps usage consistent', async () => {
    const s = await session();
    const client = clientFor(s);
    const without = await collect(
      await client.chat.completions.create({
        model: 'gpt-4o',
        messages: user('one two three'),
        stream: true,
      }),
    );
    expect(without.some((c) => c.usage)).toBe(false);
    expect(without.every((c) => c.choices.length === 1)).toBe(true);
    const withUsage = await collect(
      await client.chat.completions.create({
        model: 'gpt-4o',
        messages: user('one two three'),
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const usageChunk = withUsage.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(withUsage.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    const whole = await client.chat.completions.create({ model: 'gpt-4o', messages: user('one two three') });
    expect(usageChunk?.usage).toEqual(whole.usage);
    const usage = whole.usage!;
    expect(usage.completion_tokens).toBe(5); // "You said: one two three"
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it('n: 2 gives two choices, interleaved when streamed', async () => {
    const s = await session();
    const client = clientFor(s);
    const whole = await client.chat.completions.create({ model: 'gpt-4o', messages: user('pick'), n: 2 });
    expect(whole.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(whole.choices[0]?.message.content).toBe('You said: pick');
    expect(whole.choices[1]?.message.content).toBe('You said: pick (alternative 1)');
    const chunks = await collect(
      await client.chat.completions.create({ model: 'gpt-4o', messages: user('pick'), n: 2, stream: true }),
    );
    expect(chunks.slice(0, 4).map((c) => c.choices[0]?.index)).toEqual([0, 0, 1, 1]);
    const streamed = assembleChunks(chunks);
    expect(streamed.choices['0']?.content).toBe(whole.choices[0]?.message.content);
    expect(streamed.choices['1']?.content).toBe(whole.choices[1]?.message.content);
    expect(whole.usage?.completion_tokens).toBe(3 + 5);
  });

  it('max_tokens: 2 cuts after two words with finish_reason length', async () => {
    const s = await session();
    const client = clientFor(s);
    const whole = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: user('a b c d'),
      max_tokens: 2,
    });
    expect(whole.choices[0]?.message.content).toBe('You said:');
    expect(whole.choices[0]?.finish_reason).toBe('length');
    expect(whole.usage?.completion_tokens).toBe(2);
    const streamed = assembleChunks(
      await collect(
        await client.chat.completions.create({
          model: 'gpt-4o',
          messages: user('a b c d'),
          max_completion_tokens: 2,
          stream: true,
        }),
      ),
    );
    expect(streamed.choices['0']).toMatchObject({ content: 'You said:', finish_reason: 'length' });
  });

  it('stops before a stop sequence', async () => {
    const s = await session();
    const whole = await clientFor(s).chat.completions.create({
      model: 'gpt-4o',
      messages: user('red green blue'),
      stop: [' blue', 'zzz'],
    });
    expect(whole.choices[0]?.message.content).toBe('You said: red green');
    expect(whole.choices[0]?.finish_reason).toBe('stop');
  });

  it('returns logprobs when asked', async () => {
    const s = await session();
    const whole = await clientFor(s).chat.completions.create({
      model: 'gpt-4o',
      messages: user('hi'),
      logprobs: true,
      top_logprobs: 2,
    });
    const tokens = whole.choices[0]?.logprobs?.content ?? [];
    expect(tokens.map((t) => t.token).join('')).toBe('You said: hi');
    expect(tokens[0]?.top_logprobs).toHaveLength(2);
    expect(tokens.every((t) => t.logprob <= 0)).toBe(true);
  });

  it('streams gpt-5 chunks without fingerprint or logprobs key, as recorded', async () => {
    const s = await session();
    const chunks = await collect(
      await clientFor(s).chat.completions.create({ model: 'gpt-5', messages: user('hi'), stream: true }),
    );
    expect(chunks[0]?.model).toBe('gpt-5-2025-08-07');
    expect(chunks[0]?.system_fingerprint).toBeNull();
    expect(chunks[0]?.choices[0]).not.toHaveProperty('logprobs');
  });
});

describe('chat request checks', () => {
  it('unknown model: the recorded 404 naming the model', async () => {
    const s = await session();
    const error = await failure(
      clientFor(s).chat.completions.create({ model: 'gpt-5.2-proo', messages: user('hello') }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.error).toEqual(recorded('404_model_not_found_chat'));
  });

  it("only the session's models are served; dated snapshots of them too", async () => {
    const s = await session({ models: ['gpt-4o-mini', 'llama3'] });
    const client = clientFor(s);
    await expect(
      client.chat.completions.create({ model: 'llama3', messages: user('x') }),
    ).resolves.toBeDefined();
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini-2024-07-18', messages: user('x') }),
    ).resolves.toBeDefined();
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: user('x') }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('reasoning models reject max_tokens with the recorded body', async () => {
    const s = await session();
    for (const model of ['o4-mini', 'gpt-5-mini']) {
      const error = await failure(
        clientFor(s).chat.completions.create({ model, messages: user('x'), max_tokens: 5 }),
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.error).toEqual(recorded('400_unsupported_parameter_max_tokens_reasoning_model'));
    }
  });

  it('reasoning models reject a temperature other than 1, naming the value', async () => {
    const s = await session();
    const client = clientFor(s);
    const error = await failure(
      client.chat.completions.create({ model: 'gpt-5', messages: user('x'), temperature: 0.01 }),
    );
    expect(error.error).toEqual(recorded('400_unsupported_value_temperature'));
    await expect(
      client.chat.completions.create({ model: 'gpt-5', messages: user('x'), temperature: 1 }),
    ).resolves.toBeDefined();
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: user('x'), temperature: 0.01 }),
    ).resolves.toBeDefined();
  });

  it.each([
    [
      { model: 'gpt-4o' },
      "Missing required parameter: 'messages'.",
      'messages',
      'missing_required_parameter',
    ],
    [
      { model: 'gpt-4o', messages: user('x'), temperature: 'high' },
      "Invalid type for 'temperature': expected a decimal, but got a string instead.",
      'temperature',
      'invalid_type',
    ],
    [
      { model: 'gpt-4o', messages: user('x'), foo: 'bar' },
      'Unrecognized request argument supplied: foo',
      null,
      null,
    ],
    [{ messages: user('x') }, 'you must provide a model parameter', null, null],
  ])('a bad body gets the API 400 (%#)', async (body, message, param, code) => {
    const s = await session();
    const response = await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message, type: 'invalid_request_error', param, code } });
  });

  it('a body that is not JSON gets the API parse error', async () => {
    const s = await session();
    const response = await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: "{ model: 'gpt-4o' }",
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string; param: null; code: null } };
    expect(error.message).toMatch(
      /^We could not parse the JSON body of your request\. \(HINT: This likely means/,
    );
    expect(error.message).toContain('help.openai.com.)');
    expect([error.param, error.code]).toEqual([null, null]);
  });

  it('a wrong method or an unknown route gets the API 404 with the path as requested', async () => {
    const s = await session();
    const response = await fetch(`${s.baseURL}/chat/completions`, {
      headers: { authorization: `Bearer ${s.key}` },
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      'Invalid URL (GET /v1/chat/completions)',
    );
  });
});

describe('models', () => {
  it('lists the default models like the real list', async () => {
    const s = await session();
    const models = await clientFor(s).models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gpt-4o',
        'gpt-5',
        'o4-mini',
        'text-embedding-3-small',
        'whisper-1',
        'dall-e-3',
      ]),
    );
    expect(ids).toHaveLength(14);
    for (const model of models.data) {
      expect(model.object).toBe('model');
      expect(['system', 'openai', 'openai-internal']).toContain(model.owned_by);
      expect(model.created).toBeGreaterThan(1_600_000_000);
    }
  });

  it("lists a session's own models and retrieves one", async () => {
    const s = await session({ models: ['llama3', 'qwen2.5'] });
    const client = clientFor(s);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['llama3', 'qwen2.5']);
    expect((await client.models.retrieve('qwen2.5')).id).toBe('qwen2.5');
    await expect(client.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
