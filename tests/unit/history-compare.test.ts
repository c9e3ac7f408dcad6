import { describe, expect, it } from 'vitest';
import { compareRuns, wordDiff } from '../../src/lib/history/compare';
import type { SavedRun } from '../../src/lib/history';

/** A saved chat run with just what Compare reads. */
function chatRun(
  id: string,
  request: Record<string, unknown>,
  content: string,
  durationMs: number,
): SavedRun {
  return {
    recordKind: 'run',
    data: {
      request,
      choices: [{ index: 0, content, refusal: null, finishReason: 'stop' }],
    },
    entry: {
      id,
      recordKind: 'run',
      kind: 'chat',
      model: String(request.model),
      title: id,
      tokens: 10,
      costUsd: 0.001,
      createdAt: 1,
      durationMs,
      end: 'done',
      name: null,
      tags: [],
      starred: false,
      note: '',
    },
  } as unknown as SavedRun;
}

describe('compareRuns', () => {
  const messages = [{ role: 'user', content: 'Hi' }];
  const runs = [
    chatRun('a', { model: 'gpt-4o-mini', messages, temperature: 0.2, stream: true }, 'The sea at dawn', 800),
    chatRun(
      'b',
      { model: 'gpt-4o-mini', messages, temperature: 0.9, seed: 1, stream: true },
      'The sea at dusk',
      1200,
    ),
  ];

  it('marks the parameters that differ, including one only some runs set', () => {
    const { params } = compareRuns(runs);
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    expect(byName.temperature).toEqual({ name: 'temperature', values: ['0.2', '0.9'], differs: true });
    expect(byName.seed).toEqual({ name: 'seed', values: [null, '1'], differs: true });
    expect(byName.model!.differs).toBe(false);
    expect(byName.messages).toEqual({ name: 'messages', values: ['1 message', '1 message'], differs: false });
  });

  it('lines up each answer with its latency, tokens and cost', () => {
    expect(compareRuns(runs).runs.map((r) => [r.output, r.latencyMs, r.tokens])).toEqual([
      ['The sea at dawn', 800, 10],
      ['The sea at dusk', 1200, 10],
    ]);
  });
});

describe('wordDiff', () => {
  it('keeps shared words and marks the added and removed ones', () => {
    const parts = wordDiff('The sea at dawn', 'The sea at dusk');
    expect(
      parts
        .filter((p) => !p.added && !p.removed)
        .map((p) => p.value)
        .join(''),
    ).toBe('The sea at ');
    expect(parts.find((p) => p.removed)?.value).toBe('dawn');
    expect(parts.find((p) => p.added)?.value).toBe('dusk');
  });
});
