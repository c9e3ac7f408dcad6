import { describe, expect, it } from 'vitest';
import type { Assembled } from '../../src/lib/chat/assemble';
import { measureAnswer, type MeasuredRun } from '../../src/lib/chat/metrics';
import { describeModel } from '../../src/lib/models';

function run(usage: unknown, patch: Partial<MeasuredRun> = {}): MeasuredRun {
  const assembled: Assembled = {
    id: 'c',
    model: 'gpt-4o-2024-08-06',
    systemFingerprint: 'fp_1',
    serviceTier: null,
    usage: usage as Assembled['usage'],
    choices: [{ index: 0, content: 'hi', refusal: null, finishReason: 'stop', toolCalls: [] }],
  };
  return {
    assembled,
    timings: { firstTokenMs: 200, totalMs: 1200 },
    requestId: 'req_1',
    attempts: 1,
    chunkCount: 12,
    visibleChunks: 10,
    streamed: true,
    ...patch,
  };
}

describe('measureAnswer', () => {
  it('reports usage, speed over the visible answer, and cost from the catalog', () => {
    const m = measureAnswer(
      run({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }),
      describeModel('gpt-4o'),
    );
    expect(m.usage).toEqual({ prompt: 1000, completion: 500, total: 1500, cached: null, reasoning: null });
    expect(m.tokensPerSecond).toBe(500);
    // $2.50 / 1M input, $10 / 1M output.
    expect(m.costUsd).toBeCloseTo(0.0025 + 0.005, 10);
    expect(m.ttftMs).toBe(200);
  });

  it('leaves reasoning tokens out of the speed: they came before the first visible token', () => {
    const m = measureAnswer(
      run({
        prompt_tokens: 10,
        completion_tokens: 2100,
        completion_tokens_details: { reasoning_tokens: 2000 },
      }),
      describeModel('o4-mini'),
    );
    expect(m.usage?.reasoning).toBe(2000);
    expect(m.tokensPerSecond).toBe(100);
  });

  it('gives no speed for an answer in one chunk, a blink, or without streaming', () => {
    const usage = { prompt_tokens: 10, completion_tokens: 20 };
    expect(measureAnswer(run(usage, { visibleChunks: 1 }), null).tokensPerSecond).toBeNull();
    expect(
      measureAnswer(run(usage, { timings: { firstTokenMs: 5, totalMs: 20 } }), null).tokensPerSecond,
    ).toBeNull();
    expect(measureAnswer(run(usage, { streamed: false }), null).tokensPerSecond).toBeNull();
  });

  it('drops usage that is not made of counts, so the saved run still validates', () => {
    for (const odd of [
      { prompt_tokens: 10 },
      { prompt_tokens: 10, completion_tokens: 2.5 },
      { prompt_tokens: -1, completion_tokens: 3 },
      { prompt_tokens: '10', completion_tokens: 3 },
    ]) {
      const m = measureAnswer(run(odd), describeModel('gpt-4o'));
      expect(m.usage).toBeNull();
      expect(m.costUsd).toBeNull();
      expect(m.tokensPerSecond).toBeNull();
    }
    const partial = measureAnswer(
      run({ prompt_tokens: 10, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 'x' } }),
      null,
    );
    expect(partial.usage).toEqual({ prompt: 10, completion: 3, total: 13, cached: null, reasoning: null });
  });

  it('has no cost for a model without a price', () => {
    expect(
      measureAnswer(run({ prompt_tokens: 1, completion_tokens: 1 }), describeModel('llama3.2')).costUsd,
    ).toBeNull();
  });
});
