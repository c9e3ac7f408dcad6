/**
 * A lint for OpenAI's strict mode: Structured Outputs (`response_format: json_schema` with
 * `strict: true`) and function tools with `strict: true`. It says, before a request is sent, what the
 * API would refuse with a 400 and how to fix it.
 *
 * Sources (read when this was written):
 * - https://developers.openai.com/api/docs/guides/structured-outputs#supported-schemas — supported
 *   types and keywords (string: pattern, format from a fixed list; number: multipleOf, maximum,
 *   exclusiveMaximum, minimum, exclusiveMinimum; array: minItems, maxItems), root must be an object
 *   and not anyOf, every property in "required", additionalProperties: false on every object, anyOf
 *   below the root, $defs and recursive $ref, the size limits (5000 properties, 10 levels of nesting,
 *   1000 enum values, 15,000 characters for a string enum of more than 250 values, 120,000 characters
 *   of names and values) and "not yet supported": allOf, not, dependentRequired, dependentSchemas,
 *   if, then, else.
 * - https://developers.openai.com/api/docs/guides/function-calling#strict-mode — the same
 *   requirements for function parameters.
 * - openai-node `src/lib/transform.ts` (`toStrictJsonSchema`, the SDK's own strict conversion):
 *   also refuses oneOf, patternProperties, propertyNames, unevaluated*, min/maxProperties,
 *   prefixItems and tuple items, additionalItems, contains, uniqueItems, $anchor/$dynamicRef, and an
 *   array without "items".
 * - The API's own 400 messages, as reported in public issues: "'default' is not permitted"
 *   (567-labs/instructor#1074), "schema must have a 'type' key" (can1357/oh-my-pi#211), "'required'
 *   is required to be supplied and to be an array including every key in properties".
 *
 * minLength and maxLength are not flagged: the page no longer lists them as unsupported (only for
 * fine-tuned models), the SDK lets them through, and a live probe got them accepted and enforced
 * (pydantic/pydantic-ai#7315). Unknown annotation keywords (title, examples, $comment…) are left
 * alone: the API does not refuse them.
 */
import type { JsonPath } from './json-text';

/**
 * What a lint issue is about:
 * - `root-object`: the schema (or function parameters) is not a `"type": "object"` schema.
 * - `root-any-of`: the root uses `anyOf`.
 * - `invalid-schema`: a place that must hold a schema (or `required`, `enum`…) holds something else.
 * - `type-missing`: a schema has no `type` (nor `anyOf`, `$ref`, `enum`, `const`).
 * - `invalid-type`: `type` names something that is not a JSON Schema type.
 * - `additional-properties`: an object without `"additionalProperties": false`.
 * - `required`: a property missing from `required`, or `required` naming an undefined property.
 * - `items-missing`: an array schema without `items`.
 * - `unsupported-keyword`: a keyword strict mode refuses (allOf, oneOf, not, default…).
 * - `unsupported-format`: a string `format` outside the supported list.
 * - `unresolved-ref`: a `$ref` that does not point to a schema inside this schema.
 * - `nesting-depth`, `too-many-properties`, `enum-size`, `string-size`: the documented size limits.
 */
export type LintRule =
  | 'root-object'
  | 'root-any-of'
  | 'invalid-schema'
  | 'type-missing'
  | 'invalid-type'
  | 'additional-properties'
  | 'required'
  | 'items-missing'
  | 'unsupported-keyword'
  | 'unsupported-format'
  | 'unresolved-ref'
  | 'nesting-depth'
  | 'too-many-properties'
  | 'enum-size'
  | 'string-size';

/** One thing strict mode would refuse, where it is, and how to fix it. */
export interface LintIssue {
  rule: LintRule;
  /** Where, inside the schema that was linted ([] = its root). May name a key that is missing (its
   * object stands in when located in the text). */
  path: JsonPath;
  /** What strict mode requires and how to fix it, naming the property. */
  message: string;
}

/** The documented size limits of a strict schema. */
export const STRICT_LIMITS = Object.freeze({
  /** Object properties in the whole schema. */
  properties: 5000,
  /** Levels of object nesting (the root object is level 1). */
  depth: 10,
  /** Enum values across all enums. */
  enumValues: 1000,
  /** A string enum with more than this many values… */
  largeEnumValues: 250,
  /** …may total at most this many characters. */
  largeEnumChars: 15_000,
  /** Property names, definition names, enum and const values together. */
  stringChars: 120_000,
});

