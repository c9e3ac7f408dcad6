/**
 * The embeddings lab's math on `Float32Array`s: decoding, cosine similarity, the similarity matrix and an
 * ordering that groups similar texts, ranking against a query, and 2D maps (PCA, UMAP).
 *
 * OpenAI's embeddings are normalised to unit length, so their cosine similarity IS their dot product: the
 * functions here check that (`isUnitLength`) and then skip the division by the norms. Vectors from elsewhere
 * (a local OpenAI-compatible server, hand-made data) may not be unit length; then they divide, so the result
 * is always the cosine.
 *
 * Everything here is pure and runs in Node, in the embeddings worker and, for small inputs, on the main
 * thread. The heavy functions take optional {@link SimdKernels} (./simd): the worker passes them to run the
 * dot products in WebAssembly SIMD; without them the same results come from the JavaScript loops below.
 */
import type { DotRows, SimdKernels } from './simd';

/** `rows` vectors of `dims` values each, row after row in `data`. Treat it as immutable once built. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  dims: number;
}

/** One text's place in a ranking: its row and its cosine similarity to the query. */
export interface Ranked {
  index: number;
  score: number;
}

/** How far a row's norm may be from 1 and still count as unit length (OpenAI's are within ~1e-7). */
export const UNIT_TOLERANCE = 1e-4;

/**
 * Copies equal-length vectors into one {@link Matrix}. Throws when their lengths differ (vectors from two
 * models, or two `dimensions` settings, cannot be compared) or a value is not a finite number.
 */
export function pack(vectors: readonly ArrayLike<number>[]): Matrix {
  const rows = vectors.length;
  if (rows === 0) return { data: new Float32Array(0), rows: 0, dims: 0 };
  const dims = vectors[0]!.length;
  if (dims === 0) throw new RangeError('Vector 0 is empty: an embedding has at least one dimension.');
  const data = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    const v = vectors[r]!;
    if (v.length !== dims) {
      throw new RangeError(
        `Vector ${r} has ${v.length} dimensions but vector 0 has ${dims}: embeddings from different models ` +
          'or `dimensions` settings cannot be compared.',
      );
    }
    const at = r * dims;
    for (let k = 0; k < dims; k++) {
      const x = v[k]!;
      if (!Number.isFinite(x))
        throw new RangeError(`Vector ${r} has a value that is not a finite number at ${k}.`);
      data[at + k] = x;
    }
  }
  return { data, rows, dims };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Character code → 6-bit value; 255 = not base64. */
const BASE64_VALUES = (() => {
  const table = new Uint8Array(128).fill(255);
  for (let i = 0; i < BASE64.length; i++) table[BASE64.charCodeAt(i)] = i;
  return table;
})();
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes an embedding sent with `encoding_format: 'base64'`: little-endian float32 values, base64-encoded.
 * Needs neither `Buffer` nor `atob`, so it runs the same in the browser, a worker and Node.
 */
export function decodeBase64Embedding(b64: string): Float32Array<ArrayBuffer> {
  let end = b64.length;
  while (end > 0 && b64.charCodeAt(end - 1) === 61 /* = */ && b64.length - end < 2) end--;
  if (end % 4 === 1) throw new RangeError('Not a base64 embedding: its length is not possible for base64.');
  const byteLength = Math.floor((end * 3) / 4);
  if (byteLength % 4 !== 0) {
    throw new RangeError(
      `Not a base64 embedding: ${byteLength} bytes are not a whole number of float32 values.`,
    );
  }
  const bytes = new Uint8Array(byteLength);
  let out = 0;
  let bits = 0;
  let held = 0;
  for (let i = 0; i < end; i++) {
    const code = b64.charCodeAt(i);
    const value = code < 128 ? BASE64_VALUES[code]! : 255;
    if (value === 255) throw new RangeError(`Not a base64 embedding: unexpected character at ${i}.`);
    held = (held << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (held >> bits) & 0xff;
    }
  }
  if (LITTLE_ENDIAN_HOST) return new Float32Array(bytes.buffer);
  const view = new DataView(bytes.buffer);
  const values = new Float32Array(byteLength / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

/** Each row's Euclidean (L2) norm, summed in float64. */
export function rowNorms(m: Matrix): Float64Array {
  const { data, rows, dims } = m;
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const at = r * dims;
    let s = 0;
    for (let k = 0; k < dims; k++) {
      const x = data[at + k]!;
      s += x * x;
    }
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

/** Whether every row's norm is within `tolerance` of 1, so that cosine similarity equals the dot product. */
export function isUnitLength(m: Matrix, tolerance = UNIT_TOLERANCE): boolean {
  return allUnit(rowNorms(m), tolerance);
}

function allUnit(norms: ArrayLike<number>, tolerance: number): boolean {
  for (let r = 0; r < norms.length; r++) if (!(Math.abs(norms[r]! - 1) <= tolerance)) return false;
  return true;
}

/** A copy with every row scaled to unit length; an all-zero row stays zero. */
export function normalizeRows(m: Matrix): Matrix {
  const norms = rowNorms(m);
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const scale = norms[r]! > 0 ? 1 / norms[r]! : 0;
    const at = r * m.dims;
    for (let k = 0; k < m.dims; k++) data[at + k] = m.data[at + k]! * scale;
  }
  return { data, rows: m.rows, dims: m.dims };
}

/** The dot product, summed in float64. Throws when the lengths differ. */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length)
    throw new RangeError(`Cannot compare vectors of ${a.length} and ${b.length} dimensions.`);
  return dotAt(a, 0, b, 0, a.length);
}

