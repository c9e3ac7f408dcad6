import { describe, expect, it } from 'vitest';
import {
  TokenCountError,
  TokenCounter,
  type CountRequest,
  type CountWorker,
  type PromptMessage,
} from '../../src/lib/tokens';
import type { TokenReply, TokenRequest } from '../../src/lib/tokens/handler';

/** A worker that records what it is sent and answers only when the test says so. */
class FakeWorker implements CountWorker {
  onmessage: CountWorker['onmessage'] = null;
  onerror: CountWorker['onerror'] = null;
  readonly sent: TokenRequest[] = [];
  terminated = false;
  /** When set, postMessage throws it, as a real one does with data it cannot clone. */
  refuse: Error | null = null;

  postMessage(request: TokenRequest): void {
    if (this.refuse) throw this.refuse;
    // What postMessage would do: a structured clone, so the test sees what crossed the boundary.
    this.sent.push(structuredClone(request));
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(reply: TokenReply): void {
    this.onmessage?.({ data: reply } as MessageEvent<TokenReply>);
  }
  answer(request: TokenRequest, tokens: number, toolTokens = 0): void {
    const toolsApproximate = toolTokens > 0;
    this.reply({
      id: request.id,
      tokens,
      toolTokens,
      toolsApproximate,
      encoding: 'o200k_base',
      exact: true,
      ms: 3,
    });
  }
  answerTexts(request: TokenRequest, counts: number[]): void {
    this.reply({ id: request.id, counts, encoding: 'cl100k_base', exact: true, ms: 2 });
  }
  fail(message = ''): void {
    this.onerror?.({ message } as ErrorEvent);
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const counter = new TokenCounter(() => {
    const worker = new FakeWorker();
    workers.push(worker);
    return worker;
  });
  return { counter, workers };
}

const say = (content: string): PromptMessage[] => [{ role: 'user', content }];

/** Lets promise callbacks run. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('TokenCounter', () => {
  it('starts its worker on the first count, not before', async () => {
    const { counter, workers } = setup();
    expect(workers).toHaveLength(0);
    const result = counter.count('gpt-4o', say('hi'));
    expect(workers).toHaveLength(1);
    const [worker] = workers;
    expect(worker!.sent).toEqual([{ id: 1, model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }]);
    worker!.answer(worker!.sent[0]!, 9);
    expect(await result).toEqual({
      model: 'gpt-4o',
      tokens: 9,
      toolTokens: 0,
      toolsApproximate: false,
      encoding: 'o200k_base',
      exact: true,
      ms: 3,
    });

    void counter.count('gpt-4o', say('again'));
    expect(workers).toHaveLength(1);
    expect(worker!.sent).toHaveLength(2);
  });

  it('sends only the fields that count, as plain data', () => {
    const { counter, workers } = setup();
    const messages = [
      { role: 'system', content: 'Be brief.', name: 'setup', pinned: true },
      { role: 'assistant', content: 'Sure.', tool_calls: [] },
    ];
    void counter.count('gpt-4o', messages);
    expect((workers[0]!.sent[0] as CountRequest).messages).toEqual([
      { role: 'system', content: 'Be brief.', name: 'setup' },
      { role: 'assistant', content: 'Sure.' },
    ]);
  });

  it('sends tool calls, tool results, the tools and the tool choice as plain copies', async () => {
    const { counter, workers } = setup();
    const call = {
      id: 'call_1',
      type: 'function' as const,
      function: { name: 'get_weather', arguments: '{}' },
    };
    const messages = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ ...call, index: 0 }], answer: { ms: 5 } },
      { role: 'tool', content: 'sunny', tool_call_id: 'call_1', pinned: true },
    ];
    const parameters = { type: 'object', properties: { city: { type: 'string' } } };
    const tools = [
      { type: 'function' as const, function: { name: 'get_weather', parameters, strict: true } },
    ];
    // A proxy, as Svelte's $state makes: postMessage could not clone it.
    const proxied = new Proxy(tools, {});
    const choice = { type: 'function' as const, function: { name: 'get_weather' } };
    const result = counter.count('gpt-4o', messages, proxied, choice);
    parameters.properties.city.type = 'number';

    const worker = workers[0]!;
    expect(worker.sent[0]).toEqual({
      id: 1,
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', content: 'sunny', tool_call_id: 'call_1' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            strict: true,
          },
        },
      ],
      toolChoice: choice,
    });
    worker.answer(worker.sent[0]!, 60, 40);
    expect(await result).toMatchObject({ tokens: 60, toolTokens: 40, toolsApproximate: true });
  });

  it('leaves out an empty list of tools, as it leaves out an empty list of calls', () => {
    const { counter, workers } = setup();
    void counter.count('gpt-4o', [{ role: 'assistant', content: 'Hi', tool_calls: [] }], []);
    expect(workers[0]!.sent[0]).toEqual({
      id: 1,
      model: 'gpt-4o',
      messages: [{ role: 'assistant', content: 'Hi' }],
    });
  });

  it('rejects tools that are not JSON, and settles the older count with null', async () => {
    const { counter } = setup();
    const older = counter.count('gpt-4o', say('x'));
    const cyclic: Record<string, unknown> = { type: 'object' };
    cyclic.self = cyclic;
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: cyclic } }];
    await expect(counter.count('gpt-4o', say('x'), tools)).rejects.toMatchObject({
      name: 'TokenCountError',
      reason: 'count',
      message: expect.stringMatching(/^The tools could not be sent for counting \(Converting circular/),
    });
    expect(await older).toBeNull();
  });

  it('settles an older request with null, even when its answer arrives later', async () => {
    const { counter, workers } = setup();
    const older = counter.count('gpt-4o', say('hel'));
    const newer = counter.count('gpt-4o', say('hello'));
    expect(await older).toBeNull();

    const worker = workers[0]!;
    // The worker was busy with the older request; the newer one waits for it.
    expect(worker.sent.map((r) => r.id)).toEqual([1]);
    worker.answer(worker.sent[0]!, 10);
    expect(worker.sent.map((r) => r.id)).toEqual([1, 2]);
    worker.answer(worker.sent[1]!, 11);
    expect(await newer).toMatchObject({ tokens: 11 });
  });

  it('sends only the newest of the requests made while the worker was busy', async () => {
    const { counter, workers } = setup();
    const results = ['h', 'he', 'hel', 'hell', 'hello'].map((text) => counter.count('gpt-4o', say(text)));
    const worker = workers[0]!;
    worker.answer(worker.sent[0]!, 1);
    expect(worker.sent.map((r) => (r as CountRequest).messages[0]!.content)).toEqual(['h', 'hello']);
    worker.answer(worker.sent[1]!, 5);
    expect(await Promise.all(results)).toEqual([
      null,
      null,
      null,
      null,
      expect.objectContaining({ tokens: 5 }),
    ]);
  });

  it('ignores a late answer for a request it did not send or no longer waits for', async () => {
    const { counter, workers } = setup();
    const result = counter.count('gpt-4o', say('x'));
    const worker = workers[0]!;
    worker.reply({
      id: 99,
      tokens: 1,
      toolTokens: 0,
      toolsApproximate: false,
      encoding: 'o200k_base',
      exact: true,
      ms: 0,
    });
    worker.answer(worker.sent[0]!, 8);
    worker.answer(worker.sent[0]!, 1000);
    expect(await result).toMatchObject({ tokens: 8 });
  });

  it("reports the worker's error for the newest request", async () => {
    const { counter, workers } = setup();
    const result = counter.count('gpt-4o', [{ role: 'user', content: 'x' }]);
    workers[0]!.reply({ id: 1, error: 'The o200k_base tokenizer could not be loaded: offline' });
    await expect(result).rejects.toThrow(
      new TokenCountError(
        'count',
        'Tokens could not be counted: The o200k_base tokenizer could not be loaded: offline',
      ),
    );
    await expect(result).rejects.toMatchObject({ name: 'TokenCountError', reason: 'count' });
  });

  it('does not report the error of a request that was superseded', async () => {
    const { counter, workers } = setup();
    const older = counter.count('gpt-4o', say('a'));
    const newer = counter.count('gpt-4o', say('ab'));
    const worker = workers[0]!;
    worker.reply({ id: 1, error: 'boom' });
    expect(await older).toBeNull();
    worker.answer(worker.sent[1]!, 4);
    expect(await newer).toMatchObject({ tokens: 4 });
  });

  it('reports a worker that cannot start, and starts a new one on the next count', async () => {
    const { counter, workers } = setup();
    const first = counter.count('gpt-4o', say('x'));
    workers[0]!.fail();
    await expect(first).rejects.toMatchObject({
      reason: 'start',
      message:
        'Token counting is unavailable: its worker could not start. It is tried again on the next change.',
    });
    expect(workers[0]!.terminated).toBe(true);

    const second = counter.count('gpt-4o', say('x'));
    expect(workers).toHaveLength(2);
    workers[1]!.answer(workers[1]!.sent[0]!, 9);
    expect(await second).toMatchObject({ tokens: 9 });
  });

  it('tells a worker that failed after it had answered from one that never started', async () => {
    const { counter, workers } = setup();
    const first = counter.count('gpt-4o', say('x'));
    workers[0]!.answer(workers[0]!.sent[0]!, 9);
    await first;
    const second = counter.count('gpt-4o', say('xy'));
    workers[0]!.fail('out of memory');
    await expect(second).rejects.toMatchObject({
      reason: 'crash',
      message: 'Token counting stopped: its worker failed (out of memory).',
    });
  });

  it('reports a worker that cannot even be constructed', async () => {
    const counter = new TokenCounter(() => {
      throw new DOMException("Refused to create a worker from 'blob:'", 'SecurityError');
    });
    await expect(counter.count('gpt-4o', say('x'))).rejects.toMatchObject({
      reason: 'start',
      message:
        "Token counting is unavailable: its worker could not start (Refused to create a worker from 'blob:'). It is tried again on the next change.",
    });
  });

  it('dispose stops the worker and settles the pending count with null', async () => {
    const { counter, workers } = setup();
    const pending = counter.count('gpt-4o', say('x'));
    counter.dispose();
    expect(await pending).toBeNull();
    expect(workers[0]!.terminated).toBe(true);
    // An answer from the stopped worker changes nothing.
    workers[0]!.answer(workers[0]!.sent[0]!, 9);
    await settled();

    const later = counter.count('gpt-4o', say('x'));
    expect(workers).toHaveLength(2);
    workers[1]!.answer(workers[1]!.sent[0]!, 9);
    expect(await later).toMatchObject({ tokens: 9 });
  });
});

describe('TokenCounter.countTexts', () => {
  it('sends the texts as a plain copy and answers with a count per text', async () => {
    const { counter, workers } = setup();
    const texts = ['hello', 'world'];
    const result = counter.countTexts('text-embedding-3-small', texts);
    texts.push('added after the call');
    const worker = workers[0]!;
    expect(worker.sent).toEqual([
      { id: 1, kind: 'texts', model: 'text-embedding-3-small', texts: ['hello', 'world'] },
    ]);
    worker.answerTexts(worker.sent[0]!, [1, 1]);
    expect(await result).toEqual({
      model: 'text-embedding-3-small',
      counts: [1, 1],
      encoding: 'cl100k_base',
      exact: true,
      ms: 2,
    });
  });

  it('is not cancelled by a chat count, nor cancels one, whichever answer comes first', async () => {
    const { counter, workers } = setup();
    const texts = counter.countTexts('text-embedding-3-small', ['a', 'bb']);
    const chat = counter.count('gpt-4o', say('hi'));
    const worker = workers[0]!;
    // Both kinds are in flight at once in the one worker.
    expect(worker.sent.map((r) => r.id)).toEqual([1, 2]);
    worker.answer(worker.sent[1]!, 9);
    expect(await chat).toMatchObject({ tokens: 9 });
    worker.answerTexts(worker.sent[0]!, [1, 2]);
    expect(await texts).toMatchObject({ counts: [1, 2] });

    const chat2 = counter.count('gpt-4o', say('again'));
    const texts2 = counter.countTexts('text-embedding-3-small', ['c']);
    const chat3 = counter.count('gpt-4o', say('again!'));
    expect(await chat2).toBeNull();
    worker.answerTexts(worker.sent[3]!, [1]);
    expect(await texts2).toMatchObject({ counts: [1] });
    worker.answer(worker.sent[2]!, 10);
    worker.answer(worker.sent[4]!, 11);
    expect(await chat3).toMatchObject({ tokens: 11 });
  });

  it('settles an older texts count with null and sends only the newest of those made meanwhile', async () => {
    const { counter, workers } = setup();
    const results = [['a'], ['a', 'b'], ['a', 'b', 'c']].map((t) =>
      counter.countTexts('text-embedding-3-small', t),
    );
    const worker = workers[0]!;
    expect(worker.sent).toHaveLength(1);
    worker.answerTexts(worker.sent[0]!, [1]);
    expect(worker.sent.map((r) => r.id)).toEqual([1, 3]);
    worker.answerTexts(worker.sent[1]!, [1, 1, 1]);
    expect(await Promise.all(results)).toEqual([null, null, expect.objectContaining({ counts: [1, 1, 1] })]);
  });

  it("reports the worker's error for a texts count, and leaves a chat count alone", async () => {
    const { counter, workers } = setup();
    const texts = counter.countTexts('text-embedding-3-small', ['x']);
    const chat = counter.count('gpt-4o', say('x'));
    const worker = workers[0]!;
    worker.reply({ id: 1, error: 'The cl100k_base tokenizer could not be loaded: offline' });
    await expect(texts).rejects.toThrow(
      new TokenCountError(
        'count',
        'Tokens could not be counted: The cl100k_base tokenizer could not be loaded: offline',
      ),
    );
    worker.answer(worker.sent[1]!, 8);
    expect(await chat).toMatchObject({ tokens: 8 });
  });

  it('says when the texts cannot be posted, and counts them on the next call', async () => {
    const { counter, workers } = setup();
    void counter.count('gpt-4o', say('x'));
    const worker = workers[0]!;
    worker.refuse = new DOMException('#<Object> could not be cloned.', 'DataCloneError');
    await expect(counter.countTexts('text-embedding-3-small', ['x'])).rejects.toMatchObject({
      reason: 'count',
      message: 'The texts could not be sent for counting (#<Object> could not be cloned.).',
    });
    worker.refuse = null;
    const again = counter.countTexts('text-embedding-3-small', ['x']);
    worker.answerTexts(worker.sent.at(-1)!, [1]);
    expect(await again).toMatchObject({ counts: [1] });
  });

  it('fails both kinds when the worker crashes, and starts a new one for the next texts count', async () => {
    const { counter, workers } = setup();
    const first = counter.count('gpt-4o', say('x'));
    workers[0]!.answer(workers[0]!.sent[0]!, 9);
    await first;
    const chat = counter.count('gpt-4o', say('xy'));
    const texts = counter.countTexts('text-embedding-3-small', ['x']);
    workers[0]!.fail('out of memory');
    const crash = { reason: 'crash', message: 'Token counting stopped: its worker failed (out of memory).' };
    await expect(chat).rejects.toMatchObject(crash);
    await expect(texts).rejects.toMatchObject(crash);

    const later = counter.countTexts('text-embedding-3-small', ['y']);
    expect(workers).toHaveLength(2);
    workers[1]!.answerTexts(workers[1]!.sent[0]!, [1]);
    expect(await later).toMatchObject({ counts: [1] });
  });

  it('dispose settles pending counts of both kinds with null', async () => {
    const { counter, workers } = setup();
    const chat = counter.count('gpt-4o', say('x'));
    const texts = counter.countTexts('text-embedding-3-small', ['x']);
    counter.dispose();
    expect(await chat).toBeNull();
    expect(await texts).toBeNull();
    expect(workers[0]!.terminated).toBe(true);
    workers[0]!.answerTexts(workers[0]!.sent[1]!, [1]);
    await settled();
  });
});
