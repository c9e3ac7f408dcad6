import { describe, expect, it } from 'vitest';
import {
  TokenCountError,
  TokenCounter,
  type CountReply,
  type CountRequest,
  type CountWorker,
  type PromptMessage,
} from '../../src/lib/tokens';

/** A worker that records what it is sent and answers only when the test says so. */
class FakeWorker implements CountWorker {
  onmessage: CountWorker['onmessage'] = null;
  onerror: CountWorker['onerror'] = null;
  readonly sent: CountRequest[] = [];
  terminated = false;

  postMessage(request: CountRequest): void {
    // What postMessage would do: a structured clone, so the test sees what crossed the boundary.
    this.sent.push(structuredClone(request));
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(reply: CountReply): void {
    this.onmessage?.({ data: reply } as MessageEvent<CountReply>);
  }
  answer(request: CountRequest, tokens: number): void {
    this.reply({ id: request.id, tokens, encoding: 'o200k_base', exact: true, ms: 3 });
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
    expect(await result).toEqual({ model: 'gpt-4o', tokens: 9, encoding: 'o200k_base', exact: true, ms: 3 });

    void counter.count('gpt-4o', say('again'));
    expect(workers).toHaveLength(1);
    expect(worker!.sent).toHaveLength(2);
  });

  it('sends only role, content and name, as plain data', () => {
    const { counter, workers } = setup();
    const messages = [
      { role: 'system', content: 'Be brief.', name: 'setup', pinned: true },
      { role: 'assistant', content: 'Sure.', tool_calls: [] },
    ];
    void counter.count('gpt-4o', messages);
    expect(workers[0]!.sent[0]!.messages).toEqual([
      { role: 'system', content: 'Be brief.', name: 'setup' },
      { role: 'assistant', content: 'Sure.' },
    ]);
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
    expect(worker.sent.map((r) => r.messages[0]!.content)).toEqual(['h', 'hello']);
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
    worker.reply({ id: 99, tokens: 1, encoding: 'o200k_base', exact: true, ms: 0 });
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