function dotAt(a: Float32Array, aAt: number, b: Float32Array, bAt: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < length; k += 4) {
    s0 += a[aAt + k]! * b[bAt + k]!;
    s1 += a[aAt + k + 1]! * b[bAt + k + 1]!;
    s2 += a[aAt + k + 2]! * b[bAt + k + 2]!;
    s3 += a[aAt + k + 3]! * b[bAt + k + 3]!;
  }
  for (; k < length; k++) s0 += a[aAt + k]! * b[bAt + k]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Cosine similarity: dot(a, b) / (|a| |b|), 0 when either vector is all zeros. For OpenAI embeddings (unit
 * length) this is dot(a, b).
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  const ab = dot(a, b);
  const aa = dotAt(a, 0, a, 0, a.length);
  const bb = dotAt(b, 0, b, 0, b.length);
  if (aa === 0 || bb === 0) return 0;
  return clampCosine(ab / Math.sqrt(aa * bb));
}

const clampCosine = (x: number) => (x > 1 ? 1 : x < -1 ? -1 : x);

// ---------------------------------------------------------------------------------------------------------
// Dot products of many rows: the JavaScript twin of ./simd's kernels.

/** The rows as they are, with the loops in JavaScript (no copy). */
class JsRows implements DotRows {
  readonly #data: Float32Array;
  readonly rows: number;
  readonly dims: number;

  constructor(data: Float32Array, rows: number, dims: number) {
    this.#data = data;
    this.rows = rows;
    this.dims = dims;
  }

  /**
   * Blocks of 4 × 4 rows: each pass over the dimensions reads 8 rows and makes 16 dot products, so each
   * value read is used four times. Only the upper triangle is computed, then mirrored.
   */
  gram(): Float32Array<ArrayBuffer> {
    const x = this.#data;
    const n = this.rows;
    const d = this.dims;
    const out = new Float32Array(n * n);
    const last = n - 1;
    for (let i = 0; i < n; i += 4) {
      const i1 = Math.min(i + 1, last);
      const i2 = Math.min(i + 2, last);
      const i3 = Math.min(i + 3, last);
      const a0 = i * d;
      const a1 = i1 * d;
      const a2 = i2 * d;
      const a3 = i3 * d;
      for (let j = i; j < n; j += 4) {
        const j1 = Math.min(j + 1, last);
        const j2 = Math.min(j + 2, last);
        const j3 = Math.min(j + 3, last);
        const b0 = j * d;
        const b1 = j1 * d;
        const b2 = j2 * d;
        const b3 = j3 * d;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
        let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0; // prettier-ignore
        for (let k = 0; k < d; k++) {
          const y0 = x[b0 + k]!;
          const y1 = x[b1 + k]!;
          const y2 = x[b2 + k]!;
          const y3 = x[b3 + k]!;
          let t = x[a0 + k]!;
          s00 += t * y0;
          s01 += t * y1;
          s02 += t * y2;
          s03 += t * y3;
          t = x[a1 + k]!;
          s10 += t * y0;
          s11 += t * y1;
          s12 += t * y2;
          s13 += t * y3;
          t = x[a2 + k]!;
          s20 += t * y0;
          s21 += t * y1;
          s22 += t * y2;
          s23 += t * y3;
          t = x[a3 + k]!;
          s30 += t * y0;
          s31 += t * y1;
          s32 += t * y2;
          s33 += t * y3;
        }
        // Clamped indices repeat a row; writing the same pair twice is harmless.
        mirror(out, n, i, j, s00, j1, s01, j2, s02, j3, s03);
        mirror(out, n, i1, j, s10, j1, s11, j2, s12, j3, s13);
        mirror(out, n, i2, j, s20, j1, s21, j2, s22, j3, s23);
        mirror(out, n, i3, j, s30, j1, s31, j2, s32, j3, s33);
      }
    }
    return out;
  }

  /** Blocks of 4 rows × 2 vectors, as the SIMD kernel does. */
  dotsMany(vectors: Float64Array, count: number): Float64Array {
    const x = this.#data;
    const n = this.rows;
    const d = this.dims;
    const out = new Float64Array(n * count);
    const lastRow = n - 1;
    const lastVector = count - 1;
    for (let i = 0; i < n; i += 4) {
      const i1 = Math.min(i + 1, lastRow);
      const i2 = Math.min(i + 2, lastRow);
      const i3 = Math.min(i + 3, lastRow);
      const a0 = i * d;
      const a1 = i1 * d;
      const a2 = i2 * d;
      const a3 = i3 * d;
      for (let v = 0; v < count; v += 2) {
        const v1 = Math.min(v + 1, lastVector);
        const b0 = v * d;
        const b1 = v1 * d;
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0; // prettier-ignore
        for (let k = 0; k < d; k++) {
          const y0 = vectors[b0 + k]!;
          const y1 = vectors[b1 + k]!;
          let t = x[a0 + k]!;
          s00 += t * y0;
          s01 += t * y1;
          t = x[a1 + k]!;
          s10 += t * y0;
          s11 += t * y1;
          t = x[a2 + k]!;
          s20 += t * y0;
          s21 += t * y1;
          t = x[a3 + k]!;
          s30 += t * y0;
          s31 += t * y1;
        }
        out[i * count + v] = s00;
        out[i * count + v1] = s01;
        out[i1 * count + v] = s10;
        out[i1 * count + v1] = s11;
        out[i2 * count + v] = s20;
        out[i2 * count + v1] = s21;
        out[i3 * count + v] = s30;
        out[i3 * count + v1] = s31;
      }
    }
    return out;
  }

