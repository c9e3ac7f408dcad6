import { performance } from 'node:perf_hooks';
import {
  mulberry32,
  pca2d,
  rank,
  rankIndex,
  similarityMatrix,
  similarityOrder,
  type Matrix,
} from '../../src/lib/embeddings/math';
import { createSimdKernels } from '../../src/lib/embeddings/simd';

/**
 * The embeddings lab's math at 1,536 dimensions (text-embedding-3-small), on seeded random unit vectors,
 * timed as the worker runs it (WebAssembly SIMD kernels) and against a straightforward `number[]`
 * implementation in the same process. Budgets:
 * - a 1,000 × 1,000 similarity matrix: 0.3 s;
 * - the top 10 of 10,000 vectors for one query: 10 ms (the vectors prepared once, as the worker keeps them);
 * - PCA of 2,000 vectors to 2D: 0.3 s.
 * Each time is the best of several runs after a warm-up. The JavaScript fallback (no SIMD: a policy that
 * forbids compiling WebAssembly in the worker) is shown too, without a budget.
 */
const DIMS = 1536;
const BUDGET = { similarity: 300, rank: 10, pca: 300 };

export async function benchEmbeddings(): Promise<{ lines: string[]; failures: string[] }> {
  const lines: string[] = [];
  const failures: string[] = [];
  const simd = createSimdKernels();
  if (!simd)
    failures.push('WebAssembly SIMD is unavailable in this Node: the budgets are measured without it');

  const report = (name: string, ms: number, budget: number, baseline: number, baselineName: string) => {
    const ratio = ms / budget;
    lines.push(
      `  ${name.padEnd(44)} ${fmt(ms)}  budget ${fmt(budget)}: ratio ${ratio.toFixed(2)}`,
      `  ${''.padEnd(44)} ${baselineName}: ${fmt(baseline)}, speedup ${(baseline / ms).toFixed(1)}×`,
    );
    if (ratio > 1) failures.push(`${name}: ${fmt(ms).trim()} is over its ${budget} ms budget`);
  };
  lines.push(
    `Embeddings math (${DIMS} dims, seeded random unit vectors; best of several runs after a warm-up):`,
  );

  // 1. The similarity matrix.
  {
    const m = unitVectors(1000, 1);
    similarityMatrix(unitVectors(64, 9), { simd }); // warm up the JIT and WebAssembly tier-up
    similarityMatrix(m, { simd });
    const ms = best(5, () => similarityMatrix(m, { simd }));
    const rows = asArrays(m);
    naiveSimilarity(asArrays(unitVectors(100, 9)));
    const baseline = best(2, () => naiveSimilarity(rows));
    report(
      'similarity matrix, 1,000 × 1,000',
      ms,
      BUDGET.similarity,
      baseline,
      'straightforward number[] (n² dots)',
    );
    const js = best(2, () => similarityMatrix(m));
    const sim = similarityMatrix(m, { simd });
    const order = best(3, () => similarityOrder(sim, m.rows));
    lines.push(
      `  ${'  same in JavaScript, no SIMD (fallback)'.padEnd(44)} ${fmt(js)}`,
      `  ${'  its order (average linkage, NN-chain)'.padEnd(44)} ${fmt(order)}`,
    );
    checkSame(failures, 'SIMD and JavaScript similarity matrices differ', sim, similarityMatrix(m), 1e-6);
  }

  // 2. One query over 10,000 vectors.
  {
    const m = unitVectors(10_000, 2);
    const queries = Array.from({ length: 8 }, (_, i) => unitVectors(1, 100 + i).data);
    let prepared = 0;
    const index = (() => {
      const started = performance.now();
      const built = rankIndex(m, { simd });
      prepared = performance.now() - started;
      return built;
    })();
    for (const q of queries) index.rank(q, 10);
    let next = 0;
    const ms = best(20, () => index.rank(queries[next++ % queries.length]!, 10));
    const rows = asArrays(m);
    const arrays = queries.map((q) => Array.from(q));
    naiveTopK(rows, arrays[0]!, 10);
    const baseline = best(5, () => naiveTopK(rows, arrays[next++ % arrays.length]!, 10));
    report(
      'top 10 of 10,000 for one query',
      ms,
      BUDGET.rank,
      baseline,
      'straightforward number[] (dots, sort)',
    );
    const js = best(5, () => rank(m, queries[next++ % queries.length]!, 10));
    lines.push(
      `  ${'  the 10,000 vectors prepared once'.padEnd(44)} ${fmt(prepared)}`,
      `  ${'  rank() in JavaScript, nothing prepared'.padEnd(44)} ${fmt(js)}`,
    );
    const expected = naiveTopK(rows, arrays[0]!, 10).map((r) => r.index);
    const got = index.rank(queries[0]!, 10).map((r) => r.index);
    if (expected.join() !== got.join()) failures.push('the top 10 differ from the straightforward ranking');
  }

  // 3. PCA to 2D.
  {
    const m = unitVectors(2000, 3);
    pca2d(unitVectors(300, 9), { simd });
    pca2d(m, { simd });
    const ms = best(5, () => pca2d(m, { simd }));
    const rows = asArrays(m);
    const baseline = best(1, () => naivePca(rows));
    report(
      'PCA of 2,000 vectors to 2D',
      ms,
      BUDGET.pca,
      baseline,
      'straightforward number[] (power iteration)',
    );
    const js = best(2, () => pca2d(m));
    lines.push(`  ${'  same in JavaScript, no SIMD (fallback)'.padEnd(44)} ${fmt(js)}`);
  }
  return { lines, failures };
}

