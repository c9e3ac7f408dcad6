/**
 * Checks a value against a JSON Schema (draft 2020-12) with @cfworker/json-schema, which needs no
 * `eval` (the page's CSP forbids it, which rules out Ajv), and turns its output into a short list of
 * errors a person can read: the most specific failures, each at the place in the value it concerns.
 */
import { dereference, validate, type OutputUnit, type Schema } from '@cfworker/json-schema';
import { formatPath, parseJsonText, type JsonPath, type JsonTextResult } from './json-text';

/** One way a value breaks its schema. */
export interface SchemaError {
  /** Where in the value ([] = the value itself). */
  path: JsonPath;
  /** The JSON Schema keyword that failed (`type`, `enum`, `required`…), or `schema` when the schema
   * itself cannot be used. */
  keyword: string;
  /** A sentence naming the place, e.g. `"unit" must be one of "celsius", "fahrenheit"`. */
  message: string;
}

/** The outcome of a validation. */
export type Validation = { valid: true } | { valid: false; errors: SchemaError[] };

interface Compiled {
  schema: Schema | boolean;
  lookup: Record<string, Schema | boolean>;
}

// A schema is compiled (cloned and dereferenced) once per schema object; re-validating on every
// keystroke of the arguments then costs only the validation itself.
const compiled = new WeakMap<object, Compiled | SchemaError>();

/**
 * Validates a value against a JSON Schema (draft 2020-12), listing every failure (no short circuit)
 * but keeping only the most specific: wrappers such as "property x does not match" are dropped when
 * the failure inside them is listed, and an `anyOf` reports the branch the value was meant for.
 * A schema that cannot be used (not an object or boolean, a `$ref` that does not resolve, a bad
 * `pattern`) gives one error with keyword `schema`. Never throws. The compiled schema is cached per
 * schema object, so a schema must not be changed in place once it has been used (parse a new one).
 */
export function validateValue(schema: unknown, value: unknown): Validation {
  const ready = compile(schema);
  if (!('lookup' in ready)) return { valid: false, errors: [ready] };
  if (value === undefined)
    return { valid: false, errors: [{ path: [], keyword: 'type', message: 'There is no value to check' }] };
  let units: OutputUnit[];
  try {
    units = validate(value, ready.schema, '2020-12', ready.lookup, false).errors;
  } catch (err) {
    // cfworker throws for what it cannot evaluate, such as a "pattern" that is not a valid regex.
    return { valid: false, errors: [schemaError(err instanceof Error ? err.message : String(err))] };
  }
  if (units.length === 0) return { valid: true };
  const errors = simplify(units, value, ready);
  return errors.length > 0 ? { valid: false, errors } : { valid: true };
}

function schemaError(why: string): SchemaError {
  return { path: [], keyword: 'schema', message: `The schema cannot be used: ${why}` };
}

function compile(schema: unknown): Compiled | SchemaError {
  if (typeof schema === 'boolean') return { schema, lookup: dereference(schema) };
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return schemaError(`a JSON Schema is an object (or true/false), not ${describeType(schema)}.`);
  const cached = compiled.get(schema);
  if (cached) return cached;
  let result: Compiled | SchemaError;
  try {
    // cfworker annotates the schema objects it dereferences; a clone keeps the caller's untouched.
    const copy = structuredClone(schema) as Schema;
    const lookup = dereference(copy);
    const missing = unresolvedRef(copy, lookup);
    result = missing
      ? schemaError(`"$ref": "${missing}" does not point to a schema inside it.`)
      : { schema: copy, lookup };
  } catch (err) {
    result = schemaError(err instanceof Error ? err.message : String(err));
  }
  compiled.set(schema, result);
  return result;
}

/** The first `$ref` whose target is not in the lookup (cfworker would only throw on reaching it). */
function unresolvedRef(
  schema: unknown,
  lookup: Record<string, unknown>,
  seen = new Set<object>(),
): string | null {
  if (typeof schema !== 'object' || schema === null || seen.has(schema)) return null;
  seen.add(schema);
  const node = schema as Schema;
  if (typeof node.$ref === 'string') {
    const target = node.__absolute_ref__ ?? node.$ref;
    if (lookup[target] === undefined) return node.$ref;
  }
  for (const [key, child] of Object.entries(node)) {
    // Literal values are data, not schemas: a "$ref" inside an enum is not a reference.
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue;
    const found = unresolvedRef(child, lookup, seen);
    if (found) return found;
  }
  return null;
}

/** What checking a tool call's arguments found: the parse, then the validation (null when the
 * arguments are not JSON or the tool has no parameters schema). */
export interface ArgumentsCheck {
  json: JsonTextResult;
  validation: Validation | null;
}

/**
 * Checks a tool call's `arguments` string: it must be JSON, and when the tool's `parameters` schema
 * is known the value must match it.
 */
export function checkArguments(argumentsText: string, parameters: unknown): ArgumentsCheck {
  const json = parseJsonText(argumentsText);
  if (!json.ok || parameters === undefined) return { json, validation: null };
  return { json, validation: validateValue(parameters, json.value) };
}

