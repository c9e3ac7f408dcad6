import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { clientFor, useServer } from './helpers.ts';

const { session } = useServer();

const FIXTURE = 'openai-python__test_parse_nothing.sse';
const params = {
  model: 'gpt-4o',
  messages: [{ role: 'user' as const, content: 'What is the weather in SF?' }],
  stream: true as const,
};

/** Iterates a stream, counting the chunks it yields before it ends or throws. */
async function consume(stream: AsyncIterable<unknown>): Promise<{ count: number; error: unknown }> {
  let count = 0;
  try {
    for await (const _chunk of stream) count += 1;
    return { count, error: null };
  } catch (error) {
    return { count, error };
  }
}

describe('fault scenarios through the SDK', () => {
  it('cut: the iteration throws after exactly the chunks that were sent', async () => {
    const s = await session();
    await s.queue({ kind: 'cut', fixture: FIXTURE, afterChunks: 5 });
    const { count, error } = await consume(await clientFor(s).chat.completions.create(params));
    expect(count).toBe(5);
    // Not an OpenAI error class: undici's own "terminated" surfaces as is, and the SDK never retries a started stream.
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('terminated');
  });

  it('cut: a non-streaming request gets a truncated JSON body and fails', async () => {
    const s = await session();
    await s.queue({ kind: 'cut', fixture: FIXTURE, afterChunks: 10 });
    await expect(clientFor(s).chat.completions.create({ ...params, stream: false })).rejects.toThrow(
      /terminated/,
    );
  });

  it('stall: yields the chunks, then nothing until the caller aborts', async () => {
    const s = await session();
    await s.queue({ kind: 'stall', fixture: FIXTURE, afterChunks: 3 });
    const controller = new AbortController();
    const stream = await clientFor(s).chat.completions.create(params, { signal: controller.signal });
    const started = Date.now();
    let abortedAt = 0;
    const timer = setTimeout(() => {
      abortedAt = Date.now();
      controller.abort();
    }, 300);
    const { count, error } = await consume(stream);
    clearTimeout(timer);
    expect(count).toBe(3);
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // Iterating `create({ stream: true })` ends quietly on abort; only the stream() helper throws APIUserAbortError.
    expect(error).toBeNull();
  });

  it('stall: the stream() helper rejects with APIUserAbortError when aborted', async () => {
    const s = await session();
    await s.queue({ kind: 'stall', fixture: FIXTURE, afterChunks: 3 });
    const runner = clientFor(s).chat.completions.stream({ model: 'gpt-4o', messages: params.messages });
    let chunks = 0;
    runner.on('chunk', () => (chunks += 1));
    setTimeout(() => runner.abort(), 200);
    await expect(runner.finalChatCompletion()).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(chunks).toBe(3);
  });

  it('stall: the chunks before the stall arrive without delay', async () => {
    const s = await session();
    await s.queue({ kind: 'stall', fixture: FIXTURE, afterChunks: 2 });
    const controller = new AbortController();
    const stream = await clientFor(s).chat.completions.create(params, { signal: controller.signal });
    const seen: number[] = [];
    const started = Date.now();
    const reading = (async () => {
      for await (const _chunk of stream) seen.push(Date.now() - started);
    })().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toHaveLength(2);
    controller.abort();
    await reading;
  });

  it('malformed: a parse error after the good chunks', async () => {
    const s = await session();
    await s.queue({ kind: 'malformed', fixture: FIXTURE, afterChunks: 4 });
    const client = new OpenAI({ apiKey: s.key, baseURL: s.baseURL, maxRetries: 0, logLevel: 'off' });
    const { count, error } = await consume(await client.chat.completions.create(params));
    expect(count).toBe(4);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(String(error)).toMatch(/malformed server-sent event JSON/);
  });

  it('malformed: custom text is written as given', async () => {
    const s = await session();
    await s.queue({ kind: 'malformed', fixture: FIXTURE, afterChunks: 1, text: 'data: {oops}\n\n' });
    const response = await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}` },
      body: JSON.stringify(params),
    });
    expect((await response.text()).endsWith('\n\ndata: {oops}\n\n')).toBe(true);
  });

  it('drop: the SDK reports a connection error', async () => {
    const s = await session();
    await s.queue({ kind: 'drop' });
    await expect(clientFor(s).models.list()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('drop then success: the SDK retries a reset connection', async () => {
    const s = await session();
    await s.queue({ kind: 'drop' });
    const models = await clientFor(s, { maxRetries: 1 }).models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it('delay: answers normally after the pause', async () => {
    const s = await session();
    await s.queue({ kind: 'delay', ms: 250 });
    const started = Date.now();
    const completion = await clientFor(s).chat.completions.create({ ...params, stream: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(completion.choices[0]?.message.content).toBe('You said: What is the weather in SF?');
  });

  it('replay pacing: chunkDelayMs spaces the blocks out', async () => {
    const s = await session();
    await s.queue({
      kind: 'replay',
      fixture: 'openai-python__test_content_logprobs_events.sse',
      chunkDelayMs: 40,
    });
    const started = Date.now();
    const { count } = await consume(await clientFor(s).chat.completions.create(params));
    expect(count).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 40 - 10);
  });
});

describe('raw answers', () => {
  it('sends exactly the status and body, with the usual headers, on any route', async () => {
    const s = await session();
    const lmStudio = '{"error":"Unexpected endpoint or method. (GET /models)"}';
    await s.queue({ kind: 'raw', status: 200, body: lmStudio });
    const res = await fetch(`${s.baseURL}/models`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(lmStudio);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect((await s.requests()).at(-1)?.scenario).toBe('raw:200');
    // The next request is answered normally.
    const next = await fetch(`${s.baseURL}/models`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(((await next.json()) as { object: string }).object).toBe('list');
  });

  it('refuses a status outside 200-599 or a body that is not a string, when queued', async () => {
    const s = await session();
    await expect(s.queue({ kind: 'raw', status: 99, body: '' })).rejects.toThrow(
      /status must be an HTTP status/,
    );
    await expect(s.queue({ kind: 'raw', status: 200, body: 1 as unknown as string })).rejects.toThrow(
      /body must be a string/,
    );
  });
});

describe('scenario queue', () => {
  it('times: N applies a scenario to N requests, then the default answers', async () => {
    const s = await session();
    await s.queue({ kind: 'error', error: '500_server_error', times: 2 });
    const client = clientFor(s);
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.models.list()).resolves.toBeDefined();
  });

  it('match: a scenario waits for the route it names; others pass by', async () => {
    const s = await session();
    await s.queue(
      { kind: 'error', error: '404_model_not_found_embeddings', match: { path: '/embeddings' } },
      { kind: 'replay', fixture: FIXTURE, match: { path: '/chat/completions', method: 'post' } },
    );
    const client = clientFor(s);
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const completion = await client.chat.completions.create({ ...params, stream: false });
    expect(completion.id).toBe('chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL');
    await expect(
      client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await s.requests()).map((r) => r.scenario)).toEqual([
      null,
      `replay:${FIXTURE}`,
      'error:404_model_not_found_embeddings',
    ]);
  });

  it('a recorded-stream scenario waits for /chat/completions; an error applies to the next request', async () => {
    const s = await session();
    await s.queue({ kind: 'replay', fixture: FIXTURE }, { kind: 'error', error: '500_server_error' });
    const client = clientFor(s);
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const completion = await client.chat.completions.create({ ...params, stream: false });
    expect(completion.id).toBe('chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL');
  });

  it('a scenario name labels the request log', async () => {
    const s = await session();
    await s.queue({ kind: 'delay', ms: 1, name: 'slow models' });
    await clientFor(s).models.list();
    expect((await s.requests())[0]?.scenario).toBe('slow models');
  });

  it('rejects scenarios that cannot run when they are queued', async () => {
    const s = await session();
    await expect(s.queue({ kind: 'replay', fixture: '../README.md' })).rejects.toThrow(/unknown fixture/);
    await expect(s.queue({ kind: 'cut', fixture: FIXTURE, afterChunks: 999 })).rejects.toThrow(/afterChunks/);
    // @ts-expect-error: an unknown kind is what this checks
    await expect(s.queue({ kind: 'explode' })).rejects.toThrow(/unknown scenario kind/);
  });

  it('close() ends stalled streams instead of hanging', async () => {
    const { startTestServer } = await import('./server.ts');
    const { createSession } = await import('./control.ts');
    const own = await startTestServer();
    const s = await createSession(own.url);
    await s.queue({ kind: 'stall', fixture: FIXTURE, afterChunks: 1 });
    const stream = await clientFor(s).chat.completions.create(params);
    const reading = consume(stream);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.close();
    const { count, error } = await reading;
    expect(count).toBe(1);
    expect(error).toBeInstanceOf(Error);
  });
});
