/**
 * The key an embedding is cached under: one vector per (server, model, dimensions, text), so running the
 * same texts again does not pay for them twice.
 */

/** What decides a vector: the same four parts give the same vector (up to the server's float noise). */
export interface CacheKeyParts {
  baseURL: string;
  model: string;
  /** The `dimensions` sent, or null when none was (the model's default length). */
  dimensions: number | null;
  text: string;
}

/** The part of `SubtleCrypto` used here. */
export type Digest = Pick<SubtleCrypto, 'digest'>;

/**
 * `crypto.subtle` exists in Node and in browsers on secure contexts only (https, localhost). A page
 * served over plain http on a LAN address has `crypto` without `subtle`.
 */
function defaultDigest(): Digest | null {
  return globalThis.crypto?.subtle ?? null;
}

/**
 * The parts as one string that no other parts give: a JSON array keeps the boundaries between them (a
 * text with a comma or a quote cannot pose as a model id) and spells lone surrogates as `\udXXX`, which
 * UTF-8 would turn into U+FFFD alike. A trailing slash on the base URL does not make another server.
 */
function encodeParts({ baseURL, model, dimensions, text }: CacheKeyParts): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify([baseURL.replace(/\/+$/, ''), model, dimensions, text]));
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

const FNV_PRIME_LOW = 0x1b3; // the 64-bit FNV prime is 2^40 + 0x1b3
const TWO_32 = 2 ** 32;

/**
 * FNV-1a, 64 bits, over `bytes`, starting from the offset basis `hi:lo`. The product by the prime is done
 * on two 32-bit halves in doubles, exact because no partial product reaches 2^53.
 */
function fnv1a64(bytes: Uint8Array, hi: number, lo: number): [number, number] {
  for (const byte of bytes) {
    lo = (lo ^ byte) >>> 0;
    const low = lo * FNV_PRIME_LOW;
    const high = hi * FNV_PRIME_LOW + lo * 256 + Math.floor(low / TWO_32);
    lo = low >>> 0;
    hi = high >>> 0;
  }
  return [hi, lo];
}

function word(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * A 128-bit hash without `crypto.subtle`: FNV-1a 64 from its standard offset basis, then FNV-1a 64 again
 * over the same bytes from the first hash's value, as 32 hex digits.
 *
 * Not a cryptographic hash, and it need not be: the key only tells the user's own texts apart in the
 * user's own browser, and nobody gains by forging a collision there (the worst outcome would be another
 * of their own vectors shown). Against accidental collisions 128 bits is ample: about 2^64 stored vectors
 * before one is likely. Its keys are 32 hex digits, SHA-256's are 64, so the two never mix in one cache.
 */
export function fallbackHash(bytes: Uint8Array): string {
  const [hi1, lo1] = fnv1a64(bytes, 0xcbf29ce4, 0x84222325);
  const [hi2, lo2] = fnv1a64(bytes, hi1, lo1);
  return word(hi1) + word(lo1) + word(hi2) + word(lo2);
}

/** FNV-1a 64 of `bytes` from the standard offset basis, as 16 hex digits (its published test vectors check it). */
export function fnv1a64Hex(bytes: Uint8Array): string {
  const [hi, lo] = fnv1a64(bytes, 0xcbf29ce4, 0x84222325);
  return word(hi) + word(lo);
}

/**
 * The cache key of one embedding: SHA-256 (64 hex digits) of the JSON array `[baseURL, model, dimensions,
 * text]`; where `crypto.subtle` is missing (an http page on a LAN address), the 128-bit
 * {@link fallbackHash} of the same bytes (32 hex digits).
 *
 * @param digest for tests; defaults to `crypto.subtle`, null for none.
 */
export async function cacheKey(
  parts: CacheKeyParts,
  digest: Digest | null = defaultDigest(),
): Promise<string> {
  const bytes = encodeParts(parts);
  if (!digest) return fallbackHash(bytes);
  return hex(new Uint8Array(await digest.digest('SHA-256', bytes)));
}

/** {@link cacheKey} of each, in order. */
export function cacheKeys(
  parts: readonly CacheKeyParts[],
  digest: Digest | null = defaultDigest(),
): Promise<string[]> {
  return Promise.all(parts.map((p) => cacheKey(p, digest)));
}
