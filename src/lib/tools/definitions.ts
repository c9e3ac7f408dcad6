/**
 * Function tools and the `json_schema` response format as the user edits them: one JSON text each,
 * in the API's own format. Parsing says where a text is wrong (line, column, path); the JSON Schemas
 * here also drive the editor's hover docs and completions; the templates are starting points that
 * pass the strict-mode lint.
 */
import { locatePath, parseJsonText, type JsonPath } from './json-text';
import { lintStrictSchema, STRICT_STRING_FORMATS, type LintIssue } from './strict-lint';
import { validateValue, type SchemaError } from './validate';

/** The name rule the API applies to functions and response formats. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

const NAME_PATTERN = TOOL_NAME_PATTERN.source;
const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];
const STRICT_GUIDE = 'https://developers.openai.com/api/docs/guides/structured-outputs#supported-schemas';

/** `description` for plain hovers, `markdownDescription` where Monaco renders Markdown. */
function doc(text: string, markdown = text): { description: string; markdownDescription: string } {
  return { description: text.replace(/`/g, ''), markdownDescription: markdown };
}

const ref = { $ref: '#/definitions/schema' };

/**
 * The common JSON Schema keywords, documented for hovers and completion inside `parameters` and
 * `schema`. Unknown keywords stay allowed: what strict mode refuses is the lint's job, with better
 * messages than a schema could give.
 */
const SCHEMA_KEYWORDS: Record<string, unknown> = {
  type: {
    ...doc(
      'The JSON type of the value: string, number, integer, boolean, object, array or null. A list such as ["string", "null"] allows any of them (in strict mode, that is how a property is made optional).',
      'The JSON type of the value: `string`, `number`, `integer`, `boolean`, `object`, `array` or `null`.\n\nA list such as `["string", "null"]` allows any of them. In strict mode that is how a property is made optional: it stays in `required`, and the model may answer `null`.',
    ),
    anyOf: [
      { enum: JSON_TYPES },
      { type: 'array', items: { enum: JSON_TYPES }, minItems: 1, uniqueItems: true },
    ],
  },
  description: {
    type: 'string',
    ...doc(
      'What this value means. The model reads it: say what to put here, the unit, the format, an example.',
    ),
  },
  title: { type: 'string', ...doc('A short name for the schema (an annotation; the model may read it).') },
  properties: {
    type: 'object',
    additionalProperties: ref,
    ...doc(
      'The properties of an object, each name mapped to its schema. In strict mode every one must also be listed in "required".',
      'The properties of an object, each name mapped to its schema.\n\nIn strict mode every property must also be listed in `required`, and the object needs `"additionalProperties": false`.',
    ),
  },
  required: {
    type: 'array',
    items: { type: 'string' },
    uniqueItems: true,
    ...doc(
      'The property names that must be present. Strict mode needs every property here; make one optional with a null type instead.',
      'The property names that must be present.\n\nStrict mode needs **every** property listed here; to make one optional, give it a union type with `null`, e.g. `"type": ["string", "null"]`.',
    ),
  },
  additionalProperties: {
    ...ref,
    ...doc(
      'Whether properties not listed in "properties" are allowed. Strict mode needs false on every object.',
      'Whether properties not listed in `properties` are allowed (`true`, `false`, or a schema for them).\n\nStrict mode needs `false` on **every** object.',
    ),
  },
  items: {
    ...ref,
    ...doc('The schema every item of an array must match (strict mode needs it on every array).'),
  },
  enum: {
    type: 'array',
    minItems: 1,
    ...doc(
      'The only values allowed, e.g. ["celsius", "fahrenheit"]. In strict mode an optional enum also lists null.',
      'The only values allowed, e.g. `["celsius", "fahrenheit"]`.\n\nIn strict mode an optional enum has `"type": ["string", "null"]` and lists `null` too.',
    ),
  },
  const: doc('The one value allowed.'),
  anyOf: {
    type: 'array',
    minItems: 1,
    items: ref,
    ...doc(
      'The value must match at least one of these schemas. Allowed in strict mode below the root (not at the root).',
      'The value must match at least one of these schemas.\n\nStrict mode allows `anyOf` anywhere **below** the root; each option must itself follow the strict rules.',
    ),
  },
  $defs: {
    type: 'object',
    additionalProperties: ref,
    ...doc(
      'Named schemas to reuse with "$ref": "#/$defs/name" (recursion is allowed).',
      'Named schemas to reuse with `"$ref": "#/$defs/name"`. A definition may refer to itself (recursion is allowed in strict mode).',
    ),
  },
  definitions: {
    type: 'object',
    additionalProperties: ref,
    ...doc('The older name of "$defs": named schemas to reuse with "$ref": "#/definitions/name".'),
  },
  $ref: {
    type: 'string',
    ...doc(
      'A reference to a schema in this document: "#" for the root, "#/$defs/name" for a definition.',
      'A reference to a schema in this document: `"#"` for the root (recursion), `"#/$defs/name"` for a definition. Strict mode does not follow references outside the schema.',
    ),
  },
  pattern: {
    type: 'string',
    ...doc('A regular expression a string must match, e.g. "^[A-Z]{3}$" (supported in strict mode).'),
  },
  format: {
    ...doc(
      `A predefined string format. Strict mode supports ${STRICT_STRING_FORMATS.join(', ')}.`,
      `A predefined string format. Strict mode supports ${STRICT_STRING_FORMATS.map((f) => `\`${f}\``).join(', ')}.`,
    ),
    anyOf: [{ enum: [...STRICT_STRING_FORMATS] }, { type: 'string' }],
  },
  minimum: { type: 'number', ...doc('The smallest number allowed (inclusive).') },
  maximum: { type: 'number', ...doc('The largest number allowed (inclusive).') },
  exclusiveMinimum: { type: 'number', ...doc('Numbers must be greater than this.') },
  exclusiveMaximum: { type: 'number', ...doc('Numbers must be less than this.') },
  multipleOf: {
    type: 'number',
    exclusiveMinimum: 0,
    ...doc('Numbers must be a multiple of this, e.g. 0.5.'),
  },
  minItems: { type: 'integer', minimum: 0, ...doc('The fewest items an array may have.') },
  maxItems: { type: 'integer', minimum: 0, ...doc('The most items an array may have.') },
  minLength: { type: 'integer', minimum: 0, ...doc('The shortest a string may be, in characters.') },
  maxLength: { type: 'integer', minimum: 0, ...doc('The longest a string may be, in characters.') },
  default: doc(
    'A default value (not permitted in strict mode, where the model always gives every property).',
    'A default value. **Not permitted in strict mode**, where every property is required and the model always gives a value: describe the default in `description` instead.',
  ),
};

/** Completions offered where a property's schema goes. */
const PROPERTY_SNIPPETS = [
  { label: 'string', body: { type: 'string', description: '$1' } },
  { label: 'optional string (strict)', body: { type: ['string', 'null'], description: '$1' } },
  { label: 'enum', body: { type: 'string', enum: ['$1'], description: '$2' } },
  { label: 'number', body: { type: 'number', description: '$1' } },
  { label: 'integer', body: { type: 'integer', description: '$1' } },
  { label: 'boolean', body: { type: 'boolean', description: '$1' } },
  { label: 'array of strings', body: { type: 'array', items: { type: 'string' }, description: '$1' } },
  {
    label: 'object (strict)',
    body: { type: 'object', properties: {}, required: [], additionalProperties: false, description: '$1' },
  },
];

const SCHEMA_META = {
  type: ['object', 'boolean'],
  properties: SCHEMA_KEYWORDS,
  defaultSnippets: PROPERTY_SNIPPETS,
};

const STRICT_DOC = doc(
  'Whether the model must follow the schema exactly (Structured Outputs). Needs "additionalProperties": false on every object and every property in "required".',
  `Whether the model must follow the schema exactly (Structured Outputs) instead of best effort.\n\nStrict mode supports a subset of JSON Schema: every object needs \`"additionalProperties": false\`, every property must be in \`required\` (optional ones take a \`null\` type), and some keywords (\`allOf\`, \`not\`, \`if\`/\`then\`/\`else\`, \`default\`…) are refused. See [supported schemas](${STRICT_GUIDE}).`,
);

const NAME_DOC = {
  type: 'string',
  pattern: NAME_PATTERN,
  // Monaco's JSON service shows this instead of the bare pattern.
  patternErrorMessage: 'Use 1 to 64 letters, digits, underscores or dashes.',
};

/**
 * JSON Schema (draft-07, which Monaco's JSON service uses for diagnostics, hovers and completion)
 * for one entry of the Chat Completions `tools` array: `{"type": "function", "function": {…}}`.
 * Inside `parameters` it documents the common JSON Schema keywords but allows any; strict-mode rules
 * are left to {@link lintStrictSchema}.
 */
export const TOOL_JSON_SCHEMA: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Function tool',
  ...doc(
    'A function the model may call: one entry of the Chat Completions "tools" array.',
    'A function the model may call: one entry of the Chat Completions `tools` array. The model answers with a tool call whose `arguments` is a JSON text matching `parameters`.',
  ),
  type: 'object',
  required: ['type', 'function'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['function'], ...doc('Always "function" for a function tool.') },
    function: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      ...doc('The function: its name, what it does, and the JSON Schema of its arguments.'),
      properties: {
        name: {
          ...NAME_DOC,
          ...doc(
            'The function name the model calls: 1 to 64 letters, digits, underscores or dashes, e.g. get_weather.',
            'The function name the model calls: 1 to 64 letters, digits, underscores or dashes (`^[a-zA-Z0-9_-]{1,64}$`), e.g. `get_weather`.',
          ),
        },
        description: {
          type: 'string',
          ...doc(
            'What the function does and when to call it. The model reads this to decide whether and how to call the function.',
          ),
        },
        parameters: {
          type: 'object',
          required: ['type'],
          ...doc(
            'The arguments as a JSON Schema object: {"type": "object", "properties": {…}}. Leaving it out declares a function without arguments.',
            'The arguments as a JSON Schema object: `{"type": "object", "properties": {…}}`. Leaving it out declares a function without arguments.\n\nWith `strict: true` the schema must follow the [strict-mode rules](' +
              STRICT_GUIDE +
              ').',
          ),
          properties: {
            ...SCHEMA_KEYWORDS,
            type: { enum: ['object'], ...doc('The arguments are always an object: "type": "object".') },
          },
          defaultSnippets: [
            {
              label: 'object (strict)',
              body: { type: 'object', properties: {}, required: [], additionalProperties: false },
            },
          ],
        },
        strict: { type: ['boolean', 'null'], ...STRICT_DOC },
      },
    },
  },
  definitions: { schema: SCHEMA_META },
};

