/**
 * Share links: the setup (see ./setup.ts) as JSON with its defaults left out, deflated, in base64url, in
 * the URL's fragment (`#s=v1.…`). The fragment never reaches a server, and the version in front lets a
 * later Sandpit change the format and still read these links.
 */
import {
  MAX_SETUP_BYTES,
  checkSetup,
  compactSetup,
  newer,
  type SetupResult,
  type SharedSetup,
} from './setup';

export type { SharedSetup, SetupResult } from './setup';

/**
 * The longest whole URL offered as a link; a longer setup is offered as a file. 8,000 is the length
 * RFC 9110 (§4.1) recommends every sender and recipient support, and what browsers, mail, chat apps and
 * link checkers keep intact in practice (browsers take far more: Chrome 2 MB, Firefox and Safari more
 * still). A few places cut shorter (a Discord message holds 2,000 characters); a link cut there says it
 * is damaged rather than opening half a setup.
 */
export const MAX_LINK_LENGTH = 8000;

/**
 * The longest fragment value read at all: far above any link Sandpit makes, so a pasted megabyte of
 * text is refused before it is decoded.
 */
export const MAX_FRAGMENT_LENGTH = 1_000_000;

const VERSION = 'v1';
const FORMAT = 'deflate-raw';

/**
 * A setup as a fragment value: `v1.` + base64url(deflate-raw(JSON)), with only what differs from the
 * defaults. Rejects, with a reason a person can act on, a setup that a link could not bring back (over
 * the limits of ./setup.ts): better said when sharing than when opening.
 */
export async function encodeSetup(setup: SharedSetup): Promise<string> {
  const compact = compactSetup(setup);
  const checked = checkSetup(compact);
  if (!checked.ok) throw new Error(`This setup cannot be shared. ${checked.reason}`);
  const json = new TextEncoder().encode(JSON.stringify(compact));
  if (json.byteLength > MAX_SETUP_BYTES) {
    throw new Error(
      `This setup cannot be shared: it holds ${megabytes(json.byteLength)}, more than the ${megabytes(MAX_SETUP_BYTES)} a shared setup may.`,
    );
  }
  const deflated = new Blob([json]).stream().pipeThrough(new CompressionStream(FORMAT));
  return `${VERSION}.${toBase64Url(new Uint8Array(await new Response(deflated).arrayBuffer()))}`;
}

/**
 * The setup a fragment value holds, or why it cannot be opened. Never throws. A link is input from
 * anyone: it is unpacked at most {@link MAX_SETUP_BYTES} far (a small link can unpack to gigabytes),
 * checked against the schema, and everything the schema does not name is dropped.
 */
export async function decodeSetup(fragmentValue: string): Promise<SetupResult> {
  try {
    return await decode(fragmentValue);
  } catch (err) {
    // Nothing above should throw; a runtime without CompressionStream, say, still gets a reason.
    return {
      ok: false,
      reason: `The link could not be read (${err instanceof Error ? err.message : String(err)}).`,
    };
  }
}

async function decode(value: string): Promise<SetupResult> {
  if (value.length > MAX_FRAGMENT_LENGTH) {
    return { ok: false, reason: 'The link is far too long to be a Sandpit share link; it was not opened.' };
  }
  const match = /^v(\d+)\.(.*)$/s.exec(value);
  if (!match) return notSandpit();
  const version = match[1] ?? '';
  const payload = match[2] ?? '';
  if (`v${version}` !== VERSION)
    return Number(version) > 1 ? cannotOpen(newer(version).reason) : notSandpit();
  const bytes = fromBase64Url(payload);
  if (!bytes) {
    return cannotOpen(
      'It holds characters a share link never has: it may have been changed when it was copied.',
    );
  }
  const inflated = await inflateCapped(bytes, MAX_SETUP_BYTES);
  if (!inflated.ok) return inflated;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inflated.bytes));
  } catch {
    return cannotOpen('Its data unpacks to something that is not a setup (not JSON text).');
  }
  const checked = checkSetup(json);
  return checked.ok ? checked : cannotOpen(checked.reason);
}

function cannotOpen(reason: string): { ok: false; reason: string } {
  return { ok: false, reason: `The link cannot be opened. ${reason}` };
}

function notSandpit(): { ok: false; reason: string } {
  return { ok: false, reason: 'This is not a Sandpit share link (it should start with “v1.”).' };
}

/**
 * Inflates at most `cap` bytes. The input is fed in the chunks a Blob streams and the output read as it
 * comes, so a bomb (50 MB of zeros deflate to 50 kB) is stopped at the cap, not unpacked whole first.
 */
async function inflateCapped(
  bytes: Uint8Array<ArrayBuffer>,
  cap: number,
): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; reason: string }> {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(FORMAT)).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        // Stops the decompressor; its own error on cancelling is of no interest.
        reader.cancel().catch(() => undefined);
        return cannotOpen(`It unpacks to more than ${megabytes(cap)}, more than any setup Sandpit shares.`);
      }
      chunks.push(value);
    }
  } catch {
    return cannotOpen('Its data cannot be unpacked: part of it may have been lost when it was copied.');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return { ok: true, bytes: out };
}

/** The share link of a page: the outside world's location is passed in (no `window` here). */
export function shareUrl(
  location: { origin: string; pathname: string; search: string },
  encoded: string,
): string {
  return `${location.origin}${location.pathname}${location.search}#s=${encoded}`;
}

/** The share value of a fragment (`#s=…`, maybe among other `&`-separated parts), else null. */
export function readShareFragment(hash: string): string | null {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of fragment.split('&')) {
    if (part.startsWith('s=')) {
      const value = part.slice(2).trim();
      return value === '' ? null : value;
    }
  }
  return null;
}

/** Whether a whole URL is short enough to be offered as a link ({@link MAX_LINK_LENGTH}). */
export function fitsInLink(url: string): boolean {
  return url.length <= MAX_LINK_LENGTH;
}

/** The setup as a file's text, for a setup too large for a link: readable JSON, defaults left out. */
export function setupFileText(setup: SharedSetup): string {
  return `${JSON.stringify(compactSetup(setup), null, 2)}\n`;
}

/** The setup a file holds ({@link setupFileText}), or why it cannot be opened. Never throws. */
export function readSetupFile(text: string): SetupResult {
  if (text.length > MAX_SETUP_BYTES) {
    return {
      ok: false,
      reason: `The file holds more than ${megabytes(MAX_SETUP_BYTES)}: it is not a Sandpit setup.`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { ok: false, reason: 'The file is not a Sandpit setup (it is not JSON).' };
  }
  const checked = checkSetup(json);
  return checked.ok ? checked : { ok: false, reason: `The file cannot be opened. ${checked.reason}` };
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