/** The string formats strict mode supports. */
export const STRICT_STRING_FORMATS: readonly string[] = Object.freeze([
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
]);

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const FORMATS = new Set(STRICT_STRING_FORMATS);

const CHECK_IN_CODE = 'check it in your code after the call.';
const FIXED_PROPERTIES =
  'objects in strict mode have a fixed set of properties: list each one in "properties".';
const ONE_ITEMS = 'arrays take one "items" schema for every item (use an object for fixed positions).';
const USE_DEFS = 'use "$ref" with a pointer such as "#/$defs/name".';

/** Keywords strict mode refuses, with the fix to suggest. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  allOf: 'merge the subschemas into one schema.',
  oneOf: 'use "anyOf" instead.',
  not: 'describe the restriction in "description" and ' + CHECK_IN_CODE,
  if: 'conditional schemas cannot be enforced: use "anyOf" with one option per case.',
  then: 'conditional schemas cannot be enforced: use "anyOf" with one option per case.',
  else: 'conditional schemas cannot be enforced: use "anyOf" with one option per case.',
  dependentRequired: 'every property is required in strict mode anyway: remove it.',
  dependentSchemas: 'use "anyOf" with one object per case.',
  dependencies: 'every property is required in strict mode anyway: remove it.',
  patternProperties: FIXED_PROPERTIES,
  propertyNames: FIXED_PROPERTIES,
  unevaluatedProperties: FIXED_PROPERTIES,
  minProperties: FIXED_PROPERTIES,
  maxProperties: FIXED_PROPERTIES,
  prefixItems: ONE_ITEMS,
  additionalItems: ONE_ITEMS,
  unevaluatedItems: ONE_ITEMS,
  contains: CHECK_IN_CODE,
  minContains: CHECK_IN_CODE,
  maxContains: CHECK_IN_CODE,
  uniqueItems: CHECK_IN_CODE,
  $anchor: USE_DEFS,
  $dynamicAnchor: USE_DEFS,
  $dynamicRef: USE_DEFS,
  $recursiveAnchor: USE_DEFS,
  $recursiveRef: USE_DEFS,
  contentEncoding: 'remove it.',
  contentMediaType: 'remove it.',
  contentSchema: 'remove it.',
  default:
    'remove it (every property is required, so the model always gives a value; mention the default in "description").',
};

type Schema = Record<string, unknown>;

interface Context {
  root: Schema;
  rootLabel: string;
  issues: LintIssue[];
  properties: number;
  enumValues: number;
  stringChars: number;
}

const isRecord = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasOwn = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);

/**
 * Lists what OpenAI's strict mode would refuse in a schema: function `parameters` (`root:
 * 'parameters'`) or a `response_format` JSON schema (`root: 'response'`). Issues come in document
 * order (a schema's own issues, then its keywords in the order they are written; the size limits
 * last). Anything that is not an object yields one root issue; nothing throws.
 */
export function lintStrictSchema(schema: unknown, options: { root: 'parameters' | 'response' }): LintIssue[] {
  const parameters = options.root === 'parameters';
  if (!isRecord(schema)) {
    return [
      {
        rule: 'root-object',
        path: [],
        message: parameters
          ? `Function parameters must be a JSON Schema object such as {"type": "object", "properties": {…}}; got ${preview(schema)}.`
          : `A structured output schema must be a JSON Schema object such as {"type": "object", "properties": {…}}; got ${preview(schema)}.`,
      },
    ];
  }
  const ctx: Context = {
    root: schema,
    rootLabel: parameters ? 'the parameters object' : 'the root schema',
    issues: [],
    properties: 0,
    enumValues: 0,
    stringChars: 0,
  };
  const what = parameters ? 'Function parameters' : 'The root of a structured output schema';
  if (hasOwn(schema, 'anyOf')) {
    ctx.issues.push({
      rule: 'root-any-of',
      path: ['anyOf'],
      message: `${what} must be an object, not "anyOf": make the root {"type": "object"} and put the union in a property, e.g. "properties": {"result": {"anyOf": […]}}.`,
    });
  } else if (!isObjectType(schema.type)) {
    ctx.issues.push({
      rule: 'root-object',
      path: ['type'],
      message:
        schema.type === undefined
          ? `${what} must say "type": "object".`
          : `${what} must be "type": "object", not ${JSON.stringify(schema.type)}: wrap other values in a property of an object.`,
    });
  }
  walk(schema, [], 0, false, ctx);
  limits(ctx);
  return ctx.issues;
}