/**
 * JSON Schema (draft-07) for the `json_schema` object of `response_format`:
 * `{"name", "description", "schema", "strict"}`.
 */
export const RESPONSE_FORMAT_JSON_SCHEMA: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Structured output format',
  ...doc(
    'The json_schema object of response_format: the model answers with JSON matching "schema".',
    'The `json_schema` object of `response_format` (`{"type": "json_schema", "json_schema": {…}}`): the model answers with JSON matching `schema`.',
  ),
  type: 'object',
  required: ['name', 'schema'],
  additionalProperties: false,
  properties: {
    name: {
      ...NAME_DOC,
      ...doc(
        'A name for the format: 1 to 64 letters, digits, underscores or dashes.',
        'A name for the format: 1 to 64 letters, digits, underscores or dashes (`^[a-zA-Z0-9_-]{1,64}$`).',
      ),
    },
    description: {
      type: 'string',
      ...doc('What the format is for; the model reads it to decide how to answer.'),
    },
    schema: {
      type: 'object',
      ...doc(
        'The JSON Schema of the answer. In strict mode the root must be {"type": "object"}.',
        'The JSON Schema of the answer. In strict mode the root must be `{"type": "object"}` (not `anyOf`) and follow the [strict-mode rules](' +
          STRICT_GUIDE +
          ').',
      ),
      properties: SCHEMA_KEYWORDS,
      defaultSnippets: [
        {
          label: 'object (strict)',
          body: { type: 'object', properties: {}, required: [], additionalProperties: false },
        },
      ],
    },
    strict: { type: ['boolean', 'null'], ...STRICT_DOC },
  },
  definitions: { schema: SCHEMA_META },
};