  weightedSums(weights: Float64Array, count: number): Float64Array {
    const x = this.#data;
    const d = this.dims;
    const out = new Float64Array(count * d);
    for (let i = 0; i < this.rows; i++) {
      const at = i * d;
      for (let c = 0; c < count; c++) {
        const w = weights[i * count + c]!;
        const to = c * d;
        for (let k = 0; k < d; k++) out[to + k] = out[to + k]! + w * x[at + k]!;
      }
    }
    return out;
  }
}

function mirror(
  out: Float32Array,
  n: number,
  i: number,
  j0: number,
  s0: number,
  j1: number,
  s1: number,
  j2: number,
  s2: number,
  j3: number,
  s3: number,
): void {
  const row = i * n;
  out[row + j0] = s0;
  out[j0 * n + i] = s0;
  out[row + j1] = s1;
  out[j1 * n + i] = s1;
  out[row + j2] = s2;
  out[j2 * n + i] = s2;
  out[row + j3] = s3;
  out[j3 * n + i] = s3;
}

/**
 * Every row's dot product with `q` and, when `squares` is given, its squared norm, in one pass over the
 * rows (4 rows at a time, so each value of `q` read serves four rows).
 */
function dotsAndSquares(
  x: Float32Array,
  n: number,
  d: number,
  q: Float32Array,
  dots: Float64Array,
  squares: Float64Array | null,
): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const a0 = i * d;
    const a1 = a0 + d;
    const a2 = a1 + d;
    const a3 = a2 + d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, n0 = 0, n1 = 0, n2 = 0, n3 = 0; // prettier-ignore
    if (squares) {
      for (let k = 0; k < d; k++) {
        const t = q[k]!;
        const x0 = x[a0 + k]!;
        const x1 = x[a1 + k]!;
        const x2 = x[a2 + k]!;
        const x3 = x[a3 + k]!;
        s0 += x0 * t;
        s1 += x1 * t;
        s2 += x2 * t;
        s3 += x3 * t;
        n0 += x0 * x0;
        n1 += x1 * x1;
        n2 += x2 * x2;
        n3 += x3 * x3;
      }
      squares[i] = n0;
      squares[i + 1] = n1;
      squares[i + 2] = n2;
      squares[i + 3] = n3;
    } else {
      for (let k = 0; k < d; k++) {
        const t = q[k]!;
        s0 += x[a0 + k]! * t;
        s1 += x[a1 + k]! * t;
        s2 += x[a2 + k]! * t;
        s3 += x[a3 + k]! * t;
      }
    }
    dots[i] = s0;
    dots[i + 1] = s1;
    dots[i + 2] = s2;
    dots[i + 3] = s3;
  }
  for (; i < n; i++) {
    dots[i] = dotAt(x, i * d, q, 0, d);
    if (squares) squares[i] = dotAt(x, i * d, x, i * d, d);
  }
}

function rowsOf(
  data: Float32Array,
  rows: number,
  dims: number,
  simd: SimdKernels | null | undefined,
  vectors = 1,
) {
  return simd ? simd.load(data, rows, dims, vectors) : new JsRows(data, rows, dims);
}

/** Options of the heavy functions. */
export interface MathOptions {
  /** WebAssembly SIMD kernels (the worker's); without them the loops run in JavaScript. */
  simd?: SimdKernels | null;
}

// ---------------------------------------------------------------------------------------------------------
// Similarity matrix and ranking.

/**
 * The n × n cosine similarity matrix (row-major, symmetric, 1 on the diagonal; an all-zero row has 0
 * everywhere). Each pair is computed once, in cache-friendly blocks. Unit-length rows (OpenAI's) need only
 * their dot products; other rows are divided by their norms.
 */
export function similarityMatrix(m: Matrix, options: MathOptions = {}): Float32Array<ArrayBuffer> {
  const n = m.rows;
  const norms = rowNorms(m);
  const unit = allUnit(norms, UNIT_TOLERANCE);
  const sim = n === 0 ? new Float32Array(0) : rowsOf(m.data, n, m.dims, options.simd).gram();
  for (let i = 0; i < n; i++) {
    const zero = norms[i] === 0;
    const inverse = zero ? 0 : 1 / norms[i]!;
    const row = i * n;
    for (let j = i; j < n; j++) {
      let s = sim[row + j]!;
      if (!unit) s = norms[j] === 0 ? 0 : s * inverse * (1 / norms[j]!);
      s = j === i ? (zero ? 0 : 1) : clampCosine(s);
      sim[row + j] = s;
      sim[j * n + i] = s;
    }
  }
  return sim;
}

/**
 * All rows ranked by cosine similarity to `query`, best first (ties: lower index first); only the best `k`
 * when given, found with a k-sized heap rather than a full sort. One pass over the rows computes both the
 * dot products and the norms; when the rows and the query are unit length the dot product is the score.
 */
export function rank(m: Matrix, query: Float32Array, k?: number): Ranked[] {
  checkQuery(m, query);
  const dots = new Float64Array(m.rows);
  const squares = new Float64Array(m.rows);
  dotsAndSquares(m.data, m.rows, m.dims, query, dots, squares);
  for (let i = 0; i < squares.length; i++) squares[i] = Math.sqrt(squares[i]!);
  return topK(toCosine(dots, squares, allUnit(squares, UNIT_TOLERANCE), query), k);
}

