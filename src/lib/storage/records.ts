import * as v from 'valibot';

/**
 * A kind of record Sandpit stores: its key prefix, its current schema version, the schema every
 * read is validated against, and the migrations that bring an older record up to date.
 */
export interface RecordType<T> {
  /** Key prefix, e.g. `settings`; a record's key is `${kind}:${id}`. */
  readonly kind: string;
  /** Current schema version; records are written with it. */
  readonly version: number;
  readonly schema: v.GenericSchema<unknown, T>;
  /** `migrations[n]` turns the data of version n into version n + 1. */
  readonly migrations: Readonly<Record<number, (data: unknown) => unknown>>;
  /** Saving this kind counts as the user having saved something (storage persistence is requested). */
  readonly userContent: boolean;
}

/** Declares a record type; see {@link RecordType}. */
export function defineRecord<T>(def: {
  kind: string;
  version: number;
  schema: v.GenericSchema<unknown, T>;
  migrations?: Record<number, (data: unknown) => unknown>;
  userContent?: boolean;
}): RecordType<T> {
  if (!/^[a-z][a-z0-9-]*$/.test(def.kind)) throw new Error(`Invalid record kind "${def.kind}"`);
  for (let n = 1; n < def.version; n++) {
    if (!def.migrations?.[n])
      throw new Error(`Record kind "${def.kind}" lacks the migration from version ${n}`);
  }
  return { migrations: {}, userContent: false, ...def };
}

/** What is stored in IndexedDB for every record. */
export interface Envelope {
  kind: string;
  v: number;
  savedAt: number;
  data: unknown;
}

const envelopeSchema = v.object({
  kind: v.string(),
  v: v.pipe(v.number(), v.integer(), v.minValue(1)),
  savedAt: v.number(),
  data: v.unknown(),
});

/** The key under which a record is stored. */
export function recordKey(type: RecordType<unknown>, id: string): string {
  return `${type.kind}:${id}`;
}

/** Wraps data for storage, after checking it against the schema so nothing invalid is ever written. */
export function seal<T>(type: RecordType<T>, data: T, now = Date.now()): Envelope {
  const checked = v.safeParse(type.schema, data);
  if (!checked.success) {
    throw new TypeError(`Refusing to save an invalid ${type.kind} record: ${describeIssues(checked.issues)}`);
  }
  return { kind: type.kind, v: type.version, savedAt: now, data: checked.output };
}

export type OpenResult<T> =
  { ok: true; data: T; savedAt: number; migratedFrom: number | null } | { ok: false; reason: string };

/**
 * Reads a stored value back: checks the envelope, runs the migrations from its version up to the
 * current one, then validates. Never throws: a record that cannot be read comes back with the reason.
 */
export function open<T>(type: RecordType<T>, stored: unknown): OpenResult<T> {
  const envelope = v.safeParse(envelopeSchema, stored);
  if (!envelope.success) return { ok: false, reason: 'it is not a Sandpit record' };
  const { kind, v: version, savedAt } = envelope.output;
  if (kind !== type.kind) return { ok: false, reason: `it is a ${kind} record, not ${type.kind}` };
  if (version > type.version) {
    return { ok: false, reason: `it was saved by a newer version of Sandpit (schema ${version})` };
  }
  let data = envelope.output.data;
  for (let n = version; n < type.version; n++) {
    try {
      data = type.migrations[n]!(data);
    } catch (err) {
      return { ok: false, reason: `it could not be upgraded from schema ${n}: ${String(err)}` };
    }
  }
  const checked = v.safeParse(type.schema, data);
  if (!checked.success) return { ok: false, reason: describeIssues(checked.issues) };
  return { ok: true, data: checked.output, savedAt, migratedFrom: version < type.version ? version : null };
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
