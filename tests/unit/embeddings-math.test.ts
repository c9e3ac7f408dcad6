import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_ORDER_MAX,
  cosine,
  decodeBase64Embedding,
  dot,
  isUnitLength,
  mulberry32,
  normalizeRows,
  pack,
  pca2d,
  rank,
  rankIndex,
  rowNorms,
  similarityMatrix,
  similarityOrder,
  umap2d,
  UMAP_CANCELLED,
  type Matrix,
} from '../../src/lib/embeddings/math';
import { createSimdKernels } from '../../src/lib/embeddings/simd';
import {
  createEmbeddingsHandler,
  requestTransfer,
  type EmbeddingsReply,
  type EmbeddingsRequest,
} from '../../src/lib/embeddings/worker-protocol';

// ---------------------------------------------------------------------------------------------------------
// The real vectors.

interface PydanticFixture {
  cases: {
    name: string;
    request_body: { input: string[]; dimensions?: number };
    response_body: { data: { embedding: string; index: number }[] };
    decoded_float32: { index: number; dims: number; values: number[] }[];
  }[];
  derived: {
    cosine_hello_vs_world: number;
    cosine_HelloWorldBang_vs_hello: number;
    cosine_HelloWorldBang_vs_world: number;
  };
}
interface TwinFixture {
  float_response: { data: { embedding: number[] }[] };
  base64_response: { data: { embedding: string }[] };
}

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/embeddings/${name}`, import.meta.url), 'utf8')) as T;
const real = fixture<PydanticFixture>('pydantic-ai_openai_embeddings_real.json');
const twin = fixture<TwinFixture>('openai-node_float_base64_twin.json');

/** text → decoded vector, from the recorded base64 of every 1,536-dimension case. */
function realVectors(): Map<string, Float32Array> {
  const vectors = new Map<string, Float32Array>();
  for (const c of real.cases) {
    if (c.request_body.dimensions) continue;
    c.response_body.data.forEach((d) =>
      vectors.set(c.request_body.input[d.index]!, decodeBase64Embedding(d.embedding)),
    );
  }
  return vectors;
}

// ---------------------------------------------------------------------------------------------------------
// A straightforward number[] reference.

const refDot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const refNorm = (a: ArrayLike<number>) => Math.sqrt(refDot(a, a));
const refCosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const na = refNorm(a);
  const nb = refNorm(b);
  return na === 0 || nb === 0 ? 0 : refDot(a, b) / (na * nb);
};
const rowsOf = (m: Matrix): number[][] =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.dims, (i + 1) * m.dims)));
const refRanking = (rows: number[][], q: number[]) =>
  rows
    .map((r, index) => ({ index, score: refCosine(r, q) }))
    .sort((a, b) => b.score - a.score || a.index - b.index);

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: [values desc, vectors as rows]. */
function refEigen(input: number[][]): { values: number[]; vectors: number[][] } {
  const n = input.length;
  const a = input.map((row) => [...row]);
  const v = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [a[k]![p]!, a[k]![q]!];
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [a[p]![k]!, a[q]![k]!];
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const [vkp, vkq] = [v[k]![p]!, v[k]![q]!];
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y]![y]! - a[x]![x]!);
  return { values: order.map((i) => a[i]![i]!), vectors: order.map((i) => v.map((row) => row[i]!)) };
}

/** PCA the textbook way: the full d × d covariance, its top two eigenvectors, the centred rows projected. */
function refPca(rows: number[][]) {
  const n = rows.length;
  const d = rows[0]!.length;
  const mean = Array.from({ length: d }, (_, k) => rows.reduce((s, r) => s + r[k]!, 0) / n);
  const centred = rows.map((r) => r.map((x, k) => x - mean[k]!));
  const cov = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => centred.reduce((s, r) => s + r[a]! * r[b]!, 0)),
  );
  const { values, vectors } = refEigen(cov);
  const total = values.reduce((s, v) => s + v, 0);
  return {
    points: centred.map((r) => [refDot(r, vectors[0]!), refDot(r, vectors[1]!)]),
    explained: [values[0]! / total, values[1]! / total],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Synthetic data, seeded.

function gaussians(seed: number) {
  const random = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/** `perCluster` noisy copies of each of `centres` random unit directions, shuffled; labels say which. */
function clusters(centres: number, perCluster: number, dims: number, noise: number, seed: number) {
  const g = gaussians(seed);
  const random = mulberry32(seed + 1);
  const centre = Array.from({ length: centres }, () => Array.from({ length: dims }, () => g()));
  const items = centre.flatMap((c, label) =>
    Array.from({ length: perCluster }, () => ({ label, vector: c.map((x) => x + noise * g()) })),
  );
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return { m: normalizeRows(pack(items.map((i) => i.vector))), labels: items.map((i) => i.label) };
}

function randomMatrix(rows: number, dims: number, seed: number, scale = (_row: number) => 1): Matrix {
  const g = gaussians(seed);
  return pack(Array.from({ length: rows }, (_, r) => Array.from({ length: dims }, () => g() * scale(r))));
}

/** Data with a clear spectrum: independent axes with standard deviations 9, 5, 2, 1, …, then rotated. */
function spectrumMatrix(rows: number, dims: number, seed: number): Matrix {
  const g = gaussians(seed);
  const sd = Array.from({ length: dims }, (_, k) => [9, 5, 2][k] ?? 1 / (k + 1));
  const rotation = rowsOf(normalizeRows(randomMatrix(dims, dims, seed + 7)));
  // Gram–Schmidt on the random rows gives an orthonormal basis.
  for (let a = 0; a < dims; a++) {
    for (let b = 0; b < a; b++) {
      const o = refDot(rotation[a]!, rotation[b]!);
      rotation[a] = rotation[a]!.map((x, k) => x - o * rotation[b]![k]!);
    }
    const norm = refNorm(rotation[a]!);
    rotation[a] = rotation[a]!.map((x) => x / norm);
  }
  return pack(
    Array.from({ length: rows }, () => {
      const z = sd.map((s) => s * g());
      return Array.from({ length: dims }, (_, k) => 3 + z.reduce((s, zj, j) => s + zj * rotation[j]![k]!, 0));
    }),
  );
}

const simd = createSimdKernels();
const paths = [
  ['JavaScript', null],
  ['WebAssembly SIMD', simd],
] as const;

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

// ---------------------------------------------------------------------------------------------------------

describe('decodeBase64Embedding', () => {
  it('decodes the base64 response to exactly the floats of its float twin', () => {
    const floats = twin.float_response.data[0]!.embedding;
    const decoded = decodeBase64Embedding(twin.base64_response.data[0]!.embedding);
    expect(decoded).toBeInstanceOf(Float32Array);
    expect(decoded.length).toBe(256);
    expect(Array.from(decoded)).toEqual(floats.map((x) => Math.fround(x)));
  });

  it('decodes every recorded pydantic-ai response to its decoded float32 values', () => {
    let vectors = 0;
    for (const c of real.cases) {
      for (const d of c.response_body.data) {
        const expected = c.decoded_float32.find((x) => x.index === d.index)!;
        const decoded = decodeBase64Embedding(d.embedding);
        expect(decoded.length).toBe(expected.dims);
        expect(Array.from(decoded)).toEqual(expected.values.map((x) => Math.fround(x)));
        vectors++;
      }
    }
    expect(vectors).toBe(4);
  });

  it('rejects text that is not base64 float32 data', () => {
    expect(() => decodeBase64Embedding('AAAA$AAAAAAAAAAA')).toThrow(/unexpected character at 4/);
    expect(() => decodeBase64Embedding('AAAAAAA=')).toThrow(/5 bytes are not a whole number of float32/);
    expect(decodeBase64Embedding('')).toHaveLength(0);
    // 1.0 and -2.0 as little-endian float32
    expect(Array.from(decodeBase64Embedding('AACAPwAAAMA='))).toEqual([1, -2]);
  });
});

describe('the real vectors', () => {
  const vectors = realVectors();
  const m = pack([...vectors.values()]);

  it('are unit length within 1e-3, as OpenAI documents', () => {
    expect([...vectors.keys()]).toEqual(['Hello, world!', 'hello', 'world']);
    for (const norm of rowNorms(m)) expect(Math.abs(norm - 1)).toBeLessThan(1e-3);
    expect(isUnitLength(m, 1e-3)).toBe(true);
    const small = real.cases.find((c) => c.request_body.dimensions === 128)!;
    expect(isUnitLength(pack([decodeBase64Embedding(small.response_body.data[0]!.embedding)]), 1e-3)).toBe(
      true,
    );
    expect(isUnitLength(pack([[3, 4]]))).toBe(false);
  });

  it('have cosine similarities equal to the reference and to the recorded ones within 1e-6', () => {
    const [bang, hello, world] = [...vectors.values()] as [Float32Array, Float32Array, Float32Array];
    const pairs = [
      [hello, world, real.derived.cosine_hello_vs_world],
      [bang, hello, real.derived.cosine_HelloWorldBang_vs_hello],
      [bang, world, real.derived.cosine_HelloWorldBang_vs_world],
    ] as const;
    for (const [a, b, recorded] of pairs) {
      expect(Math.abs(cosine(a, b) - refCosine(a, b))).toBeLessThan(1e-6);
      expect(Math.abs(cosine(a, b) - recorded)).toBeLessThan(1e-6);
      // Unit length: the cosine is the dot product.
      expect(Math.abs(dot(a, b) - recorded)).toBeLessThan(1e-6);
    }
  });

  it.each(paths)('give a similarity matrix equal to the reference within 1e-6 (%s)', (_, kernels) => {
    const sim = similarityMatrix(m, { simd: kernels });
    const rows = rowsOf(m);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        expect(Math.abs(sim[i * 3 + j]! - refCosine(rows[i]!, rows[j]!))).toBeLessThan(1e-6);
        expect(sim[i * 3 + j]).toBe(sim[j * 3 + i]);
      }
      expect(sim[i * 4]).toBe(1);
    }
  });

  it('rank against a query as the reference does', () => {
    const query = vectors.get('Hello, world!')!;
    const expected = refRanking(rowsOf(m), Array.from(query));
    const got = rank(m, query);
    expect(got.map((r) => r.index)).toEqual(expected.map((r) => r.index));
    got.forEach((r, i) => expect(Math.abs(r.score - expected[i]!.score)).toBeLessThan(1e-6));
  });
});

describe('pack', () => {
  it('throws a clear error when the dimensions differ', () => {
    expect(() => pack([new Float32Array(1536), new Float32Array(1536), new Float32Array(256)])).toThrow(
      /Vector 2 has 256 dimensions but vector 0 has 1536/,
    );
    expect(() => pack([[1, Number.NaN]])).toThrow(/not a finite number at 1/);
    expect(pack([])).toEqual({ data: new Float32Array(0), rows: 0, dims: 0 });
  });

  it('is the only place where mismatched dimensions could slip in: the rest refuses them too', () => {
    const m = randomMatrix(5, 8, 1);
    expect(() => rank(m, new Float32Array(7))).toThrow(/query has 7 dimensions but the texts have 8/);
    expect(() => rankIndex(m).rank(new Float32Array(9))).toThrow(/9 dimensions/);
    expect(() => dot(new Float32Array(3), new Float32Array(4))).toThrow(/3 and 4 dimensions/);
    expect(() => similarityOrder(new Float32Array(10), 3)).toThrow(/3 × 3/);
  });
});

describe('similarityMatrix', () => {
  it.each(paths)('equals the reference cosine on vectors that are not unit length (%s)', (_, kernels) => {
    // Odd sizes exercise the blocks' edges; row 5 is all zeros.
    const m = randomMatrix(37, 50, 3, (r) => (r === 5 ? 0 : 1 + r));
    expect(isUnitLength(m)).toBe(false);
    const sim = similarityMatrix(m, { simd: kernels });
    const rows = rowsOf(m);
    const expected: number[] = [];
    for (let i = 0; i < 37; i++)
      for (let j = 0; j < 37; j++) expected.push(i === j && i !== 5 ? 1 : refCosine(rows[i]!, rows[j]!));
    expect(maxDifference(sim, expected)).toBeLessThan(1e-6);
    expect(sim.subarray(5 * 37, 6 * 37).every((x) => x === 0)).toBe(true);
  });

  it('gives the same matrix from JavaScript and from WebAssembly', () => {
    expect(simd).not.toBeNull(); // Node 20 has WebAssembly SIMD
    const m = normalizeRows(randomMatrix(130, 1536, 4));
    expect(maxDifference(similarityMatrix(m), similarityMatrix(m, { simd }))).toBeLessThan(1e-6);
  });
});

describe('rank', () => {
  const m = randomMatrix(300, 24, 5, (r) => 0.5 + (r % 7));
  const query = randomMatrix(1, 24, 6).data;
  const expected = refRanking(rowsOf(m), Array.from(query));

  it('ranks every row when k is omitted, and the best k otherwise, as the reference does', () => {
    const all = rank(m, query);
    expect(all.map((r) => r.index)).toEqual(expected.map((r) => r.index));
    all.forEach((r, i) => expect(Math.abs(r.score - expected[i]!.score)).toBeLessThan(1e-6));
    for (const k of [1, 10, 37]) expect(rank(m, query, k)).toEqual(all.slice(0, k));
    expect(rank(m, query, 0)).toEqual([]);
    expect(rank(m, query, 1000)).toEqual(all);
  });

  it.each(paths)('gives the same ranking from a prepared index (%s)', (_, kernels) => {
    const index = rankIndex(m, { simd: kernels });
    expect(index.unitLength).toBe(false);
    const got = index.rank(query, 10);
    expect(got.map((r) => r.index)).toEqual(expected.slice(0, 10).map((r) => r.index));
    got.forEach((r, i) => expect(Math.abs(r.score - expected[i]!.score)).toBeLessThan(1e-6));
  });

  it('is exact even where the prepared index’s first, approximate pass cannot tell rows apart', () => {
    // 400 rows within 1e-4 of each other: bfloat16 (8 significant bits) rounds most of them together.
    const g = gaussians(8);
    const base = Array.from({ length: 256 }, () => g());
    const near = pack(Array.from({ length: 400 }, () => base.map((x) => x + 1e-4 * g())));
    const q = Float32Array.from(base, (x) => x + 0.5 * g());
    const reference = refRanking(rowsOf(near), Array.from(q)).slice(0, 12);
    for (const [, kernels] of paths) {
      const got = rankIndex(near, { simd: kernels }).rank(q, 12);
      expect(got.map((r) => r.index)).toEqual(reference.map((r) => r.index));
      got.forEach((r, i) => expect(Math.abs(r.score - reference[i]!.score)).toBeLessThan(1e-9));
    }
  });

  it('puts the lower index first when scores tie', () => {
    const same = pack([
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const q = new Float32Array([1, 0]);
    expect(rank(same, q).map((r) => r.index)).toEqual([1, 3, 0, 2]);
    expect(rank(same, q, 1).map((r) => r.index)).toEqual([1]);
  });
});

describe('similarityOrder', () => {
  function contiguous(order: number[], labels: number[]): boolean {
    const runs = order.map((i) => labels[i]).filter((label, i, all) => i === 0 || label !== all[i - 1]);
    return new Set(runs).size === runs.length;
  }

  it('puts the texts of each cluster next to each other, deterministically', () => {
    const { m, labels } = clusters(3, 20, 64, 0.3, 11);
    const sim = similarityMatrix(m);
    const order = similarityOrder(sim, m.rows);
    expect([...order].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(contiguous(order, labels)).toBe(true);
    // A shuffled input order is not already grouped, so the check above means something.
    expect(
      contiguous(
        labels.map((_, i) => i),
        labels,
      ),
    ).toBe(false);
    expect(similarityOrder(sim, m.rows)).toEqual(order);
  });

  it('groups clusters with the cheaper walk above the clustering limit too', () => {
    const { m, labels } = clusters(3, Math.ceil((CLUSTER_ORDER_MAX + 1) / 3), 8, 0.05, 12);
    const order = similarityOrder(similarityMatrix(m), m.rows);
    expect(m.rows).toBeGreaterThan(CLUSTER_ORDER_MAX);
    expect(new Set(order).size).toBe(m.rows);
    expect(contiguous(order, labels)).toBe(true);
  });

  it('lays texts on a line out in their order along it, each merge turned to join the nearest ends', () => {
    const positions = [0, 10, 1, 11, 5, 2.5, 7];
    const n = positions.length;
    const sim = new Float32Array(n * n).map(
      (_, k) => 1 - Math.abs(positions[Math.floor(k / n)]! - positions[k % n]!) / 20,
    );
    const along = similarityOrder(sim, n).map((i) => positions[i]!);
    const sorted = [...positions].sort((a, b) => a - b);
    expect([sorted, [...sorted].reverse()]).toContainEqual(along);
  });

  it('handles tiny inputs', () => {
    expect(similarityOrder(new Float32Array(0), 0)).toEqual([]);
    expect(similarityOrder(new Float32Array([1]), 1)).toEqual([0]);
    expect(similarityOrder(new Float32Array([1, 0.5, 0.5, 1]), 2)).toEqual([0, 1]);
  });
});

describe('pca2d', () => {
  it.each(paths)('separates two obvious clusters on its first axis (%s)', (_, kernels) => {
    const { m, labels } = clusters(2, 30, 1536, 0.5, 21);
    const { points, explained } = pca2d(m, { simd: kernels });
    const side = labels.map((label, i) => [label, Math.sign(points[i * 2]!)] as const);
    const signOf = (label: number) => new Set(side.filter(([l]) => l === label).map(([, s]) => s));
    expect(signOf(0).size).toBe(1);
    expect(signOf(1).size).toBe(1);
    expect([...signOf(0)][0]).toBe(-[...signOf(1)][0]!);
    expect(explained[0]).toBeGreaterThan(explained[1]);
    expect(explained[0]).toBeGreaterThan(0.2);
  });

  // n < d: the n × n Gram matrix; n > d: iterations on the data.
  it.each([
    ['Gram matrix', 24, 40],
    ['data', 90, 12],
  ] as const)('equals the full-covariance reference up to sign (%s)', (_, n, d) => {
    const m = spectrumMatrix(n, d, 31);
    const reference = refPca(rowsOf(m));
    for (const [, kernels] of paths) {
      const { points, explained } = pca2d(m, { simd: kernels });
      for (let axis = 0; axis < 2; axis++) {
        const ref = reference.points.map((p) => p[axis]!);
        const got = Array.from({ length: n }, (_, i) => points[i * 2 + axis]!);
        const scale = Math.max(...ref.map(Math.abs));
        const sign = Math.sign(refDot(ref, got));
        expect(
          maxDifference(
            got,
            ref.map((x) => sign * x),
          ) / scale,
        ).toBeLessThan(1e-4);
        expect(Math.abs(explained[axis]! - reference.explained[axis]!)).toBeLessThan(1e-5);
      }
    }
  });

  it('is deterministic, with the text farthest along each axis on its positive side', () => {
    const m = normalizeRows(randomMatrix(70, 300, 41));
    const first = pca2d(m, { simd });
    expect(pca2d(m, { simd }).points).toEqual(first.points);
    for (let axis = 0; axis < 2; axis++) {
      const values = Array.from({ length: 70 }, (_, i) => first.points[i * 2 + axis]!);
      const far = values.reduce((best, v) => (Math.abs(v) > Math.abs(best) ? v : best), 0);
      expect(far).toBeGreaterThan(0);
    }
  });

  it('maps one text, or identical texts, to the origin', () => {
    expect(pca2d(randomMatrix(1, 5, 1))).toEqual({ points: new Float32Array(2), explained: [0, 0] });
    const same = pack([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(pca2d(same)).toEqual({ points: new Float32Array(6), explained: [0, 0] });
    // Two texts: everything lies on one line.
    const two = pca2d(
      pack([
        [0, 0, 0],
        [3, 4, 0],
      ]),
    );
    expect(two.explained[0]).toBeCloseTo(1, 10);
    expect(Math.abs(two.points[0]! - two.points[2]!)).toBeCloseTo(5, 5);
  });
});

describe('umap2d', () => {
  const { m, labels } = clusters(3, 15, 64, 0.2, 51);

  it('gives finite points, the same for the same seed', async () => {
    const a = await umap2d(m, { seed: 7, nEpochs: 200 });
    const b = await umap2d(m, { seed: 7, nEpochs: 200 });
    const c = await umap2d(m, { seed: 8, nEpochs: 200 });
    expect(a.points).toHaveLength(m.rows * 2);
    expect(a.points.every(Number.isFinite)).toBe(true);
    expect(b.points).toEqual(a.points);
    expect(c.points).not.toEqual(a.points);
    // Each text's nearest neighbour on the map is from its own cluster.
    const near = (i: number) => {
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < m.rows; j++) {
        const dist = Math.hypot(
          a.points[i * 2]! - a.points[j * 2]!,
          a.points[i * 2 + 1]! - a.points[j * 2 + 1]!,
        );
        if (j !== i && dist < bestD) [best, bestD] = [j, dist];
      }
      return best;
    };
    expect(labels.every((label, i) => labels[near(i)] === label)).toBe(true);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(umap2d(m, { signal: controller.signal })).rejects.toThrow(UMAP_CANCELLED);
  });

  it('refuses fewer than 3 texts with a clear message', async () => {
    await expect(umap2d(randomMatrix(2, 8, 1))).rejects.toThrow(
      /UMAP needs at least 3 texts \(this set has 2\)/,
    );
  });
});

describe('the worker protocol', () => {
  const m = clusters(3, 12, 32, 0.2, 61).m;
  const copy = (x: Matrix): Matrix => ({ data: x.data.slice(), rows: x.rows, dims: x.dims });
  /** The handler, for requests that get a reply (all but `cancel`). */
  const replying = (options: Parameters<typeof createEmbeddingsHandler>[0] = {}) => {
    const handle = createEmbeddingsHandler(options);
    return async (request: EmbeddingsRequest): Promise<EmbeddingsReply> => {
      const reply = await handle(request);
      if (!reply) throw new Error(`no reply to ${request.op}`);
      return reply;
    };
  };

  /** Sends the reply across a structured clone with its transfer list, as postMessage would. */
  function deliver(reply: EmbeddingsReply) {
    const buffers = [...reply.transfer];
    const delivered = structuredClone(reply.response, { transfer: reply.transfer });
    // Transferred, not copied: the worker's buffers are now empty.
    for (const buffer of buffers) expect(buffer.byteLength).toBe(0);
    return delivered;
  }

  it.each(paths)(
    'answers a similarity request with the matrix and its order, transferred (%s)',
    async (_, kernels) => {
      const handle = replying({ simd: kernels, now: () => 0 });
      const reply = await handle({ id: 1, op: 'similarity', matrix: copy(m) });
      if (!('op' in reply.response) || reply.response.op !== 'similarity')
        throw new Error('not a similarity reply');
      const { matrix, order } = reply.response;
      expect(reply.transfer).toEqual([matrix.buffer, order.buffer]);
      expect(matrix.byteLength).toBe(matrix.buffer.byteLength);
      const sim = similarityMatrix(m);
      expect(maxDifference(matrix, sim)).toBeLessThan(1e-6);
      expect(Array.from(order)).toEqual(similarityOrder(matrix, m.rows));
      expect(deliver(reply)).toMatchObject({ id: 1, op: 'similarity', unitLength: true, ms: 0 });
    },
  );

  it('keeps the ranked texts for further queries of the same corpus', async () => {
    const handle = replying({ simd });
    const query = m.data.slice(0, m.dims);
    const first = await handle({ id: 1, op: 'rank', corpus: 4, matrix: copy(m), query: query.slice(), k: 3 });
    expect(first.response).toMatchObject({ id: 1, op: 'rank' });
    const expected = rank(m, query, 3);
    const again = deliver(await handle({ id: 2, op: 'rank', corpus: 4, query: query.slice(), k: 3 }));
    if (!('op' in again) || again.op !== 'rank') throw new Error('not a rank reply');
    expect(Array.from(again.indices)).toEqual(expected.map((r) => r.index));
    Array.from(again.scores).forEach((s, i) => expect(Math.abs(s - expected[i]!.score)).toBeLessThan(1e-6));
    expect((await handle({ id: 3, op: 'rank', corpus: 5, query })).response).toEqual({
      id: 3,
      error: 'The texts to rank against are not loaded in the worker; send them again.',
    });
  });

  it('projects with PCA and UMAP', async () => {
    const handle = replying({ simd });
    const pca = deliver(await handle({ id: 1, op: 'project', method: 'pca', matrix: copy(m) }));
    expect(pca).toMatchObject({ id: 1, op: 'project', method: 'pca', points: pca2d(m, { simd }).points });
    const umap = deliver(await handle({ id: 2, op: 'project', method: 'umap', matrix: copy(m), seed: 3 }));
    expect(umap).toMatchObject({ id: 2, op: 'project', method: 'umap', explained: null });
    if ('points' in umap) expect(umap.points).toEqual((await umap2d(m, { seed: 3, simd })).points);
  });

  it('cancels a running UMAP layout, which then answers with an error', async () => {
    const handle = createEmbeddingsHandler({ simd });
    const layout = handle({ id: 5, op: 'project', method: 'umap', matrix: copy(m) });
    expect(await handle({ id: 5, op: 'cancel' })).toBeNull();
    expect(await handle({ id: 99, op: 'cancel' })).toBeNull(); // nothing running under that id: ignored
    expect((await layout)!.response).toEqual({ id: 5, error: UMAP_CANCELLED });
    // The handler goes on: the next layout runs to the end.
    const next = await handle({ id: 6, op: 'project', method: 'umap', matrix: copy(m) });
    expect(next!.response).toMatchObject({ id: 6, op: 'project', method: 'umap' });
  });

  it('turns failures and malformed requests into { id, error }', async () => {
    const handle = replying();
    const two = pack([
      [1, 0],
      [0, 1],
    ]);
    expect((await handle({ id: 7, op: 'project', method: 'umap', matrix: two })).response).toEqual({
      id: 7,
      error: 'UMAP needs at least 3 texts (this set has 2); use PCA for fewer.',
    });
    const bad = [
      { id: 8, op: 'similarity', matrix: { data: new Float32Array(5), rows: 2, dims: 2 } },
      { id: 9, op: 'rank', corpus: 1, query: [1, 2] },
      { id: 10, op: 'project', method: 'tsne', matrix: two },
      { id: 11, op: 'shuffle' },
    ] as unknown as EmbeddingsRequest[];
    for (const request of bad) {
      const { response, transfer } = await handle(request);
      expect(response).toMatchObject({ id: request.id, error: expect.stringMatching(/^Malformed/) });
      expect(transfer).toEqual([]);
    }
    expect(
      (await handle({ id: 12, op: 'rank', corpus: 1, matrix: two, query: new Float32Array(3) })).response,
    ).toEqual({
      id: 12,
      error: 'The query has 3 dimensions but the texts have 2.',
    });
  });

  it('lists the buffers a request transfers, and refuses arrays that do not own theirs', () => {
    const matrix = copy(m);
    const query = new Float32Array(m.dims);
    expect(requestTransfer({ id: 1, op: 'rank', corpus: 1, matrix, query })).toEqual([
      matrix.data.buffer,
      query.buffer,
    ]);
    expect(requestTransfer({ id: 2, op: 'rank', corpus: 1, query })).toEqual([query.buffer]);
    expect(requestTransfer({ id: 3, op: 'project', method: 'pca', matrix })).toEqual([matrix.data.buffer]);
    const view = { data: m.data.subarray(m.dims), rows: m.rows - 1, dims: m.dims };
    expect(() => requestTransfer({ id: 4, op: 'similarity', matrix: view })).toThrow(
      /own their whole ArrayBuffer/,
    );
  });
});
