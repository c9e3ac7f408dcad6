import { runRecord } from '../storage/chat-records';
import { embeddingsRunRecord } from '../storage/embedding-records';
import { historyRecord } from '../storage/history-records';
import { open, type RecordType } from '../storage/records';
import { lineColumn, parseJsonText } from '../tools/json-text';
import { entryFor, userFields, type RunData, type SavedRun } from './entry';
import { decodeFloat32, encodeFloat32 } from './float32-base64';

/** What the first field of every export says, so a foreign JSON file is told apart. */
export const EXPORT_FORMAT = 'sandpit-runs';
/** The file format's version; a file with a higher one was made by a newer Sandpit. */
export const EXPORT_VERSION = 1;

/** A run read from an import: validated (and upgraded) exactly as a stored record would be. */
export type ImportedRun = SavedRun;

/** A run of the file that was not imported: its position in the file, its id when it had one, and why. */
export interface SkippedRun {
  index: number;
  id?: string;
  reason: string;
}

export type ImportResult =
  { ok: true; runs: ImportedRun[]; skipped: SkippedRun[] } | { ok: false; reason: string };

/** Thrown by {@link exportRuns} when a run holds the API key; nothing is exported. */
export class SecretInExportError extends Error {
  override readonly name = 'SecretInExportError';
  constructor(readonly runId: string) {
    super(
      `Nothing was exported: run ${runId} contains your API key. Delete that run from the history, ` +
        'then export again.',
    );
  }
}

export interface ExportOptions {
  /**
   * The API key in use. Runs never hold it (it travels in a header, and error texts are scrubbed of it),
   * so this is a last check: any string or property name that contains it stops the export. Keys shorter
   * than 8 characters (a local server's "test") are not checked: they would match ordinary words.
   */
  secret?: string;
  now?: Date;
}

// The object that stands for a Float32Array in the file: {"$f32": "<base64 of little-endian float32>"}.
const F32 = '$f32';
// An ordinary property named "$f32" ("$$f32", …) is written with one more "$" so it is never taken for one.
const ESCAPED_F32 = /^\$+f32$/;
const DOLLAR = 36;
const MIN_SECRET = 8;

/**
 * One JSON file holding the runs and their history entries, one run per line. Vectors of embeddings
 * runs are written as base64 of their little-endian float32 bytes, so they come back bit for bit.
 * Each record kind's schema version is written too: a later Sandpit upgrades old files through the same
 * migrations as stored records. Throws {@link SecretInExportError} if a run contains the API key.
 */
export function exportRuns(runs: readonly SavedRun[], options: ExportOptions = {}): string {
  const now = options.now ?? new Date();
  const secret = options.secret?.trim() ?? '';
  const check = secret.length >= MIN_SECRET ? secret : null;
  const recordVersions = Object.fromEntries(
    [historyRecord, runRecord, embeddingsRunRecord].map((type) => [type.kind, type.version]),
  );
  const head = JSON.stringify({
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    recordVersions,
  });
  const lines = runs.map(({ recordKind, entry, data }) =>
    JSON.stringify({ recordKind, entry, data }, encoder(check, data.id)),
  );
  // `{"format":…,"recordVersions":{…}` + `,"runs":[` + one run per line + `]}`.
  return `${head.slice(0, -1)},"runs":[\n${lines.join(',\n')}\n]}\n`;
}

