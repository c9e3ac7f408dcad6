import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { readFixtureJson } from './fixtures.ts';
import {
  firstProblem,
  formatError,
  isObject,
  resolveDef,
  type JsonObject,
  type SchemaProblem,
} from './schema-problems.ts';

export type { SchemaProblem } from './schema-problems.ts';

/** The outcome of validating a request body against OpenAI's published schema. */
export interface ValidationResult {
  valid: boolean;
  /** Every schema violation, one line each (`/temperature must be number`). */
  errors: string[];
  /** The one the API would answer with, worded as it words it; absent when valid. */
  problem?: SchemaProblem;
}

const DOC_ID = 'https://sandpit.test/openapi.json';
const REF_PREFIX = '#/components/schemas/';

/**
 * Turns OpenAPI's dialect into plain JSON Schema 2020-12: 3.0-style `nullable` becomes an
 * `anyOf` with `null`, and component refs point into the `$defs` of one schema document.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)) {
      out.$ref = `#/$defs/${value.slice(REF_PREFIX.length)}`;
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  return node.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

/**
 * Ajv honours OpenAPI's `discriminator` (so a message with `role: 'user'` is checked against the
 * user message alone) only when every branch names its tag; others are dropped rather than failing to compile.
 */
function keepUsableDiscriminators(node: unknown, defs: JsonObject): void {
  if (Array.isArray(node)) {
    for (const item of node) keepUsableDiscriminators(item, defs);
    return;
  }
  if (!isObject(node)) return;
  const discriminator = node.discriminator;
  if (discriminator !== undefined) {
    const tag = isObject(discriminator) ? discriminator.propertyName : undefined;
    const usable =
      typeof tag === 'string' &&
      !(isObject(discriminator) && discriminator.mapping) &&
      Array.isArray(node.oneOf) &&
      node.oneOf.every((branch) => {
        const schema = resolveDef(defs, branch);
        const property = isObject(schema?.properties) ? schema.properties[tag] : undefined;
        return (
          isObject(property) &&
          (Array.isArray(property.enum) || 'const' in property) &&
          Array.isArray(schema?.required) &&
          schema.required.includes(tag)
        );
      });
    if (!usable) delete node.discriminator;
  }
  for (const value of Object.values(node)) keepUsableDiscriminators(value, defs);
}

interface Validators {
  chat: ValidateFunction;
  embeddings: ValidateFunction;
  defs: JsonObject;
}

// A memo, not shared state: the schema file never changes while the process runs.
let validators: Validators | undefined;

/** Compiled on first use: compiling the chat schema takes a noticeable fraction of a second. */
function getValidators(): Validators {
  if (validators) return validators;
  const spec = readFixtureJson<{ components: { schemas: JsonObject } }>(
    'openapi_chat_embeddings_schemas.json',
  );
  const defs = toJsonSchema(spec.components.schemas) as JsonObject;
  keepUsableDiscriminators(defs, defs);
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    verbose: true,
    discriminator: true,
    validateFormats: false,
    logger: false,
  });
  ajv.addSchema({ $id: DOC_ID, $defs: defs });
  // The spec leaves objects open; the API rejects unknown top-level arguments, so the request roots are closed here.
  const root = (name: string) => ({ $ref: `${DOC_ID}#/$defs/${name}`, unevaluatedProperties: false });
  validators = {
    chat: ajv.compile(root('CreateChatCompletionRequest')),
    embeddings: ajv.compile(root('CreateEmbeddingRequest')),
    defs,
  };
  return validators;
}

function run(validate: ValidateFunction, defs: JsonObject, body: unknown): ValidationResult {
  if (validate(body)) return { valid: true, errors: [] };
  const errors = validate.errors ?? [];
  return { valid: false, errors: errors.map(formatError), problem: firstProblem(errors, defs) };
}

/** Validates a `POST /chat/completions` body against `CreateChatCompletionRequest` (unknown top-level keys rejected). */
export function validateChatRequest(body: unknown): ValidationResult {
  const { chat, defs } = getValidators();
  return run(chat, defs, body);
}

/** Validates a `POST /embeddings` body against `CreateEmbeddingRequest`. */
export function validateEmbeddingsRequest(body: unknown): ValidationResult {
  const { embeddings, defs } = getValidators();
  return run(embeddings, defs, body);
}