function isObjectType(type: unknown): boolean {
  return type === 'object' || (Array.isArray(type) && type.length === 1 && type[0] === 'object');
}

/** The types a `type` keyword names, or null when it is not a string or an array of strings. */
function typeList(type: unknown): string[] | null {
  if (typeof type === 'string') return [type];
  if (Array.isArray(type) && type.length > 0 && type.every((t) => typeof t === 'string')) return type;
  return null;
}

/**
 * @param depth how many object schemas enclose this one
 * @param depthReported whether an enclosing object already reported the nesting limit
 */
function walk(node: unknown, path: JsonPath, depth: number, depthReported: boolean, ctx: Context): void {
  const issue = (rule: LintRule, at: JsonPath, message: string) =>
    ctx.issues.push({ rule, path: at, message });
  const where = describe(path, ctx.rootLabel);

  if (!isRecord(node)) {
    issue(
      'invalid-schema',
      path,
      `Every schema in strict mode must be an object such as {"type": "string"}; ${where} is ${preview(node)}.`,
    );
    return;
  }

  const types = node.type === undefined ? [] : typeList(node.type);
  if (types === null || types.some((t) => !TYPES.has(t))) {
    const bad = types?.find((t) => !TYPES.has(t));
    issue(
      'invalid-type',
      [...path, 'type'],
      `${bad === undefined ? JSON.stringify(node.type) : JSON.stringify(bad)} is not a JSON Schema type: use "string", "number", "integer", "boolean", "object", "array" or "null".`,
    );
  }
  const typeless = node.type === undefined;
  const isObject =
    (types?.includes('object') ?? false) ||
    (typeless &&
      (hasOwn(node, 'properties') || hasOwn(node, 'required') || hasOwn(node, 'additionalProperties')));
  const isArray = (types?.includes('array') ?? false) || (typeless && hasOwn(node, 'items'));

  // The root's missing type is the root-object issue already; an allOf or oneOf is reported as
  // unsupported, and its fix (one merged schema, or anyOf) may not need a type.
  const typed = ['anyOf', '$ref', 'enum', 'const', 'allOf', 'oneOf'].some((k) => hasOwn(node, k));
  if (typeless && path.length > 0 && !typed) {
    issue(
      'type-missing',
      path,
      `Strict mode needs a "type" on every schema (or "anyOf", "$ref", "enum"): add one to ${where}, e.g. "type": "${isObject ? 'object' : isArray ? 'array' : 'string'}".`,
    );
  }

  let level = depth;
  let reported = depthReported;
  if (isObject) {
    level = depth + 1;
    if (level > STRICT_LIMITS.depth && !reported) {
      reported = true;
      issue(
        'nesting-depth',
        path,
        `Strict mode allows up to ${STRICT_LIMITS.depth} levels of object nesting; ${where} is at level ${level}: flatten the structure.`,
      );
    }
    objectRules(node, path, where, issue);
  }

  if (isArray && !hasOwn(node, 'items')) {
    issue(
      'items-missing',
      path,
      `Strict mode needs "items" on every array: add "items" to ${where}, e.g. "items": {"type": "string"}.`,
    );
  }

  if (typeof node.format === 'string' && !FORMATS.has(node.format)) {
    issue(
      'unsupported-format',
      [...path, 'format'],
      `Strict mode supports the formats ${STRICT_STRING_FORMATS.join(', ')}; "${node.format}" is not one of them: remove it (a "pattern" can check the shape instead).`,
    );
  }

  if (hasOwn(node, '$ref')) refRule(node.$ref, [...path, '$ref'], ctx);

  for (const key of Object.keys(node)) {
    const value = node[key];
    const at = [...path, key];
    const fix = UNSUPPORTED[key];
    if (fix !== undefined && hasOwn(UNSUPPORTED, key)) {
      issue('unsupported-keyword', at, `Strict mode does not support "${key}": ${fix}`);
      continue;
    }
    switch (key) {
      case 'properties':
        if (!isRecord(value)) {
          issue('invalid-schema', at, `"properties" must be an object mapping each name to its schema.`);
          break;
        }
        for (const [name, child] of Object.entries(value)) {
          ctx.properties++;
          ctx.stringChars += name.length;
          walk(child, [...at, name], level, reported, ctx);
        }
        break;
      case 'items':
        if (Array.isArray(value))
          issue(
            'unsupported-keyword',
            at,
            `Strict mode does not support tuple "items" (an array of schemas): ${ONE_ITEMS}`,
          );
        else walk(value, at, level, reported, ctx);
        break;
      case 'anyOf':
        if (!Array.isArray(value) || value.length === 0) {
          issue('invalid-schema', at, `"anyOf" must be a non-empty array of schemas.`);
          break;
        }
        value.forEach((option, i) => walk(option, [...at, i], level, reported, ctx));
        break;
      case '$defs':
      case 'definitions':
        if (!isRecord(value)) {
          issue('invalid-schema', at, `"${key}" must be an object mapping each name to its schema.`);
          break;
        }
        // Definitions are only reached through $ref, so their nesting depth cannot be known here.
        for (const [name, child] of Object.entries(value)) {
          ctx.stringChars += name.length;
          walk(child, [...at, name], 0, false, ctx);
        }
        break;
      case 'enum':
        enumRule(value, at, ctx);
        break;
      case 'const':
        ctx.stringChars += literalLength(value);
        break;
    }
  }
}

