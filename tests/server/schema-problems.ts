import type { ErrorObject } from 'ajv/dist/2020';

/** What the API would say about the first problem of a request body. */
export interface SchemaProblem {
  message: string;
  param: string | null;
  code: string | null;
}

/** A JSON Schema node. */
export type JsonObject = { [key: string]: unknown };

/** Narrows to a plain object (not an array, not null). */
export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema a `$ref` into `$defs` points at, or the schema itself when it is not a ref. */
export function resolveDef(defs: JsonObject, schema: unknown): JsonObject | undefined {
  if (!isObject(schema)) return undefined;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/$defs/')) {
    const target = defs[schema.$ref.slice('#/$defs/'.length)];
    return isObject(target) ? target : undefined;
  }
  return schema;
}

/** `messages[0].content` from `/messages/0/content`, the way the API names parameters. */
function paramName(segments: string[]): string {
  return segments.reduce(
    (name, segment) =>
      /^\d+$/.test(segment) ? `${name}[${segment}]` : name ? `${name}.${segment}` : segment,
    '',
  );
}

function pathSegments(error: ErrorObject): string[] {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  const extra =
    error.keyword === 'required'
      ? params.missingProperty
      : error.keyword === 'additionalProperties'
        ? params.additionalProperty
        : error.keyword === 'unevaluatedProperties'
          ? params.unevaluatedProperty
          : error.keyword === 'discriminator'
            ? params.tag
            : undefined;
  return typeof extra === 'string' ? [...segments, extra] : segments;
}

const COMBINATORS = new Set(['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else']);
const UNKNOWN_PROPERTY = new Set(['additionalProperties', 'unevaluatedProperties']);

/** An enum error on a `type`/`role` tag only says the data belongs to another branch of a union. */
function isTagMismatch(error: ErrorObject): boolean {
  return (error.keyword === 'enum' || error.keyword === 'const') && /\/(type|role)$/.test(error.instancePath);
}

/**
 * A `required` or unknown-property error of a union branch whose tag differs from the data's
 * (the image part asking a text part for `image_url`) is noise; Ajv's schema paths cannot tell
 * branches apart once refs are inlined, so the branch's own tag is read from its schema.
 */
function isFromOtherBranch(error: ErrorObject): boolean {
  if (error.keyword !== 'required' && !UNKNOWN_PROPERTY.has(error.keyword)) return false;
  const schema = error.parentSchema;
  const data: unknown = error.data;
  if (!isObject(schema) || !isObject(schema.properties) || !isObject(data)) return false;
  const properties = schema.properties;
  return ['type', 'role'].some((tag) => {
    const property = properties[tag];
    const value = data[tag];
    if (!isObject(property) || typeof value !== 'string') return false;
    const allowed = Array.isArray(property.enum)
      ? property.enum
      : 'const' in property
        ? [property.const]
        : null;
    return allowed !== null && !allowed.includes(value);
  });
}

function priority(error: ErrorObject): number {
  if (isTagMismatch(error)) return 9;
  if (UNKNOWN_PROPERTY.has(error.keyword)) return 0;
  if (error.keyword === 'required' || error.keyword === 'discriminator') return 1;
  if (error.keyword === 'type') return 8;
  return 5;
}

/** Picks the error the API would report: the deepest one, preferring branches whose tag matches the data. */
function pickError(errors: ErrorObject[]): { chosen: ErrorObject; peers: ErrorObject[] } | undefined {
  const candidates = errors.filter((error) => !COMBINATORS.has(error.keyword) && !isFromOtherBranch(error));
  let chosen: ErrorObject | undefined;
  for (const error of candidates) {
    const depth = chosen ? pathSegments(error).length - pathSegments(chosen).length : 1;
    if (!chosen || depth > 0 || (depth === 0 && priority(error) < priority(chosen))) chosen = error;
  }
  if (!chosen) return undefined;
  const where = pathSegments(chosen).join('/');
  const keyword = chosen.keyword;
  const peers = candidates.filter((e) => e.keyword === keyword && pathSegments(e).join('/') === where);
  return { chosen, peers };
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a decimal',
  integer: 'an integer',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return TYPE_NAMES[typeof value] ?? typeof value;
}

function listValues(values: unknown[]): string {
  const quoted = values.map((v) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v)));
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}

function numberKind(error: ErrorObject): string {
  const schema = error.parentSchema as JsonObject | undefined;
  return schema?.type === 'integer' ? 'integer' : 'decimal';
}

