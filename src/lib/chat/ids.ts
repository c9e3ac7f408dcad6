/**
 * A random id for messages and runs. `crypto.randomUUID` exists only in secure contexts, and the
 * playground may be served over plain http on a LAN; `getRandomValues` works everywhere.
 */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