/** Something wrong in a definition's text: what, where (1-based), and the path when known. */
export interface DefinitionProblem {
  /** What is wrong, naming the path (e.g. `"function.name" must match …`); line and column are
   * separate fields, not repeated here. */
  message: string;
  line: number;
  column: number;
  path: JsonPath | null;
}

/** A function tool in the Chat Completions `tools` format. */
export interface FunctionToolDefinition {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
}

/** The `json_schema` object of `response_format`. */
export interface ResponseFormatDefinition {
  name: string;
  description?: string;
  schema: Record<string, unknown>;
  strict?: boolean | null;
}

/** A parsed tool text: the tool as written (key order kept), its name, whether it is strict, and the
 * strict-mode lint (paths from the tool's root; empty unless strict). Or why it cannot be used. */
export type ToolParse =
  | { ok: true; tool: FunctionToolDefinition; name: string; strict: boolean; lint: LintIssue[] }
  | { ok: false; problems: DefinitionProblem[] };

/** A parsed response format text, with the strict-mode lint (paths from the object root:
 * `['schema', …]`; empty unless strict). Or why it cannot be used. */
export type FormatParse =
  | { ok: true; format: ResponseFormatDefinition; strict: boolean; lint: LintIssue[] }
  | { ok: false; problems: DefinitionProblem[] };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses one tool's text: strict JSON first, then its shape against {@link TOOL_JSON_SCHEMA} (each
 * problem located in the text). A strict tool is also linted; a strict tool without `parameters`
 * is fine (the API reads it as a function without arguments).
 */