/** Rows prepared once for many queries: {@link rankIndex}. */
export interface RankIndex {
  readonly rows: number;
  readonly dims: number;
  /** Whether every row is unit length (then a score is a dot product). */
  readonly unitLength: boolean;
  rank(query: Float32Array, k?: number): Ranked[];
}

/**
 * Prepares `m` for many {@link rank} queries, with the same results: the norms are computed once, and with
 * SIMD kernels a bfloat16 copy of the rows goes into WebAssembly memory. A top-k query then reads half the
 * bytes (10,000 × 1,536 values: 31 MB instead of 61 MB, and memory bandwidth is what limits it): it scores
 * every row approximately, keeps those that could still be in the top k given the bound on the
 * approximation (its `error`), and computes their exact scores from `m`. The index reads `m.data`
 * for that, so it must not change (as for any Matrix).
 */
export function rankIndex(m: Matrix, options: MathOptions = {}): RankIndex {
  const { rows: n, dims: d, data } = m;
  const norms = rowNorms(m);
  const unitLength = allUnit(norms, UNIT_TOLERANCE);
  const approximate = options.simd && n > 0 ? options.simd.loadBf16(data, n, d) : null;
  const exactAll = (query: Float32Array) => {
    const dots = new Float64Array(n);
    dotsAndSquares(data, n, d, query, dots, null);
    return toCosine(dots, norms, unitLength, query);
  };
  return {
    rows: n,
    dims: d,
    unitLength,
    rank(query, k) {
      checkQuery(m, query);
      const want = k === undefined ? n : Math.max(0, Math.min(n, Math.floor(k)));
      if (!approximate || want === 0 || want * 8 >= n) return topK(exactAll(query), want);
      const scores = toCosine(approximate.dots(query), norms, unitLength, query);
      // Every true top-k row scores at least the k-th best approximate score minus twice the error.
      const floor = topK(scores, want)[want - 1]!.score - 2 * approximate.error;
      const qNorm = Math.sqrt(dotAt(query, 0, query, 0, d));
      const plainDot = unitLength && Math.abs(qNorm - 1) <= UNIT_TOLERANCE;
      for (let i = 0; i < n; i++) {
        if (!(scores[i]! >= floor)) {
          scores[i] = -Infinity;
          continue;
        }
        const exact = dotAt(data, i * d, query, 0, d);
        const scale = norms[i]! * qNorm;
        scores[i] = clampCosine(plainDot ? exact : scale === 0 ? 0 : exact / scale);
      }
      return topK(scores, want);
    },
  };
}

function checkQuery(m: Matrix, query: Float32Array): void {
  if (query.length !== m.dims) {
    throw new RangeError(`The query has ${query.length} dimensions but the texts have ${m.dims}.`);
  }
}

/** dots → cosines in place: the dot products themselves when everything is unit length. */
function toCosine(
  dots: Float64Array,
  norms: Float64Array,
  rowsUnit: boolean,
  query: Float32Array,
): Float64Array {
  const qNorm = Math.sqrt(dotAt(query, 0, query, 0, query.length));
  if (rowsUnit && Math.abs(qNorm - 1) <= UNIT_TOLERANCE) {
    for (let i = 0; i < dots.length; i++) dots[i] = clampCosine(dots[i]!);
    return dots;
  }
  for (let i = 0; i < dots.length; i++) {
    const scale = norms[i]! * qNorm;
    dots[i] = scale === 0 ? 0 : clampCosine(dots[i]! / scale);
  }
  return dots;
}

/** NaN ranks below everything. */
const rankKey = (s: number) => (s === s ? s : -Infinity);
/** Whether row a ranks before row b. */
const before = (scores: Float64Array, a: number, b: number) => {
  const sa = rankKey(scores[a]!);
  const sb = rankKey(scores[b]!);
  return sa > sb || (sa === sb && a < b);
};

/** The best `k` indices by score (all when k is omitted), best first. */
function topK(scores: Float64Array, k?: number): Ranked[] {
  const n = scores.length;
  const want = k === undefined ? n : Math.max(0, Math.min(n, Math.floor(k)));
  let picked: number[];
  if (want * 8 >= n) {
    picked = Array.from({ length: n }, (_, i) => i);
  } else {
    // A heap of the best `want` so far with the worst of them at the root: one comparison per row.
    const heap = new Int32Array(want);
    for (let i = 0; i < want; i++) siftUp(heap, i, i, scores);
    for (let i = want; i < n; i++) {
      if (before(scores, i, heap[0]!)) {
        heap[0] = i;
        siftDown(heap, want, scores);
      }
    }
    picked = Array.from(heap);
  }
  picked.sort((a, b) => (before(scores, a, b) ? -1 : 1));
  if (picked.length > want) picked.length = want;
  return picked.map((index) => ({ index, score: scores[index]! }));
}

function siftUp(heap: Int32Array, at: number, value: number, scores: Float64Array): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(scores, heap[parent]!, value)) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

function siftDown(heap: Int32Array, size: number, scores: Float64Array): void {
  const value = heap[0]!;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    // The child that ranks worse belongs nearer the root.
    const worse = right < size && before(scores, heap[left]!, heap[right]!) ? right : left;
    if (!before(scores, value, heap[worse]!)) break;
    heap[i] = heap[worse]!;
    i = worse;
  }
  heap[i] = value;
}