// ---------------------------------------------------------------------------------------------------------

/** n random unit vectors (normal, then normalised), the same for the same seed. */
function unitVectors(n: number, seed: number): Matrix {
  const random = mulberry32(seed);
  const data = new Float32Array(n * DIMS);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < DIMS; k++) {
      const g = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
      data[i * DIMS + k] = g;
      sum += g * g;
    }
    const inverse = 1 / Math.sqrt(sum);
    for (let k = 0; k < DIMS; k++) data[i * DIMS + k]! *= inverse;
  }
  return { data, rows: n, dims: DIMS };
}

const asArrays = (m: Matrix): number[][] =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.dims, (i + 1) * m.dims)));

function naiveDot(a: number[], b: number[]): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

/** Unit vectors: cosine = dot product, every pair. */
function naiveSimilarity(rows: number[][]): number[][] {
  return rows.map((a) => rows.map((b) => naiveDot(a, b)));
}

function naiveTopK(rows: number[][], q: number[], k: number) {
  return rows
    .map((row, index) => ({ index, score: naiveDot(row, q) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/** Centre, then for each of 2 components: 30 rounds of v ← Xᵀ(X·v), deflating the first. */
function naivePca(rows: number[][]): number[][] {
  const n = rows.length;
  const d = rows[0]!.length;
  const mean = new Array<number>(d).fill(0);
  for (const r of rows) for (let k = 0; k < d; k++) mean[k]! += r[k]! / n;
  const x = rows.map((r) => r.map((v, k) => v - mean[k]!));
  const random = mulberry32(5);
  const components: number[][] = [];
  for (let c = 0; c < 2; c++) {
    let v = Array.from({ length: d }, () => random() - 0.5);
    for (let round = 0; round < 30; round++) {
      for (const u of components) {
        const o = naiveDot(v, u);
        v = v.map((vk, k) => vk - o * u[k]!);
      }
      const xv = x.map((r) => naiveDot(r, v));
      const next = new Array<number>(d).fill(0);
      x.forEach((r, i) => r.forEach((rk, k) => (next[k]! += rk * xv[i]!)));
      const norm = Math.sqrt(naiveDot(next, next));
      v = next.map((vk) => vk / norm);
    }
    components.push(v);
  }
  return x.map((r) => components.map((u) => naiveDot(r, u)));
}

function best(runs: number, run: () => unknown): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    min = Math.min(min, performance.now() - started);
  }
  return min;
}

function checkSame(failures: string[], message: string, a: Float32Array, b: Float32Array, tolerance: number) {
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]! - b[i]!) <= tolerance)) {
      failures.push(`${message} (at ${i}: ${a[i]} against ${b[i]})`);
      return;
    }
  }
}

const fmt = (ms: number) =>
  `${ms < 100 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US')} ms`.padStart(10);