export function parseTool(text: string): ToolParse {
  const parsed = parseDefinition(text, TOOL_JSON_SCHEMA, toolHint);
  if (!parsed.ok) return parsed;
  const tool = parsed.value as unknown as FunctionToolDefinition;
  const strict = tool.function.strict === true;
  const parameters = tool.function.parameters;
  const lint =
    strict && parameters !== undefined
      ? prefixed(lintStrictSchema(parameters, { root: 'parameters' }), ['function', 'parameters'])
      : [];
  return { ok: true, tool, name: tool.function.name, strict, lint };
}

/** Parses the `json_schema` object of a response format, like {@link parseTool}. */
export function parseResponseFormat(text: string): FormatParse {
  const parsed = parseDefinition(text, RESPONSE_FORMAT_JSON_SCHEMA, formatHint);
  if (!parsed.ok) return parsed;
  const format = parsed.value as unknown as ResponseFormatDefinition;
  const strict = format.strict === true;
  const lint = strict ? prefixed(lintStrictSchema(format.schema, { root: 'response' }), ['schema']) : [];
  return { ok: true, format, strict, lint };
}

const prefixed = (issues: LintIssue[], prefix: JsonPath): LintIssue[] =>
  issues.map((issue) => ({ ...issue, path: [...prefix, ...issue.path] }));

type Hint = (value: unknown) => string | null;

function parseDefinition(
  text: string,
  schema: Record<string, unknown>,
  hint: Hint,
): { ok: true; value: Record<string, unknown> } | { ok: false; problems: DefinitionProblem[] } {
  const json = parseJsonText(text);
  if (!json.ok) {
    const { message, line, column } = json.error;
    return { ok: false, problems: [{ message, line, column, path: null }] };
  }
  const advice = hint(json.value);
  if (advice) return { ok: false, problems: [locate(text, [], advice)] };
  const check = validateValue(schema, json.value);
  if (!check.valid) return { ok: false, problems: problemsOf(text, check.errors) };
  return { ok: true, value: json.value as Record<string, unknown> };
}