// ---------------------------------------------------------------------------------------------------------
// Ordering for the heatmap.

/** Above this many texts, {@link similarityOrder} walks to nearest neighbours instead of clustering. */
export const CLUSTER_ORDER_MAX = 2048;

/**
 * An order of the n texts that puts similar ones next to each other, for the heatmap's rows and columns.
 * Deterministic (ties go to the lower index).
 *
 * Up to {@link CLUSTER_ORDER_MAX} texts: the leaf order of average-linkage agglomerative clustering, built
 * with the nearest-neighbour-chain algorithm (O(n²) time, O(n²) float64 memory: 32 MB at 2,048). When two
 * clusters merge, each may be flipped so that the two most similar of their end texts meet. Above that, a
 * greedy walk from text 0 to the most similar text not yet visited (O(n²) time, O(n) memory).
 */
export function similarityOrder(sim: Float32Array, n: number): number[] {
  if (sim.length !== n * n)
    throw new RangeError(`Expected an ${n} × ${n} similarity matrix, got ${sim.length} values.`);
  if (n <= 2) return Array.from({ length: n }, (_, i) => i);
  return n > CLUSTER_ORDER_MAX ? greedyOrder(sim, n) : averageLinkageOrder(sim, n);
}

function averageLinkageOrder(sim: Float32Array, n: number): number[] {
  // Similarity between clusters, kept in the row and column of the cluster's lowest slot. NaN sorts last.
  const s = new Float64Array(n * n);
  for (let i = 0; i < s.length; i++) s[i] = sim[i]! === sim[i]! ? sim[i]! : -Infinity;
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const leaves: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const chain: number[] = [];
  let first = 0;
  for (let remaining = n; remaining > 1;) {
    if (chain.length === 0) {
      while (!active[first]) first++;
      chain.push(first);
    }
    const a = chain[chain.length - 1]!;
    const previous = chain.length > 1 ? chain[chain.length - 2]! : -1;
    // The most similar active cluster; the previous link wins ties, which guarantees the chain ends.
    let best = previous;
    let bestS = previous >= 0 ? s[a * n + previous]! : -Infinity;
    for (let c = 0; c < n; c++) {
      if (c === a || !active[c]) continue;
      const v = s[a * n + c]!;
      if (v > bestS || best < 0) {
        best = c;
        bestS = v;
      }
    }
    if (best !== previous) {
      chain.push(best);
      continue;
    }
    chain.length -= 2;
    const keep = Math.min(a, best);
    const drop = Math.max(a, best);
    const sk = size[keep]!;
    const sd = size[drop]!;
    for (let c = 0; c < n; c++) {
      if (!active[c] || c === keep || c === drop) continue;
      const v = (sk * s[keep * n + c]! + sd * s[drop * n + c]!) / (sk + sd);
      s[keep * n + c] = v;
      s[c * n + keep] = v;
    }
    size[keep] = sk + sd;
    active[drop] = 0;
    leaves[keep] = join(leaves[keep]!, leaves[drop]!, sim, n);
    leaves[drop] = [];
    remaining--;
  }
  while (!active[first]) first++;
  return leaves[first]!;
}

/** a then b, each possibly reversed, so that the most similar pair of their end texts meet. */
function join(a: number[], b: number[], sim: Float32Array, n: number): number[] {
  const [aFirst, aLast, bFirst, bLast] = [a[0]!, a[a.length - 1]!, b[0]!, b[b.length - 1]!];
  const options = [
    sim[aLast * n + bFirst]!, // a, b
    sim[aLast * n + bLast]!, // a, b reversed
    sim[aFirst * n + bFirst]!, // a reversed, b
    sim[aFirst * n + bLast]!, // a reversed, b reversed
  ];
  let pick = 0;
  for (let o = 1; o < 4; o++) if (options[o]! > options[pick]!) pick = o;
  const left = pick >= 2 ? a.reverse() : a;
  const right = pick % 2 === 1 ? b.reverse() : b;
  for (const leaf of right) left.push(leaf);
  return left;
}

function greedyOrder(sim: Float32Array, n: number): number[] {
  const visited = new Uint8Array(n);
  const order = [0];
  visited[0] = 1;
  for (let current = 0; order.length < n;) {
    let best = -1;
    let bestS = -Infinity;
    for (let c = 0; c < n; c++) {
      if (visited[c]) continue;
      const v = sim[current * n + c]!;
      if (best < 0 || v > bestS) {
        best = c;
        bestS = v;
      }
    }
    visited[best] = 1;
    order.push(best);
    current = best;
  }
  return order;
}

// ---------------------------------------------------------------------------------------------------------
// PCA.

export interface Pca2d {
  /** n × 2, row-major: each text's coordinates on the first two principal components. */
  points: Float32Array<ArrayBuffer>;
  /** The share of the total variance along each of the two components (0 to 1). */
  explained: [number, number];
}

export interface PcaOptions extends MathOptions {
  /** Seeds the random starting block; the same seed and data give the same result. Default 1. */
  seed?: number;
}

/** Vectors iterated at once: the 2 wanted plus 6 more, so that the second converges at (λ₉/λ₂)ᵗ. */
const PCA_BLOCK = 8;
/**
 * Iterations stop when the two leading eigenvalues change by less than this, relative to the first: the
 * eigenvectors are then within ~1e-4 (their error is about the square root), far below what a plot shows.
 */