/** Words a schema violation the way the API words the same mistake. */
function describeProblem(chosen: ErrorObject, peers: ErrorObject[], defs: JsonObject): SchemaProblem {
  const segments = pathSegments(chosen);
  const param = paramName(segments);
  const params = chosen.params as Record<string, unknown>;
  const data = chosen.data;
  switch (chosen.keyword) {
    case 'unevaluatedProperties':
    case 'additionalProperties':
      return segments.length === 1
        ? { message: `Unrecognized request argument supplied: ${param}`, param: null, code: null }
        : { message: `Unknown parameter: '${param}'.`, param, code: 'unknown_parameter' };
    case 'required':
      return {
        message: `Missing required parameter: '${param}'.`,
        param,
        code: 'missing_required_parameter',
      };
    case 'discriminator': {
      if (params.error === 'tag' && params.tagValue === undefined) {
        return {
          message: `Missing required parameter: '${param}'.`,
          param,
          code: 'missing_required_parameter',
        };
      }
      if (typeof params.tagValue !== 'string') {
        return {
          message: `Invalid type for '${param}': expected a string, but got ${describeValue(params.tagValue)} instead.`,
          param,
          code: 'invalid_type',
        };
      }
      const parent = chosen.parentSchema as JsonObject | undefined;
      const branches = Array.isArray(parent?.oneOf) ? parent.oneOf : [];
      const allowed = branches.flatMap((branch) => {
        const property = resolveDef(defs, branch)?.properties;
        const tag = isObject(property) ? property[String(params.tag)] : undefined;
        return isObject(tag) && Array.isArray(tag.enum) ? tag.enum : [];
      });
      return {
        message: `Invalid value: '${params.tagValue}'. Supported values are: ${listValues(allowed)}.`,
        param,
        code: 'invalid_value',
      };
    }
    case 'type': {
      const expected = [
        ...new Set(peers.flatMap((e) => String((e.params as { type: string }).type).split(','))),
      ];
      const meaningful = expected.length > 1 ? expected.filter((t) => t !== 'null') : expected;
      const names = meaningful.map((t) => TYPE_NAMES[t] ?? t);
      const what = names.length === 1 ? names[0] : `one of ${names.join(' or ')}`;
      return {
        message: `Invalid type for '${param}': expected ${what}, but got ${describeValue(data)} instead.`,
        param,
        code: 'invalid_type',
      };
    }
    case 'enum':
    case 'const': {
      const allowed = peers.flatMap((e) =>
        e.keyword === 'enum' ? (e.params as { allowedValues: unknown[] }).allowedValues : [e.schema],
      );
      const shown = typeof data === 'string' ? `'${data}'` : JSON.stringify(data);
      return {
        message: `Invalid value: ${shown}. Supported values are: ${listValues([...new Set(allowed)])}.`,
        param,
        code: 'invalid_value',
      };
    }
    case 'maximum':
    case 'exclusiveMaximum':
    case 'minimum':
    case 'exclusiveMinimum': {
      const kind = numberKind(chosen);
      const above = chosen.keyword.toLowerCase().includes('max');
      const comparison = `${String(params.comparison)} ${String(params.limit)}`;
      return {
        message: `Invalid '${param}': ${kind} ${above ? 'above maximum' : 'below minimum'} value. Expected a value ${comparison}, but got ${String(data)} instead.`,
        param,
        code: `${kind}_${above ? 'above_max' : 'below_min'}_value`,
      };
    }
    case 'minItems': {
      const length = Array.isArray(data) ? data.length : 0;
      return length === 0
        ? {
            message: `Invalid '${param}': empty array. Expected an array with minimum length ${String(params.limit)}, but got an empty array instead.`,
            param,
            code: 'empty_array',
          }
        : {
            message: `Invalid '${param}': array too short. Expected an array with minimum length ${String(params.limit)}, but got an array with length ${length} instead.`,
            param,
            code: 'array_below_min_length',
          };
    }
    case 'maxItems':
      return {
        message: `Invalid '${param}': array too long. Expected an array with maximum length ${String(params.limit)}, but got an array with length ${Array.isArray(data) ? data.length : 0} instead.`,
        param,
        code: 'array_above_max_length',
      };
    case 'maxLength':
      return {
        message: `Invalid '${param}': string too long. Expected a string with maximum length ${String(params.limit)}, but got a string with length ${typeof data === 'string' ? data.length : 0} instead.`,
        param,
        code: 'string_above_max_length',
      };
    default:
      return {
        message: `'$${param ? `.${param}` : ''}' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.`,
        param: null,
        code: null,
      };
  }
}

/**
 * The problem the API would answer a body with: the deepest violation, from a union branch whose
 * tag matches the data, worded as the API words the same mistake.
 */
export function firstProblem(errors: ErrorObject[], defs: JsonObject): SchemaProblem {
  const picked = pickError(errors);
  if (!picked) {
    return {
      message:
        "'$' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      param: null,
      code: null,
    };
  }
  return describeProblem(picked.chosen, picked.peers, defs);
}

/** One line per violation, for the request log (`/temperature must be number`). */
export function formatError(error: ErrorObject): string {
  const where = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  const detail = UNKNOWN_PROPERTY.has(error.keyword)
    ? `: ${String(params.additionalProperty ?? params.unevaluatedProperty)}`
    : error.keyword === 'enum'
      ? `: ${JSON.stringify(params.allowedValues)}`
      : '';
  return `${where} ${error.message ?? error.keyword}${detail}`;
}
