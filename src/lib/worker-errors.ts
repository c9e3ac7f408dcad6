/**
 * ' (message)' from an Error or an ErrorEvent, for a sentence about a worker that failed; '' when there
 * is none (a module worker that failed to load carries no message).
 */
export function errorDetail(source: unknown): string {
  const message =
    typeof source === 'object' && source !== null ? (source as { message?: unknown }).message : null;
  return typeof message === 'string' && message !== '' ? ` (${message})` : '';
}