const PCA_TOLERANCE = 1e-8;
/** Up to this many texts (and when n < d), PCA iterates on the n × n Gram matrix instead of the data. */
const PCA_GRAM_MAX = 512;
/**
 * Caps for a spectrum with no clear top two (random data, where any two leading directions are as good):
 * an iteration costs 2·n·d·8 multiply-adds on the data, n²·8 on the Gram matrix. On the data, 12 rounds of
 * an 8-vector block are at least as thorough as scikit-learn's randomized PCA (7 rounds of 12 vectors).
 */
const PCA_MAX_ITERATIONS = { data: 12, gram: 60 } as const;

/**
 * The texts projected on their first two principal components.
 *
 * The d × d covariance matrix is never formed, nor a centred copy of the data: block subspace iteration
 * (8 vectors, Rayleigh–Ritz each round) finds the top two eigenvectors of the centred covariance, applied
 * either as Xᵀ(X·v) with the mean subtracted from both products, or, when n < d and n ≤ 512, as the n × n
 * centred Gram matrix formed once. Deterministic for a seed. Each axis's sign is chosen so that the text
 * farthest along it has a positive coordinate.
 */
export function pca2d(m: Matrix, options: PcaOptions = {}): Pca2d {
  const { rows: n, dims: d } = m;
  const points = new Float32Array(n * 2);
  if (n < 2) return { points, explained: [0, 0] };

  const mean = columnMeans(m.data, n, d);
  const meanDots = rowDots(m.data, n, d, mean); // xᵢ·μ
  let meanSquare = 0;
  for (let k = 0; k < d; k++) meanSquare += mean[k]! * mean[k]!;
  // Σ|xᵢ − μ|² = Σ|xᵢ|² − n|μ|², the trace of the centred covariance.
  const squares = rowDots(m.data, n, d, null);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) sumSquares += squares[i]!;
  const total = sumSquares - n * meanSquare;
  if (!(total > 1e-12 * sumSquares)) return { points, explained: [0, 0] }; // all texts alike

  const useGram = n < d && n <= PCA_GRAM_MAX;
  const operator = useGram
    ? gramOperator(m, options.simd, meanDots, meanSquare)
    : dataOperator(m, options.simd, mean);
  const { values, scores } = subspaceIteration(
    operator,
    mulberry32(options.seed ?? 1),
    useGram ? PCA_MAX_ITERATIONS.gram : PCA_MAX_ITERATIONS.data,
  );

  for (let axis = 0; axis < 2; axis++) {
    let far = 0;
    for (let i = 1; i < n; i++)
      if (Math.abs(scores[i * 2 + axis]!) > Math.abs(scores[far * 2 + axis]!)) far = i;
    const sign = scores[far * 2 + axis]! < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) points[i * 2 + axis] = sign * scores[i * 2 + axis]!;
  }
  const share = (v: number) => Math.min(1, Math.max(0, v / total));
  return { points, explained: [share(values[0]!), share(values[1] ?? 0)] };
}

function columnMeans(x: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const at = i * d;
    for (let k = 0; k < d; k++) mean[k] = mean[k]! + x[at + k]!;
  }
  for (let k = 0; k < d; k++) mean[k] = mean[k]! / n;
  return mean;
}

/** Each row's dot product with `v` in float64, or with itself when `v` is null. */
function rowDots(x: Float32Array, n: number, d: number, v: Float64Array | null): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * d;
    let s = 0;
    if (v) for (let k = 0; k < d; k++) s += x[at + k]! * v[k]!;
    else for (let k = 0; k < d; k++) s += x[at + k]! * x[at + k]!;
    out[i] = s;
  }
  return out;
}

/** C applied to p vectors of length `dim`; `scores` turns the final Ritz vectors into coordinates. */
interface CovarianceOperator {
  dim: number;
  apply(block: Float64Array, p: number): Float64Array;
  /** n × 2 coordinates from the two leading Ritz vectors (s: the p × p eigenvector columns). */
  scores(block: Float64Array, p: number, s: Float64Array, values: Float64Array): Float64Array;
}

/**
 * C = XcᵀXc in d-space, Xc = X − 1μᵀ never formed: Xc·v = X·v − (μ·v) and Xcᵀ·w = Xᵀ·w − μ(Σw).
 */
function dataOperator(
  m: Matrix,
  simd: SimdKernels | null | undefined,
  mean: Float64Array,
): CovarianceOperator {
  const { rows: n, dims: d } = m;
  const p = Math.min(PCA_BLOCK, d);
  const rows = rowsOf(m.data, n, d, simd, p);
  let lastXv: Float64Array = new Float64Array(0); // Xc·Vᵀ of the block last applied: n × p
  return {
    dim: d,
    apply(block, count) {
      const xv = rows.dotsMany(block, count); // n × count
      const columnSums = new Float64Array(count);
      for (let c = 0; c < count; c++) {
        let meanDot = 0;
        for (let k = 0; k < d; k++) meanDot += mean[k]! * block[c * d + k]!;
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const centred = xv[i * count + c]! - meanDot;
          xv[i * count + c] = centred;
          sum += centred;
        }
        columnSums[c] = sum;
      }
      lastXv = xv;
      const z = rows.weightedSums(xv, count); // count × d
      for (let c = 0; c < count; c++) {
        const sum = columnSums[c]!;
        for (let k = 0; k < d; k++) z[c * d + k] = z[c * d + k]! - mean[k]! * sum;
      }
      return z;
    },
    // Coordinates = Xc·u = Xc·Vᵀ·s: the product already made for the final block.
    scores(_block, count, s) {
      const out = new Float64Array(n * 2);
      for (let a = 0; a < Math.min(2, count); a++) {
        for (let i = 0; i < n; i++) {
          let sum = 0;
          for (let c = 0; c < count; c++) sum += lastXv[i * count + c]! * s[c * count + a]!;
          out[i * 2 + a] = sum;
        }
      }
      return out;
    },
  };
}