// ---------------------------------------------------------------------------------------------
// From cfworker's output units to readable errors.

interface Unit extends OutputUnit {
  path: JsonPath;
}

/** Keyword locations run through `$ref`s; following them the same way finds the keyword's value. */
function keywordValue(ready: Compiled, keywordLocation: string): unknown {
  let current: unknown = ready.schema;
  for (const raw of keywordLocation.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const segment = decodeSegment(raw);
    if (typeof current !== 'object' || current === null) return undefined;
    const node = current as Schema;
    if (segment === '$ref' && typeof node.$ref === 'string') {
      current = ready.lookup[node.__absolute_ref__ ?? node.$ref];
      continue;
    }
    current = (node as Record<string, unknown>)[segment];
  }
  return current;
}

function decodeSegment(raw: string): string {
  let text = raw;
  try {
    text = decodeURIComponent(raw);
  } catch {
    // cfworker encodes with encodeURI, so this only fails on a key that itself held a stray "%".
  }
  return text.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** An instance location ("#/a/0") as a path; indices become numbers where the value is an array. */
function instancePath(location: string, value: unknown): JsonPath {
  const path: (string | number)[] = [];
  let current = value;
  for (const raw of location.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const segment = decodeSegment(raw);
    if (Array.isArray(current)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current =
        typeof current === 'object' && current !== null
          ? (current as Record<string, unknown>)[segment]
          : undefined;
    }
  }
  return path;
}

const inside = (child: Unit, parent: Unit) => child.keywordLocation.startsWith(parent.keywordLocation + '/');

/** A failure that only says a failure happened below it. */
const WRAPPERS = new Set([
  '$ref',
  '$recursiveRef',
  'properties',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
  'contains',
  'allOf',
  'dependentSchemas',
  'dependencies',
  'propertyNames',
]);

function simplify(output: OutputUnit[], value: unknown, ready: Compiled): SchemaError[] {
  let units: Unit[] = output.map((u) => ({ ...u, path: instancePath(u.instanceLocation, value) }));
  const errors = new Map<Unit, SchemaError>();

  // "additionalProperties": false reports the extra property as a failed `false` schema whose
  // keyword location is (oddly) the instance location; pair it with its wrapper.
  for (const unit of units) {
    if (unit.keyword !== 'false') continue;
    const parent = unit.path.slice(0, -1);
    const wrapper = units.find(
      (u) =>
        (u.keyword === 'additionalProperties' || u.keyword === 'unevaluatedProperties') &&
        samePath(u.path, parent) &&
        u.error.includes(JSON.stringify(String(unit.path.at(-1)))),
    );
    const name = String(unit.path.at(-1));
    errors.set(unit, {
      path: unit.path,
      keyword: wrapper ? wrapper.keyword : 'false',
      message: wrapper
        ? `unexpected property "${name}"${parent.length ? ` in ${subject(parent)}` : ''}`
        : `${capital(subject(unit.path))} is not allowed here`,
    });
    if (wrapper) {
      // Re-home the failure under its wrapper, so an anyOf below counts it in the right option.
      unit.keywordLocation = `${wrapper.keywordLocation}/false`;
      units = units.filter((u) => u !== wrapper);
    }
  }

  // anyOf / oneOf: outermost first, either keep the one option the value was meant for (the others
  // failed on their type alone, or failed more) or keep the combinator alone with a summary.
  const combinators = units
    .filter((u) => u.keyword === 'anyOf' || u.keyword === 'oneOf')
    .sort((a, b) => a.keywordLocation.length - b.keywordLocation.length);
  for (const combinator of combinators) {
    if (!units.includes(combinator)) continue;
    const children = units.filter((u) => inside(u, combinator));
    const branches = new Map<string, Unit[]>();
    for (const child of children) {
      const index = child.keywordLocation.slice(combinator.keywordLocation.length + 1).split('/')[0]!;
      branches.set(index, [...(branches.get(index) ?? []), child]);
    }
    const typeOnly = (list: Unit[]) =>
      list.every(
        (u) => (u.keyword === 'type' || WRAPPERS.has(u.keyword)) && samePath(u.path, combinator.path),
      );
    const meant = [...branches.values()].filter((list) => !typeOnly(list));
    // Among the options of the right type, the one with the fewest failures is the closest.
    const fewest = Math.min(...meant.map((list) => list.length));
    const closest = meant.filter((list) => list.length === fewest);
    if (closest.length === 1) {
      const keep = new Set(closest[0]);
      units = units.filter((u) => u !== combinator && (!children.includes(u) || keep.has(u)));
    } else {
      units = units.filter((u) => !children.includes(u));
      errors.set(combinator, {
        path: combinator.path,
        keyword: combinator.keyword,
        message: combinatorMessage(combinator, branches, ready),
      });
    }
  }

  // Drop wrappers whose specific failure is listed below them.
  units = units.filter(
    (u) => !(WRAPPERS.has(u.keyword) && units.some((other) => other !== u && inside(other, u))),
  );

  const out: SchemaError[] = [];
  const seen = new Set<string>();
  for (const unit of units) {
    const error = errors.get(unit) ?? {
      path: unit.path,
      keyword: unit.keyword,
      message: message(unit, keywordValue(ready, unit.keywordLocation)),
    };
    const key = `${formatPath(error.path)} ${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(error);
  }
  return out;
}

function samePath(a: JsonPath, b: JsonPath): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

function combinatorMessage(combinator: Unit, branches: Map<string, Unit[]>, ready: Compiled): string {
  const who = capital(subject(combinator.path));
  if (combinator.keyword === 'oneOf' && branches.size === 0) {
    const matches = /\((\d+) matches\)/.exec(combinator.error)?.[1];
    return `${who} must match exactly one of the "oneOf" options${matches ? ` (it matches ${matches})` : ''}`;
  }
  // Every branch failed on its type alone: say which types would do.
  const wanted: string[] = [];
  for (const list of branches.values()) {
    for (const unit of list) {
      if (unit.keyword !== 'type') continue;
      for (const t of toList(keywordValue(ready, unit.keywordLocation)))
        if (!wanted.includes(t)) wanted.push(t);
    }
  }
  const allType = [...branches.values()].every((list) =>
    list.every((u) => u.keyword === 'type' || WRAPPERS.has(u.keyword)),
  );
  if (allType && wanted.length > 0) return `${who} must be ${typeWords(wanted)}`;
  return `${who} does not match any of the ${branches.size || ''} allowed options ("${combinator.keyword}")`.replace(
    '  ',
    ' ',
  );
}

function toList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeWords(types: string[]): string {
  if (types.length === 1 && types[0] === 'boolean') return 'true or false';
  const words = types.map((t) => (t === 'boolean' ? 'a boolean' : (ARTICLE[t] ?? t)));
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  return ARTICLE[typeof value] ?? typeof value;
}

/** How a place in the value is named in messages: "the value", or its path in quotes. */
function subject(path: JsonPath): string {
  if (path.length === 0) return 'the value';
  const text = formatPath(path).replace(/^\$\.?/, '');
  // A key that needed quoting (["a b"]) reads better inside single quotes.
  return text.includes('"') ? `'${text}'` : `"${text}"`;
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function list(values: unknown, max = 10): string {
  const all = Array.isArray(values) ? values : [];
  const shown = all.slice(0, max).map((v) => JSON.stringify(v));
  return all.length > max ? `${shown.join(', ')}, … (${all.length} in all)` : shown.join(', ');
}

function message(unit: Unit, expected: unknown): string {
  const who = capital(subject(unit.path));
  switch (unit.keyword) {
    case 'type': {
      const got = /Instance type "(\w+)"/.exec(unit.error)?.[1];
      return `${who} must be ${typeWords(toList(expected))}${got ? ` (got ${ARTICLE[got] ?? got})` : ''}`;
    }
    case 'enum':
      return Array.isArray(expected) && expected.length === 1
        ? `${who} must be ${JSON.stringify(expected[0])}`
        : `${who} must be one of ${list(expected)}`;
    case 'const':
      return `${who} must be ${JSON.stringify(expected)}`;
    case 'required': {
      const name = /property "(.*)"\.$/.exec(unit.error)?.[1] ?? '?';
      return unit.path.length === 0
        ? `missing required property "${name}"`
        : `${who} is missing required property "${name}"`;
    }
    case 'minimum':
      return `${who} must be at least ${String(expected)}`;
    case 'maximum':
      return `${who} must be at most ${String(expected)}`;
    case 'exclusiveMinimum':
      return `${who} must be greater than ${String(expected)}`;
    case 'exclusiveMaximum':
      return `${who} must be less than ${String(expected)}`;
    case 'multipleOf':
      return `${who} must be a multiple of ${String(expected)}`;
    case 'minLength':
      return `${who} must be at least ${String(expected)} character${expected === 1 ? '' : 's'} long`;
    case 'maxLength':
      return `${who} must be at most ${String(expected)} character${expected === 1 ? '' : 's'} long`;
    case 'pattern':
      return `${who} must match ${String(expected)}`;
    case 'format':
      return `${who} must be a valid ${String(expected)}`;
    case 'minItems':
      return `${who} must have at least ${String(expected)} item${expected === 1 ? '' : 's'}`;
    case 'maxItems':
      return `${who} must have at most ${String(expected)} item${expected === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return `${who} must not contain duplicate items`;
    case 'minProperties':
      return `${who} must have at least ${String(expected)} propert${expected === 1 ? 'y' : 'ies'}`;
    case 'maxProperties':
      return `${who} must have at most ${String(expected)} propert${expected === 1 ? 'y' : 'ies'}`;
    case 'not':
      return `${who} must not match the "not" schema`;
    case 'if':
      return `${who} does not meet the ${unit.error.includes('"else"') ? '"else"' : '"then"'} condition`;
    case 'dependentRequired':
    case 'dependencies': {
      const pair = /has "(.*)" but does not have "(.*)"/.exec(unit.error);
      if (pair) return `${who} has "${pair[1]}", so it also needs "${pair[2]}"`;
      return `${who}: ${unit.error}`;
    }
    default:
      return `${who}: ${unit.error}`;
  }
}