function objectRules(
  node: Schema,
  path: JsonPath,
  where: string,
  issue: (rule: LintRule, at: JsonPath, message: string) => void,
): void {
  if (!hasOwn(node, 'additionalProperties')) {
    issue(
      'additional-properties',
      [...path, 'additionalProperties'],
      `Strict mode needs "additionalProperties": false on every object: add it to ${where}.`,
    );
  } else if (node.additionalProperties !== false) {
    issue(
      'additional-properties',
      [...path, 'additionalProperties'],
      `Strict mode needs "additionalProperties": false on every object; ${where} has ${preview(node.additionalProperties)}: set it to false and list each property in "properties".`,
    );
  }

  const properties = isRecord(node.properties) ? node.properties : null;
  const required = node.required;
  if (required !== undefined && !(Array.isArray(required) && required.every((k) => typeof k === 'string'))) {
    issue('invalid-schema', [...path, 'required'], `"required" must be an array of property names.`);
    return;
  }
  const listed = new Set<string>(required ?? []);
  const into = path.length === 0 ? '' : ` to the "required" of ${where}`;
  if (properties) {
    for (const [name, schema] of Object.entries(properties)) {
      if (listed.has(name)) continue;
      issue(
        'required',
        [...path, 'properties', name],
        `Strict mode needs every property listed in "required": add "${name}"${into} (${optionalHint(schema)}).`,
      );
    }
  }
  (required ?? []).forEach((name, i) => {
    if (properties && hasOwn(properties, name)) return;
    issue(
      'required',
      [...path, 'required', i],
      `"required" lists "${name}" but ${where} has no such property: remove it from "required" or define it in "properties".`,
    );
  });
}

/** How to keep a property optional once it is required: a union with null. */
function optionalHint(schema: unknown): string {
  if (!isRecord(schema)) return 'to keep it optional, let it be null';
  const type = schema.type;
  const enumNote = Array.isArray(schema.enum) && !schema.enum.includes(null) ? ' and null in its "enum"' : '';
  if (typeof type === 'string' && type !== 'null')
    return `make it optional with "type": ["${type}", "null"]${enumNote}`;
  if (Array.isArray(type) && !type.includes('null'))
    return `make it optional with "type": ${JSON.stringify([...type, 'null'])}${enumNote}`;
  if (Array.isArray(type) || type === 'null')
    return 'it already accepts null, so the model can still leave it empty';
  return 'make it optional by adding {"type": "null"} to an "anyOf"';
}