/**
 * C = XcXcᵀ in n-space, formed once from the Gram matrix G = XXᵀ: Gc = G − m1ᵀ − 1mᵀ + |μ|², with
 * mᵢ = xᵢ·μ. Coordinates = √λ · u.
 */
function gramOperator(
  m: Matrix,
  simd: SimdKernels | null | undefined,
  meanDots: Float64Array,
  meanSquare: number,
): CovarianceOperator {
  const n = m.rows;
  const g = rowsOf(m.data, n, m.dims, simd).gram();
  const centred = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) centred[i * n + j] = g[i * n + j]! - meanDots[i]! - meanDots[j]! + meanSquare;
  }
  return {
    dim: n,
    apply(block, count) {
      const out = new Float64Array(count * n);
      for (let c = 0; c < count; c++) {
        const v = c * n;
        for (let i = 0; i < n; i++) {
          const row = i * n;
          let sum = 0;
          for (let j = 0; j < n; j++) sum += centred[row + j]! * block[v + j]!;
          out[v + i] = sum;
        }
      }
      return out;
    },
    scores(block, count, s, values) {
      // u_a = Σ_c s[c][a]·v_c (unit n-vectors); the coordinates are √λ_a · u_a.
      const coordinates = new Float64Array(n * 2);
      for (let a = 0; a < Math.min(2, count); a++) {
        const root = Math.sqrt(Math.max(0, values[a]!));
        for (let c = 0; c < count; c++) {
          const w = s[c * count + a]! * root;
          for (let i = 0; i < n; i++)
            coordinates[i * 2 + a] = coordinates[i * 2 + a]! + w * block[c * n + i]!;
        }
      }
      return coordinates;
    },
  };
}

/**
 * Block subspace iteration with Rayleigh–Ritz: V ← orth(C·V), with the p × p problem Vᵀ·C·V solved exactly
 * each round. Stops when the two leading Ritz values settle, or after `maxIterations`.
 */
function subspaceIteration(
  op: CovarianceOperator,
  random: () => number,
  maxIterations: number,
): { values: Float64Array; scores: Float64Array } {
  const dim = op.dim;
  const p = Math.min(PCA_BLOCK, dim);
  let block = new Float64Array(p * dim);
  for (let i = 0; i < block.length; i++) block[i] = gaussian(random);
  orthonormalizeRows(block, p, dim, random);
  let previous = [NaN, NaN];
  for (let iteration = 1; ; iteration++) {
    const z = op.apply(block, p);
    const h = new Float64Array(p * p);
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        // Vᵀ·C·V, symmetrised against rounding.
        const v = (dotRows(block, a, z, b, dim) + dotRows(block, b, z, a, dim)) / 2;
        h[a * p + b] = v;
        h[b * p + a] = v;
      }
    }
    const { values, vectors } = symmetricEigen(h, p);
    const first = values[0]!;
    const second = values[1] ?? 0;
    const settled =
      Math.abs(first - previous[0]!) <= PCA_TOLERANCE * Math.abs(first) &&
      Math.abs(second - previous[1]!) <= PCA_TOLERANCE * Math.abs(first);
    if (settled || iteration >= maxIterations)
      return { values, scores: op.scores(block, p, vectors, values) };
    previous = [first, second];
    // Next block: C·V turned onto the Ritz vectors, the leading one first, then orthonormalised.
    const next = new Float64Array(p * dim);
    for (let a = 0; a < p; a++) {
      const to = a * dim;
      for (let c = 0; c < p; c++) {
        const w = vectors[c * p + a]!;
        const from = c * dim;
        for (let k = 0; k < dim; k++) next[to + k] = next[to + k]! + w * z[from + k]!;
      }
    }
    orthonormalizeRows(next, p, dim, random);
    block = next;
  }
}

function dotRows(a: Float64Array, ra: number, b: Float64Array, rb: number, dim: number): number {
  let s = 0;
  const ao = ra * dim;
  const bo = rb * dim;
  for (let k = 0; k < dim; k++) s += a[ao + k]! * b[bo + k]!;
  return s;
}

/**
 * Modified Gram–Schmidt, twice over (one pass leaves rounding-level overlap). A row that vanishes (the block
 * is wider than the data's rank) is replaced by a random one, orthogonalised in turn, or else zeroed.
 */
function orthonormalizeRows(block: Float64Array, p: number, dim: number, random: () => number): void {
  for (let a = 0; a < p; a++) {
    const at = a * dim;
    for (let attempt = 0; ; attempt++) {
      const before = Math.sqrt(dotRows(block, a, block, a, dim));
      for (let pass = 0; pass < 2; pass++) {
        for (let b = 0; b < a; b++) {
          const overlap = dotRows(block, a, block, b, dim);
          const bt = b * dim;
          for (let k = 0; k < dim; k++) block[at + k] = block[at + k]! - overlap * block[bt + k]!;
        }
      }
      const after = Math.sqrt(dotRows(block, a, block, a, dim));
      if (after > 1e-10 * before && after > 1e-300) {
        const inverse = 1 / after;
        for (let k = 0; k < dim; k++) block[at + k] = block[at + k]! * inverse;
        break;
      }
      if (attempt === 2) {
        block.fill(0, at, at + dim);
        break;
      }
      for (let k = 0; k < dim; k++) block[at + k] = gaussian(random);
    }
  }
}

