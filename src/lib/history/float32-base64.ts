// Typed arrays use the platform's byte order; the file format is little-endian whatever the platform.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
// String.fromCharCode takes its bytes as arguments: a bounded chunk stays under engines' argument limits.
const CHUNK = 0x8000;

/** The vector's bytes as little-endian float32, base64: exact, NaN payloads and -0 included. */
export function encodeFloat32(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.byteLength);
  bytes.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  if (!LITTLE_ENDIAN) swapWords(bytes);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** The vector {@link encodeFloat32} encoded; null when the text is not base64 of whole float32 values. */
export function decodeFloat32(base64: string): Float32Array | null {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    return null; // not base64: the caller reports the field as invalid
  }
  if (binary.length % 4 !== 0) return null;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (!LITTLE_ENDIAN) swapWords(bytes);
  return new Float32Array(bytes.buffer);
}

function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    const [a, b, c, d] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!];
    bytes[i] = d;
    bytes[i + 1] = c;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
