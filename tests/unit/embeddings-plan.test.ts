import { describe, expect, it } from 'vitest';
import { planRun, sendableTexts } from '../../src/lib/embeddings/plan';

const v = (x: number) => new Float32Array([x, 0]);

describe('planRun', () => {
  it('leaves out the too-long texts, takes the cache hits of this model and length, and sends the rest', () => {
    const counts = [5, 9000, 7, 3];
    const sendable = sendableTexts(counts, 8192);
    expect(sendable).toEqual([0, 2, 3]);
    const plan = planRun({
      counts,
      maxInputTokens: 8192,
      keys: ['k0', 'k2', 'k3'],
      cached: [
        { vector: v(1), model: 'text-embedding-3-small', dimensions: null },
        // Another length of the same model lives in another space: not a hit.
        { vector: v(2), model: 'text-embedding-3-small', dimensions: 256 },
        undefined,
      ],
      model: 'text-embedding-3-small',
      dimensions: null,
    });
    expect(plan.long).toEqual([1]);
    expect([...plan.vectors.keys()]).toEqual([0]);
    expect(plan.misses).toEqual([2, 3]);
    expect(plan.keyOf.get(3)).toBe('k3');
  });

  it('refuses keys or reads that do not line up with the texts it sends', () => {
    expect(() =>
      planRun({
        counts: [1, 2],
        maxInputTokens: 10,
        keys: ['a'],
        cached: [undefined],
        model: 'm',
        dimensions: null,
      }),
    ).toThrow(RangeError);
  });
});
