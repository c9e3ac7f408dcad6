import { createHash } from 'node:crypto';

/** Lower-cased words; a text without any falls back to its characters so it still gets a vector. */
function features(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  return words ?? [...text];
}

/** A small fast generator, seeded per word so each word always maps to the same direction. */
function xorshift(seed: number): () => number {
  let state = seed || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0xffffffff;
  };
}

/**
 * A deterministic, dense, unit-length embedding: the sum of one pseudo-random direction per word
 * (a random projection of the bag of words). Texts sharing words point the same way; unrelated
 * texts are close to orthogonal; the same text always gives the same vector. Values are float32,
 * as the API's are, and a shorter `dimensions` keeps the first ones and renormalises them, as
 * text-embedding-3 shortening does.
 */
export function embedText(text: string, fullDimensions: number, dimensions = fullDimensions): Float32Array {
  const sum = new Float64Array(fullDimensions);
  for (const feature of features(text)) {
    const next = xorshift(createHash('sha256').update(feature).digest().readUInt32LE(0));
    for (let i = 0; i < fullDimensions; i += 1) sum[i] = (sum[i] ?? 0) + (next() * 2 - 1);
  }
  const kept = sum.subarray(0, dimensions);
  const norm = Math.hypot(...kept) || 1;
  return Float32Array.from(kept, (x) => x / norm);
}

/** The base64 form the API sends for `encoding_format: 'base64'`: little-endian float32 bytes. */
export function encodeBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => bytes.writeFloatLE(x, i * 4));
  return bytes.toString('base64');
}

/** The shortest decimal that reads back as the same float32, the way the API prints its float vectors. */
export function formatFloat32(value: number): string {
  const target = Math.fround(value);
  for (let precision = 1; precision < 9; precision += 1) {
    const candidate = Number(target.toPrecision(precision));
    if (Math.fround(candidate) === target) return String(candidate);
  }
  return String(Number(target.toPrecision(9)));
}

/** One input of an embeddings request: a string, or a token array hashed token by token. */
export function inputText(input: string | number[]): string {
  return typeof input === 'string' ? input : input.map((token) => `#${token}`).join(' ');
}

/** Writes the response by hand so float vectors keep the API's float32 notation (`-0.099287055`). */
export function embeddingsResponseText(
  vectors: Float32Array[],
  format: 'float' | 'base64',
  model: string,
  promptTokens: number,
): string {
  const data = vectors.map((vector, index) => {
    const embedding =
      format === 'base64'
        ? JSON.stringify(encodeBase64(vector))
        : `[\n        ${Array.from(vector, formatFloat32).join(',\n        ')}\n      ]`;
    return `    {\n      "object": "embedding",\n      "index": ${index},\n      "embedding": ${embedding}\n    }`;
  });
  const usage = JSON.stringify({ prompt_tokens: promptTokens, total_tokens: promptTokens });
  return `{\n  "object": "list",\n  "data": [\n${data.join(',\n')}\n  ],\n  "model": ${JSON.stringify(model)},\n  "usage": ${usage}\n}\n`;
}
