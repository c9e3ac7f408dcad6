/**
 * WebAssembly SIMD kernels for the embeddings math: the dot products behind the similarity matrix, PCA's
 * products and a query's first ranking pass, four float32 lanes at a time.
 *
 * Why WebAssembly: scalar JavaScript tops out near one multiply-add per cycle (every Float32Array read is
 * also a float32 → float64 conversion), which on a 2.1 GHz core puts a 1,000 × 1,000 × 1,536 similarity
 * matrix at ~0.5 s however the loops are blocked; f32x4 arithmetic does it in ~70 ms. A query over 10,000
 * vectors is bound by memory bandwidth instead (61 MB of float32 take ~7 ms to read here), so its rows stay
 * in WebAssembly memory between queries as bfloat16, half the bytes, and ./math reranks the few candidates
 * exactly.
 *
 * Why assembled here: the module is three small functions. Writing them with a tiny emitter keeps the
 * source readable and reviewable in this file, with no binary blob and no build step; `WebAssembly.validate`
 * and the unit tests (which compare every kernel with plain JavaScript) check the encoding.
 *
 * Where it runs: in the embeddings worker. A page whose Content-Security-Policy lacks 'wasm-unsafe-eval'
 * (ours) cannot compile WebAssembly on its main thread, but a same-origin module worker gets its policy
 * from its own response, so it can. {@link createSimdKernels} returns null wherever compiling fails
 * (no SIMD, a policy that forbids it) and the callers use the plain JavaScript loops of ./math instead.
 *
 * Accuracy: each product is summed in float32 lanes (four partial sums per row pair), then the lanes are
 * added in float64. Against float64 sums the difference is ~1e-7 on unit vectors: below what the Float32Array
 * results can hold.
 */

/** Rows ready for dot products: copied into WebAssembly memory here, or read in place by ./math's JavaScript twin. */
export interface DotRows {
  readonly rows: number;
  readonly dims: number;
  /** rows × rows, row-major: every pair's dot product, computed once per pair. */
  gram(): Float32Array<ArrayBuffer>;
  /** rows × count, row-major: each row's dot product with each of `count` vectors packed in `vectors`. */
  dotsMany(vectors: Float64Array, count: number): Float64Array;
  /**
   * count × dims, row-major: for each column c of `weights` (rows × count, row-major), the sum of the rows
   * weighted by it, Σᵢ weights[i][c]·rowᵢ. With {@link dotsMany} this applies XᵀX without transposing X.
   */
  weightedSums(weights: Float64Array, count: number): Float64Array;
}

/**
 * Rows rounded to bfloat16 (the top 16 bits of a float32): half the memory to read per query, for a first,
 * approximate pass of a ranking. Each value keeps 8 significant bits, so an approximate dot product is within
 * {@link BF16_DOT_ERROR} · |row| · |vector| of the exact one.
 */
export interface Bf16Rows {
  readonly rows: number;
  readonly dims: number;
  /** {@link BF16_DOT_ERROR}: the bound on |approximate − exact| / (|row| · |vector|). */
  readonly error: number;
  /** One approximate dot product per row with `vector` (length dims). */
  dots(vector: Float32Array): Float64Array;
}

/**
 * Bound on |approximate − exact| / (|row| · |vector|) for {@link Bf16Rows.dots}: 2⁻⁹ from rounding each value
 * to 8 significant bits, plus a generous 2·10⁻⁴ for summing in float32 lanes.
 */
export const BF16_DOT_ERROR = 2 ** -9 + 2e-4;

export interface SimdKernels {
  /**
   * Copies `rows × dims` values into a memory of their own (each row padded to a multiple of 8 floats).
   * `vectors` is the most vectors one {@link DotRows.dotsMany} call will pass.
   */
  load(data: Float32Array, rows: number, dims: number, vectors?: number): DotRows;
  /** Copies `rows × dims` values into a memory of their own as bfloat16 (rows padded to 8 values). */
  loadBf16(data: Float32Array, rows: number, dims: number): Bf16Rows;
}