function refRule(ref: unknown, at: JsonPath, ctx: Context): void {
  if (typeof ref !== 'string') {
    ctx.issues.push({
      rule: 'unresolved-ref',
      path: at,
      message: `"$ref" must be a string such as "#/$defs/name".`,
    });
    return;
  }
  if (!ref.startsWith('#')) {
    ctx.issues.push({
      rule: 'unresolved-ref',
      path: at,
      message: `Strict mode only follows references inside the schema ("#" or "#/$defs/name"); "${ref}" points outside it: copy the definition into "$defs".`,
    });
    return;
  }
  if (resolvePointer(ctx.root, ref) === undefined) {
    ctx.issues.push({
      rule: 'unresolved-ref',
      path: at,
      message: `"$ref": "${ref}" does not point to a schema in this document: define it (e.g. under "$defs") or fix the pointer.`,
    });
  }
}

/** The schema a local `$ref` ("#" or a "#/…" JSON pointer) points to, or undefined. */
function resolvePointer(root: Schema, ref: string): Schema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined; // a malformed %-escape is a pointer to nowhere, which the caller reports
  }
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^(0|[1-9]\d*)$/.test(segment)) current = current[Number(segment)];
    else if (isRecord(current) && hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return isRecord(current) ? current : undefined;
}

function enumRule(values: unknown, at: JsonPath, ctx: Context): void {
  if (!Array.isArray(values) || values.length === 0) {
    ctx.issues.push({
      rule: 'invalid-schema',
      path: at,
      message: `"enum" must be a non-empty array of values.`,
    });
    return;
  }
  ctx.enumValues += values.length;
  let chars = 0;
  for (const value of values) chars += literalLength(value);
  ctx.stringChars += chars;
  const strings = values.every((v) => typeof v === 'string');
  if (strings && values.length > STRICT_LIMITS.largeEnumValues && chars > STRICT_LIMITS.largeEnumChars) {
    ctx.issues.push({
      rule: 'enum-size',
      path: at,
      message: `This enum has ${values.length} values totalling ${chars} characters; with more than ${STRICT_LIMITS.largeEnumValues} values strict mode allows at most ${STRICT_LIMITS.largeEnumChars.toLocaleString('en-US')} characters: shorten or split it.`,
    });
  }
}

function literalLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  return JSON.stringify(value)?.length ?? 0;
}

function limits(ctx: Context): void {
  const n = (x: number) => x.toLocaleString('en-US');
  if (ctx.properties > STRICT_LIMITS.properties) {
    ctx.issues.push({
      rule: 'too-many-properties',
      path: [],
      message: `Strict mode allows up to ${n(STRICT_LIMITS.properties)} object properties in a schema; this one has ${n(ctx.properties)}.`,
    });
  }
  if (ctx.enumValues > STRICT_LIMITS.enumValues) {
    ctx.issues.push({
      rule: 'enum-size',
      path: [],
      message: `Strict mode allows up to ${n(STRICT_LIMITS.enumValues)} enum values across a schema; this one has ${n(ctx.enumValues)}.`,
    });
  }
  if (ctx.stringChars > STRICT_LIMITS.stringChars) {
    ctx.issues.push({
      rule: 'string-size',
      path: [],
      message: `Property names, definition names, enum and const values may total at most ${n(STRICT_LIMITS.stringChars)} characters in strict mode; this schema has ${n(ctx.stringChars)}.`,
    });
  }
}

/** A short human name for the schema at a path, for messages. */
function describe(path: JsonPath, rootLabel: string): string {
  if (path.length === 0) return rootLabel;
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (parent === 'properties' && typeof last === 'string') return `property "${last}"`;
  if ((parent === '$defs' || parent === 'definitions') && typeof last === 'string')
    return `definition "${last}"`;
  if (last === 'items') return `the items of ${describe(path.slice(0, -1), rootLabel)}`;
  if (parent === 'anyOf' && typeof last === 'number')
    return `option ${last + 1} of the "anyOf" in ${describe(path.slice(0, -2), rootLabel)}`;
  return `"${path.join('.')}"`;
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