/**
 * Eigenvalues (descending) and eigenvectors (column j of `vectors`, row-major n × n) of a small symmetric
 * matrix, by cyclic Jacobi rotations.
 */
function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = matrix.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale += a[i]! * a[i]!;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! * a[i * n + j]!;
    if (off <= 1e-30 * scale) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(a, n, p, q, c, s, n, 1); // columns p and q
        rotate(a, n, p, q, c, s, 1, n); // rows p and q
        rotate(v, n, p, q, c, s, n, 1);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = a[from * n + from]!;
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from]!;
  });
  return { values, vectors };
}

/** Rotates lines p and q of `a` (columns when step is n and gap 1; rows when step is 1 and gap n). */
function rotate(
  a: Float64Array,
  n: number,
  p: number,
  q: number,
  c: number,
  s: number,
  step: number,
  gap: number,
): void {
  for (let k = 0; k < n; k++) {
    const ip = k * step + p * gap;
    const iq = k * step + q * gap;
    const x = a[ip]!;
    const y = a[iq]!;
    a[ip] = c * x - s * y;
    a[iq] = s * x + c * y;
  }
}

/** A small, fast seeded generator (mulberry32): the same seed gives the same numbers everywhere. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

// ---------------------------------------------------------------------------------------------------------
// UMAP.

export interface UmapOptions extends MathOptions {
  /** Seeds umap-js's random numbers; the same seed and data give the same map. Default 1. */
  seed?: number;
  /** Neighbours per text; at most n − 1. Default min(15, n − 1). */
  nNeighbors?: number;
  /** umap-js's default is 0.1. */
  minDist?: number;
  /** umap-js picks 500 for up to 2,500 texts, fewer above. */
  nEpochs?: number;
  /**
   * Stops the layout between epochs: the returned promise rejects with {@link UMAP_CANCELLED}. The layout
   * yields to the event loop every ~50 ms so that the abort (a newer request's message) can arrive.
   */
  signal?: AbortSignal;
}

/** The message of the error a cancelled {@link umap2d} rejects with. */
export const UMAP_CANCELLED = 'UMAP was cancelled by a newer request.';

/** Up to this many texts, UMAP's neighbours come exactly from the similarity matrix. */
const UMAP_EXACT_NEIGHBOURS_MAX = 4096;

/**
 * A 2D UMAP map (n × 2, row-major) with cosine distance, using umap-js, which is loaded on first use. Needs
 * at least 3 texts. Up to 4,096 texts the neighbours are found exactly from the similarity matrix (faster
 * than umap-js's approximate search and the same every time); umap-js then lays out the graph.
 */
export async function umap2d(
  m: Matrix,
  options: UmapOptions = {},
): Promise<{ points: Float32Array<ArrayBuffer> }> {
  const n = m.rows;
  if (n < 3) throw new RangeError(`UMAP needs at least 3 texts (this set has ${n}); use PCA for fewer.`);
  const nNeighbors = Math.max(2, Math.min(options.nNeighbors ?? 15, n - 1));
  const unit = normalizeRows(m);
  const { UMAP } = await import('umap-js');
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    random: mulberry32(options.seed ?? 1),
    // Rows are unit length now, so cosine distance is 1 − dot.
    distanceFn: (a, b) => {
      let s = 0;
      for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
      return Math.max(0, 1 - s);
    },
    ...(options.minDist !== undefined && { minDist: options.minDist }),
    ...(options.nEpochs !== undefined && { nEpochs: options.nEpochs }),
  });
  if (n <= UMAP_EXACT_NEIGHBOURS_MAX) {
    const { indices, distances } = nearestNeighbours(similarityMatrix(unit, options), n, nNeighbors);
    umap.setPrecomputedKNN(indices, distances);
  }
  const rows = Array.from({ length: n }, (_, i) =>
    Array.from(unit.data.subarray(i * m.dims, (i + 1) * m.dims)),
  );
  // umap-js's own fitAsync waits a setTimeout per epoch (4 ms each once browsers clamp them): step it here
  // instead, yielding once per slice of epochs.
  const epochs = umap.initializeFit(rows);
  for (let epoch = 0; epoch < epochs;) {
    if (options.signal?.aborted) throw new Error(UMAP_CANCELLED);
    const until = performance.now() + 50;
    while (epoch < epochs && performance.now() < until) epoch = umap.step();
    if (epoch < epochs) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const embedding = umap.getEmbedding();
  const points = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    points[i * 2] = embedding[i]![0]!;
    points[i * 2 + 1] = embedding[i]![1]!;
  }
  return { points };
}

/** Each text's k nearest by cosine distance, itself first (distance 0), as UMAP expects. */
function nearestNeighbours(
  sim: Float32Array,
  n: number,
  k: number,
): { indices: number[][]; distances: number[][] } {
  const indices: number[][] = [];
  const distances: number[][] = [];
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) scores[j] = j === i ? Infinity : sim[i * n + j]!;
    const best = topK(scores, k);
    indices.push(best.map((r) => r.index));
    distances.push(best.map((r) => (r.index === i ? 0 : Math.max(0, 1 - r.score))));
  }
  return { indices, distances };
}