/** The Responses API writes function tools flat; say so rather than list every key as unexpected. */
function toolHint(value: unknown): string | null {
  if (isRecord(value) && value.type === 'function' && !('function' in value) && 'name' in value)
    return 'This is the Responses API form ({"type": "function", "name": …}); Chat Completions nests the function: {"type": "function", "function": {"name": …, "parameters": …}}';
  return null;
}

function formatHint(value: unknown): string | null {
  if (isRecord(value) && 'json_schema' in value && !('schema' in value))
    return 'Write only the object inside "json_schema": {"name": …, "schema": {…}, "strict": true}';
  return null;
}

function locate(text: string, path: JsonPath, message: string): DefinitionProblem {
  return locateAt(text, path, message).problem;
}

function locateAt(text: string, path: JsonPath, message: string) {
  const at = locatePath(text, path);
  return {
    problem: { message, line: at?.line ?? 1, column: at?.column ?? 1, path },
    offset: at?.offset ?? 0,
  };
}

/** Shape problems in the order they appear in the text. */
function problemsOf(text: string, errors: SchemaError[]): DefinitionProblem[] {
  return errors
    .map((error) => locateAt(text, error.path, error.message))
    .sort((a, b) => a.offset - b.offset)
    .map(({ problem }) => problem);
}

/** A template for the editor: an id, a label for the menu, and the pretty-printed JSON. */
export interface Template {
  id: string;
  label: string;
  /** Pretty JSON with a 2-space indent. */
  text: string;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * Starting points for a tool. All are strict and pass the strict-mode lint; `get_weather` is the
 * example of OpenAI's function-calling guide.
 */
export const TOOL_TEMPLATES: readonly Template[] = Object.freeze([
  {
    id: 'get_weather',
    label: 'Weather (get_weather)',
    text: pretty({
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Get the current weather in a given city.',
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string', description: 'The city, e.g. Paris or San Francisco' },
            unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'The temperature unit' },
          },
          required: ['city', 'unit'],
          additionalProperties: false,
        },
        strict: true,
      },
    }),
  },
  {
    id: 'search',
    label: 'Search (search)',
    text: pretty({
      type: 'function',
      function: {
        name: 'search',
        description: 'Search the web or a document collection and return the best matching passages.',
        parameters: {
          type: 'object',
          properties: {
            query: { type: 'string', description: 'What to search for, in a few keywords' },
            max_results: {
              type: 'integer',
              minimum: 1,
              maximum: 20,
              description: 'How many results to return (1 to 20)',
            },
            site: {
              type: ['string', 'null'],
              description: 'Only search this site, e.g. developer.mozilla.org; null for anywhere',
            },
          },
          required: ['query', 'max_results', 'site'],
          additionalProperties: false,
        },
        strict: true,
      },
    }),
  },
  {
    id: 'calculator',
    label: 'Calculator (calculator)',
    text: pretty({
      type: 'function',
      function: {
        name: 'calculator',
        description: 'Evaluate an arithmetic expression and return the result.',
        parameters: {
          type: 'object',
          properties: {
            expression: { type: 'string', description: 'The expression, e.g. (12.5 * 4) / 3' },
          },
          required: ['expression'],
          additionalProperties: false,
        },
        strict: true,
      },
    }),
  },
  {
    id: 'blank',
    label: 'Blank function',
    text: pretty({
      type: 'function',
      function: {
        name: 'my_function',
        description: 'Describe what the function does and when the model should call it.',
        parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
        strict: true,
      },
    }),
  },
]);