/** The kernels, or null where WebAssembly SIMD is missing or may not be compiled (then use plain JS). */
export function createSimdKernels(): SimdKernels | null {
  if (typeof WebAssembly !== 'object') return null;
  const bytes = assembleKernels();
  if (!WebAssembly.validate(bytes)) return null; // an engine without SIMD
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch {
    // A Content-Security-Policy without 'wasm-unsafe-eval': fall back to JavaScript, which gives the same
    // results more slowly.
    return null;
  }
  return {
    load: (data, rows, dims, vectors = 1) => loadRows(module, data, rows, dims, vectors),
    loadBf16: (data, rows, dims) => loadBf16Rows(module, data, rows, dims),
  };
}

interface KernelExports {
  dot42(
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    b0: number,
    b1: number,
    len: number,
    out: number,
  ): void;
  axpy4(
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    z: number,
    len: number,
  ): void;
  dotsBf16(a: number, rows: number, stride: number, q: number, len: number, out: number): void;
}

const PAGE = 65536;
/** Bytes 0–63 hold dot42's eight float64 results. */
const SCRATCH = 0;
const ROWS_AT = 64;

function loadRows(
  module: WebAssembly.Module,
  data: Float32Array,
  rows: number,
  dims: number,
  vectors: number,
): DotRows {
  if (data.length !== rows * dims) {
    throw new RangeError(`Expected ${rows} × ${dims} values, got ${data.length}.`);
  }
  // Padding to 8 floats (32 bytes) lets the kernels step 16 or 32 bytes with no tail loop; zeros add nothing.
  const stride = Math.ceil(dims / 8) * 8;
  const strideBytes = stride * 4;
  const vectorsAt = ROWS_AT + rows * strideBytes;
  const outAt = vectorsAt + Math.max(1, vectors) * strideBytes;
  const bytes = outAt + rows * 8;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const kernel = instance.exports as unknown as KernelExports;
  const floats = new Float32Array(memory.buffer);
  if (stride === dims) floats.set(data, ROWS_AT / 4);
  else
    for (let r = 0; r < rows; r++)
      floats.set(data.subarray(r * dims, (r + 1) * dims), ROWS_AT / 4 + r * stride);
  const scratch = new Float64Array(memory.buffer, SCRATCH, 8);
  const rowAt = (r: number) => ROWS_AT + r * strideBytes;
  const vectorAt = (v: number) => vectorsAt + v * strideBytes;

  return {
    rows,
    dims,
    gram() {
      const n = rows;
      const out = new Float32Array(n * n);
      const last = n - 1;
      // 4 rows × 2 rows per call; past the end a row index is clamped, which only recomputes a pair.
      for (let i = 0; i < n; i += 4) {
        const i1 = Math.min(i + 1, last);
        const i2 = Math.min(i + 2, last);
        const i3 = Math.min(i + 3, last);
        const a0 = rowAt(i);
        const a1 = rowAt(i1);
        const a2 = rowAt(i2);
        const a3 = rowAt(i3);
        for (let j = i; j < n; j += 2) {
          const j1 = Math.min(j + 1, last);
          kernel.dot42(a0, a1, a2, a3, rowAt(j), rowAt(j1), strideBytes, SCRATCH);
          setPair(out, n, i, j, scratch[0]!);
          setPair(out, n, i, j1, scratch[1]!);
          setPair(out, n, i1, j, scratch[2]!);
          setPair(out, n, i1, j1, scratch[3]!);
          setPair(out, n, i2, j, scratch[4]!);
          setPair(out, n, i2, j1, scratch[5]!);
          setPair(out, n, i3, j, scratch[6]!);
          setPair(out, n, i3, j1, scratch[7]!);
        }
      }
      return out;
    },
    dotsMany(packed, count) {
      if (count < 1 || count > Math.max(1, vectors) || packed.length !== count * dims) {
        throw new RangeError(`Expected 1 to ${vectors} vectors of ${dims} values.`);
      }
      for (let v = 0; v < count; v++) {
        const at = vectorAt(v) / 4;
        for (let k = 0; k < dims; k++) floats[at + k] = packed[v * dims + k]!;
      }
      const out = new Float64Array(rows * count);
      const lastRow = rows - 1;
      const lastVector = count - 1;
      for (let i = 0; i < rows; i += 4) {
        const i1 = Math.min(i + 1, lastRow);
        const i2 = Math.min(i + 2, lastRow);
        const i3 = Math.min(i + 3, lastRow);
        for (let v = 0; v < count; v += 2) {
          const v1 = Math.min(v + 1, lastVector);
          kernel.dot42(
            rowAt(i),
            rowAt(i1),
            rowAt(i2),
            rowAt(i3),
            vectorAt(v),
            vectorAt(v1),
            strideBytes,
            SCRATCH,
          );
          out[i * count + v] = scratch[0]!;
          out[i * count + v1] = scratch[1]!;
          out[i1 * count + v] = scratch[2]!;
          out[i1 * count + v1] = scratch[3]!;
          out[i2 * count + v] = scratch[4]!;
          out[i2 * count + v1] = scratch[5]!;
          out[i3 * count + v] = scratch[6]!;
          out[i3 * count + v1] = scratch[7]!;
        }
      }
      return out;
    },
    weightedSums(weights, count) {
      if (count < 1 || count > Math.max(1, vectors) || weights.length !== rows * count) {
        throw new RangeError(`Expected ${rows} × 1 to ${vectors} weights.`);
      }
      floats.fill(0, vectorsAt / 4, vectorsAt / 4 + count * stride);
      const w = (i: number, c: number) => (i < rows ? weights[i * count + c]! : 0);
      // Per 4 rows, every column: the 4 rows stay in L1 while the sums (count × dims floats) stay in L2.
      for (let i = 0; i < rows; i += 4) {
        const i1 = Math.min(i + 1, rows - 1);
        const i2 = Math.min(i + 2, rows - 1);
        const i3 = Math.min(i + 3, rows - 1);
        for (let c = 0; c < count; c++) {
          // Past the last row the weight is 0, so a clamped row adds nothing.
          kernel.axpy4(
            rowAt(i),
            rowAt(i1),
            rowAt(i2),
            rowAt(i3),
            w(i, c),
            w(i + 1, c),
            w(i + 2, c),
            w(i + 3, c),
            vectorAt(c),
            strideBytes,
          );
        }
      }
      const out = new Float64Array(count * dims);
      for (let c = 0; c < count; c++) {
        const at = vectorAt(c) / 4;
        for (let k = 0; k < dims; k++) out[c * dims + k] = floats[at + k]!;
      }
      return out;
    },
  };
}