/** A file name for an export made at `now`: `sandpit-runs-2025-01-31.json`. */
export function exportFileName(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `sandpit-runs-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

/**
 * Reads an export. Never throws. A file that cannot be imported at all (not JSON, cut off, another
 * program's JSON, a newer format) gives the reason; otherwise each run is validated with the store's
 * own schemas and migrations, and a run that fails, or whose id is already in the history (or earlier
 * in the file), is skipped with the reason while the others import. Nothing existing is overwritten.
 */
export function parseImport(text: string, existingIds: ReadonlySet<string>): ImportResult {
  const body = text.replace(/^\ufeff/, '');
  if (!body.trim()) return { ok: false, reason: 'The file is empty.' };
  let file: unknown;
  try {
    file = JSON.parse(body, decodeValue);
  } catch (err) {
    // Anything but a SyntaxError is the engine running out of stack on absurdly nested (valid) JSON.
    const reason =
      err instanceof SyntaxError
        ? notJson(body)
        : 'This file nests its values too deeply to be a Sandpit export.';
    return { ok: false, reason };
  }
  if (!isObject(file) || !('format' in file)) {
    return {
      ok: false,
      reason: `This file is not a Sandpit runs export: it has no "format": "${EXPORT_FORMAT}".`,
    };
  }
  if (file.format !== EXPORT_FORMAT) {
    return {
      ok: false,
      reason: `This file is not a Sandpit runs export: its format is ${JSON.stringify(file.format)}.`,
    };
  }
  const version = file.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, reason: 'This Sandpit runs export has no valid version number.' };
  }
  if (version > EXPORT_VERSION) {
    return {
      ok: false,
      reason:
        `This file was made by a newer Sandpit, version ${version}; this page reads up to version ` +
        `${EXPORT_VERSION}. Reload the page to get the newest Sandpit, then import it again.`,
    };
  }
  if (!Array.isArray(file.runs))
    return { ok: false, reason: 'This Sandpit runs export has no list of runs.' };
  const versions = recordVersions(file.recordVersions);
  if (!versions) return { ok: false, reason: 'This Sandpit runs export has unreadable record versions.' };

  const runs: ImportedRun[] = [];
  const skipped: SkippedRun[] = [];
  const seen = new Set<string>();
  file.runs.forEach((item: unknown, index) => {
    const read = readRun(item, versions);
    if (!read.ok) {
      skipped.push({ index, ...(read.id !== undefined && { id: read.id }), reason: read.reason });
      return;
    }
    const id = read.run.data.id;
    if (existingIds.has(id) || seen.has(id)) {
      skipped.push({ index, id, reason: 'already in your history' });
      return;
    }
    seen.add(id);
    runs.push(read.run);
  });
  return { ok: true, runs, skipped };
}

type ReadRun = { ok: true; run: ImportedRun } | { ok: false; id?: string; reason: string };

function readRun(item: unknown, versions: Readonly<Record<string, number>>): ReadRun {
  if (!isObject(item)) return { ok: false, reason: 'it is not a run' };
  const id = isObject(item.data) && typeof item.data.id === 'string' ? item.data.id : undefined;
  const skip = (reason: string): ReadRun => ({ ok: false, ...(id !== undefined && { id }), reason });
  const { recordKind } = item;
  if (recordKind !== 'run' && recordKind !== 'embeddings-run') {
    return skip(`it is an unknown kind of run (${JSON.stringify(recordKind) ?? 'none'})`);
  }
  const run = openRun(recordKind, item.data, versions);
  if (!run.ok) return skip(`the run is not valid: ${run.reason}`);
  const entry = openAs(historyRecord, item.entry, versions);
  if (!entry.ok) return skip(`its history entry is not valid: ${entry.reason}`);
  if (entry.data.id !== run.run.data.id || entry.data.recordKind !== recordKind) {
    return skip('its history entry belongs to another run');
  }
  // What the entry says about the run is read off the run again; only what the user wrote is taken.
  const fresh = entryFor(recordKind, run.run.data, userFields(entry.data));
  return { ok: true, run: { ...run.run, entry: fresh } };
}

function openRun(
  recordKind: RunData['recordKind'],
  data: unknown,
  versions: Readonly<Record<string, number>>,
): { ok: true; run: RunData } | { ok: false; reason: string } {
  if (recordKind === 'run') {
    const opened = openAs(runRecord, data, versions);
    return opened.ok ? { ok: true, run: { recordKind, data: opened.data } } : opened;
  }
  const opened = openAs(embeddingsRunRecord, data, versions);
  return opened.ok ? { ok: true, run: { recordKind, data: opened.data } } : opened;
}

/** Validates (and upgrades) data from the file exactly as the store reads a stored record. */
function openAs<T>(type: RecordType<T>, data: unknown, versions: Readonly<Record<string, number>>) {
  return open(type, { kind: type.kind, v: versions[type.kind] ?? 1, savedAt: 0, data });
}

/** The schema version of each record kind in the file; 1 for a kind it does not name. */
function recordVersions(value: unknown): Record<string, number> | null {
  if (value === undefined) return {};
  if (!isObject(value)) return null;
  const out: Record<string, number> = {};
  for (const [kind, version] of Object.entries(value)) {
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return null;
    out[kind] = version;
  }
  return out;
}

/** Why a text is not JSON, and where: as an editor would show it. */
function notJson(text: string): string {
  let located: ReturnType<typeof parseJsonText>;
  try {
    located = parseJsonText(text);
  } catch {
    // Nested too deeply for the parser to say where; that it is not JSON is still known.
    return 'This file is not JSON.';
  }
  if (located.ok) return 'This file is not JSON.';
  const { message, offset, line, column } = located.error;
  // Cut off: the error is at the very end, or a string runs unterminated to the end (errors in a string
  // are reported where it starts).
  const rest = text.slice(offset).trimEnd();
  if (!rest || (/^Unterminated string/.test(message) && !/[\r\n]/.test(rest))) {
    const end = lineColumn(text, text.trimEnd().length);
    return (
      `This file is cut off: the JSON ends early, at line ${end.line}, column ${end.column}. ` +
      'Export the runs again, or find the complete file.'
    );
  }
  return `This file is not JSON: ${lowerFirst(message)} at line ${line}, column ${column}.`;
}

/**
 * The JSON.stringify replacer of one run: Float32Arrays become {"$f32": …}, property names that could
 * be mistaken for one gain a "$", and any string holding the secret stops the export.
 */
function encoder(secret: string | null, runId: string) {
  const markers = new WeakSet<object>();
  return function (this: unknown, key: string, value: unknown): unknown {
    if (secret !== null && key.includes(secret)) throw new SecretInExportError(runId);
    if (typeof value === 'string') {
      // A marker's base64 is ours, not the run's; everything else is checked.
      const ours = typeof this === 'object' && this !== null && markers.has(this);
      if (secret !== null && !ours && value.includes(secret)) throw new SecretInExportError(runId);
      return value;
    }
    if (value instanceof Float32Array) {
      const marker = { [F32]: encodeFloat32(value) };
      markers.add(marker);
      return marker;
    }
    if (isObject(value) && hasDollarKey(value)) {
      // fromEntries defines properties, so a "__proto__" key stays an ordinary one.
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [ESCAPED_F32.test(k) ? `$${k}` : k, v]),
      );
    }
    return value;
  };
}

/** The JSON.parse reviver undoing {@link encoder}: markers back to Float32Arrays, escaped names back. */
function decodeValue(_key: string, value: unknown): unknown {
  if (!isObject(value) || !hasDollarKey(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === F32 && typeof value[F32] === 'string') {
    // A marker that does not decode stays as it is, and the run's schema says the vector is invalid.
    return decodeFloat32(value[F32]) ?? value;
  }
  return Object.fromEntries(keys.map((k) => [ESCAPED_F32.test(k) && k !== F32 ? k.slice(1) : k, value[k]]));
}

function hasDollarKey(value: Record<string, unknown>): boolean {
  for (const k in value) if (k.charCodeAt(0) === DOLLAR && ESCAPED_F32.test(k)) return true;
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