/** Starting points for the `json_schema` response format; strict and lint-clean. */
export const FORMAT_TEMPLATES: readonly Template[] = Object.freeze([
  {
    id: 'product_review',
    label: 'Product review',
    text: pretty({
      name: 'product_review',
      description: 'A structured summary of a product review.',
      schema: {
        type: 'object',
        properties: {
          sentiment: {
            type: 'string',
            enum: ['positive', 'neutral', 'negative'],
            description: 'The overall sentiment of the review',
          },
          score: { type: 'integer', minimum: 1, maximum: 5, description: 'The rating, from 1 to 5' },
          key_points: {
            type: 'array',
            items: { type: 'string' },
            description: 'The main points the reviewer makes',
          },
          summary: { type: 'string', description: 'A one-sentence summary of the review' },
        },
        required: ['sentiment', 'score', 'key_points', 'summary'],
        additionalProperties: false,
      },
      strict: true,
    }),
  },
]);

/** Tools found in an imported JSON text, one pretty-printed text per tool; or why there are none. */
export type ToolsImport = { ok: true; texts: string[] } | { ok: false; message: string };

/**
 * Splits an imported JSON text into one text per tool. Accepts an array of tools, an object with a
 * `tools` array (a whole Chat Completions request body, say) and/or a legacy `functions` array, or
 * one tool. Legacy function entries (`{name, description, parameters}`) are wrapped as
 * `{"type": "function", "function": …}`. Each tool keeps its keys in the order given, so sending it
 * again sends what was imported.
 */
export function splitToolsImport(text: string): ToolsImport {
  const json = parseJsonText(text);
  if (!json.ok) {
    const { line, column, message } = json.error;
    return { ok: false, message: `it is not valid JSON (line ${line}, column ${column}: ${message}).` };
  }
  const value = json.value;
  let entries: { where: string; entry: unknown; legacy: boolean }[];
  if (Array.isArray(value)) {
    entries = value.map((entry, i) => ({ where: `[${i}]`, entry, legacy: false }));
  } else if (isRecord(value) && (Array.isArray(value.tools) || Array.isArray(value.functions))) {
    const tools = Array.isArray(value.tools) ? value.tools : [];
    const functions = Array.isArray(value.functions) ? value.functions : [];
    entries = [
      ...tools.map((entry, i) => ({ where: `tools[${i}]`, entry, legacy: false })),
      ...functions.map((entry, i) => ({ where: `functions[${i}]`, entry, legacy: true })),
    ];
  } else if (isRecord(value) && ('function' in value || 'type' in value)) {
    entries = [{ where: 'the object', entry: value, legacy: false }];
  } else if (isRecord(value) && typeof value.name === 'string' && !('type' in value)) {
    entries = [{ where: 'the object', entry: value, legacy: true }];
  } else {
    return {
      ok: false,
      message:
        'no tools found: expected an array of tools, an object with a "tools" array (such as a request body), or one tool.',
    };
  }
  if (entries.length === 0) return { ok: false, message: 'no tools found: the list is empty.' };

  const texts: string[] = [];
  for (const { where, entry, legacy } of entries) {
    const tool =
      legacy && isRecord(entry) && !('type' in entry) ? { type: 'function', function: entry } : entry;
    const why = notAFunctionTool(tool);
    if (why) return { ok: false, message: `${where} ${why}` };
    texts.push(pretty(tool));
  }
  return { ok: true, texts };
}

function notAFunctionTool(tool: unknown): string | null {
  if (!isRecord(tool))
    return `is not a function tool (it is ${Array.isArray(tool) ? 'an array' : JSON.stringify(tool)}).`;
  if (tool.type !== 'function')
    return `is not a function tool: its type is ${JSON.stringify(tool.type ?? null)} (only "function" tools can be edited here).`;
  if (!isRecord(tool.function))
    return 'name' in tool
      ? 'is a Responses API tool ({"type": "function", "name": …}); Chat Completions nests it under "function".'
      : 'is not a function tool: it has no "function" object.';
  if (typeof tool.function.name !== 'string') return 'is not a function tool: its function has no "name".';
  return null;
}