function setPair(out: Float32Array, n: number, i: number, j: number, value: number): void {
  out[i * n + j] = value;
  out[j * n + i] = value;
}

function loadBf16Rows(module: WebAssembly.Module, data: Float32Array, rows: number, dims: number): Bf16Rows {
  if (data.length !== rows * dims) {
    throw new RangeError(`Expected ${rows} × ${dims} values, got ${data.length}.`);
  }
  const stride = Math.ceil(dims / 8) * 8; // values per row: 16 bytes of bfloat16 per step
  const rowsAt = ROWS_AT;
  const queryAt = rowsAt + rows * stride * 2;
  const outAt = queryAt + stride * 4;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((outAt + rows * 8) / PAGE) });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const kernel = instance.exports as unknown as KernelExports;
  const halves = new Uint16Array(memory.buffer, rowsAt, rows * stride);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < dims; k++) {
      const b = bits[r * dims + k]!;
      // Round to nearest, ties to even, on the 16 bits dropped.
      halves[r * stride + k] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    }
  }
  const query = new Float32Array(memory.buffer, queryAt, stride);
  return {
    rows,
    dims,
    error: BF16_DOT_ERROR,
    dots(vector) {
      if (vector.length !== dims)
        throw new RangeError(`Expected a vector of ${dims} values, got ${vector.length}.`);
      query.set(vector);
      kernel.dotsBf16(rowsAt, rows, stride * 2, queryAt, stride * 2, outAt);
      return new Float64Array(memory.buffer, outAt, rows).slice();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The module, assembled. Reference: the WebAssembly core spec (binary format) and its SIMD proposal.

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const name = (text: string) => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

// Instructions used by the kernels.
const get = (local: number) => [0x20, ...uleb(local)];
const set = (local: number) => [0x21, ...uleb(local)];
const i32 = (value: number) => [0x41, ...sleb(value)];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_SHL = [0x74];
const I32_GE_U = [0x4f];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const br = (depth: number) => [0x0c, ...uleb(depth)];
const brIf = (depth: number) => [0x0d, ...uleb(depth)];
const F64_ADD = [0xa0];
const F64_PROMOTE_F32 = [0xbb];
const f64Store = (offset: number) => [0x39, 3, ...uleb(offset)];
const simd = (op: number) => [0xfd, ...uleb(op)];
const v128Load = (offset: number) => [...simd(0x00), 4, ...uleb(offset)];
const V128_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const v128Store = (offset: number) => [...simd(0x0b), 4, ...uleb(offset)];
const F32X4_SPLAT = simd(0x13);
const I32X4_EXTEND_LOW_I16X8_U = 0xa9;
const I32X4_EXTEND_HIGH_I16X8_U = 0xaa;
const I32X4_SHL = simd(0xab);
const F32X4_ADD = simd(0xe4);
const F32X4_MUL = simd(0xe6);
const f32x4Lane = (lane: number) => [...simd(0x1f), lane];

/** `acc` (a v128 local) summed across its lanes in float64, left on the stack. */
function laneSum(acc: number): number[] {
  const lane = (l: number) => [...get(acc), ...f32x4Lane(l), ...F64_PROMOTE_F32];
  return [...lane(0), ...lane(1), ...F64_ADD, ...lane(2), ...lane(3), ...F64_ADD, ...F64_ADD];
}

/**
 * dot42(a0, a1, a2, a3, b0, b1, len, out): the 8 dot products of rows a0–a3 with rows b0 and b1 (byte
 * addresses, `len` bytes each, a multiple of 16), stored as float64 at out[0..7] in the order
 * a0·b0, a0·b1, a1·b0, a1·b1, … Eight accumulators and six loaded vectors fit the 16 SIMD registers.
 */
function dot42Body(): number[] {
  const [len, out, k, acc, y0, y1, x] = [6, 7, 8, 9, 17, 18, 19];
  const body: number[] = [];
  for (let a = 0; a < 8; a++) body.push(...V128_ZERO, ...set(acc + a));
  body.push(...i32(0), ...set(k), ...BLOCK, ...LOOP, ...get(k), ...get(len), ...I32_GE_U, ...brIf(1));
  body.push(...get(4), ...get(k), ...I32_ADD, ...v128Load(0), ...set(y0));
  body.push(...get(5), ...get(k), ...I32_ADD, ...v128Load(0), ...set(y1));
  for (let r = 0; r < 4; r++) {
    body.push(...get(r), ...get(k), ...I32_ADD, ...v128Load(0), ...set(x));
    for (const [column, y] of [
      [0, y0],
      [1, y1],
    ] as const) {
      const target = acc + 2 * r + column;
      body.push(...get(target), ...get(x), ...get(y), ...F32X4_MUL, ...F32X4_ADD, ...set(target));
    }
  }
  body.push(...get(k), ...i32(16), ...I32_ADD, ...set(k), ...br(0), ...END, ...END);
  for (let a = 0; a < 8; a++) body.push(...get(out), ...laneSum(acc + a), ...f64Store(a * 8));
  return body;
}

/**
 * dotsBf16(a, rows, stride, q, len, out): out[r] = row r · q as float64, for `rows` bfloat16 rows starting
 * at byte address `a`, `stride` bytes apart, `len` bytes each (a multiple of 16), and q a float32 vector.
 * Each 8 bfloat16 values widen to two float32x4 (zero-extend, shift into the top half). Bound by memory
 * bandwidth, so one row at a time is enough.
 */
function dotsBf16Body(): number[] {
  const [a, rows, stride, q, len, out, r, k, row, qAt, acc0, acc1, v] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  ];
  const widen = (extend: number) => [...get(v), ...simd(extend), ...i32(16), ...I32X4_SHL];
  return [
    ...i32(0),
    ...set(r),
    ...BLOCK,
    ...LOOP,
    ...get(r),
    ...get(rows),
    ...I32_GE_U,
    ...brIf(1),
    ...get(a),
    ...get(r),
    ...get(stride),
    ...I32_MUL,
    ...I32_ADD,
    ...set(row),
    ...V128_ZERO,
    ...set(acc0),
    ...V128_ZERO,
    ...set(acc1),
    ...i32(0),
    ...set(k),
    ...BLOCK,
    ...LOOP,
    ...get(k),
    ...get(len),
    ...I32_GE_U,
    ...brIf(1),
    ...get(row),
    ...get(k),
    ...I32_ADD,
    ...v128Load(0),
    ...set(v),
    ...get(q),
    ...get(k),
    ...i32(1),
    ...I32_SHL,
    ...I32_ADD,
    ...set(qAt),
    ...get(acc0),
    ...widen(I32X4_EXTEND_LOW_I16X8_U),
    ...get(qAt),
    ...v128Load(0),
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...set(acc0),
    ...get(acc1),
    ...widen(I32X4_EXTEND_HIGH_I16X8_U),
    ...get(qAt),
    ...v128Load(16),
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...set(acc1),
    ...get(k),
    ...i32(16),
    ...I32_ADD,
    ...set(k),
    ...br(0),
    ...END,
    ...END,
    ...get(acc0),
    ...get(acc1),
    ...F32X4_ADD,
    ...set(acc0),
    ...get(out),
    ...get(r),
    ...i32(8),
    ...I32_MUL,
    ...I32_ADD,
    ...laneSum(acc0),
    ...f64Store(0),
    ...get(r),
    ...i32(1),
    ...I32_ADD,
    ...set(r),
    ...br(0),
    ...END,
    ...END,
  ];
}

/**
 * axpy4(a0, a1, a2, a3, w0, w1, w2, w3, z, len): z += w0·a0 + w1·a1 + w2·a2 + w3·a3 over `len` bytes (a
 * multiple of 16): rows a0–a3 at byte addresses, weights as float32, z a float32 vector.
 */
function axpy4Body(): number[] {
  const [z, len, k, acc, w] = [8, 9, 10, 11, 12];
  const body: number[] = [];
  for (let r = 0; r < 4; r++) body.push(...get(4 + r), ...F32X4_SPLAT, ...set(w + r));
  body.push(...i32(0), ...set(k), ...BLOCK, ...LOOP, ...get(k), ...get(len), ...I32_GE_U, ...brIf(1));
  body.push(...get(z), ...get(k), ...I32_ADD); // the store's address, under the sum
  body.push(...get(z), ...get(k), ...I32_ADD, ...v128Load(0), ...set(acc));
  for (let r = 0; r < 4; r++) {
    body.push(
      ...get(acc),
      ...get(r),
      ...get(k),
      ...I32_ADD,
      ...v128Load(0),
      ...get(w + r),
      ...F32X4_MUL,
      ...F32X4_ADD,
    );
    body.push(...set(acc));
  }
  body.push(...get(acc), ...v128Store(0));
  body.push(...get(k), ...i32(16), ...I32_ADD, ...set(k), ...br(0), ...END, ...END);
  return body;
}

function assembleKernels(): Uint8Array<ArrayBuffer> {
  const functions = [
    { name: 'dot42', type: 0, locals: [[1, I32] as const, [11, V128] as const], body: dot42Body() },
    { name: 'dotsBf16', type: 1, locals: [[4, I32] as const, [3, V128] as const], body: dotsBf16Body() },
    { name: 'axpy4', type: 2, locals: [[1, I32] as const, [5, V128] as const], body: axpy4Body() },
  ];
  const functionType = (...params: number[]) => [0x60, ...vec(params.map((p) => [p])), 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(
      1,
      vec([
        functionType(I32, I32, I32, I32, I32, I32, I32, I32),
        functionType(I32, I32, I32, I32, I32, I32),
        functionType(I32, I32, I32, I32, F32, F32, F32, F32, I32, I32),
      ]),
    ),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(functions.map((f) => uleb(f.type)))),
    ...section(7, vec(functions.map((f, index) => [...name(f.name), 0x00, ...uleb(index)]))),
    ...section(
      10,
      vec(
        functions.map((f) => {
          const code = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, ...END];
          return [...uleb(code.length), ...code];
        }),
      ),
    ),
  ]);
}
