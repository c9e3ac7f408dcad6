/**
 * "View code": the playground's current request as programs that send exactly the same body: Python (sync
 * and asyncio) with the `openai` package, TypeScript with the `openai` npm package, and curl.
 *
 * Each program carries the body as JSON text (`JSON.stringify(body, null, 2)`), so what it sends is what the
 * playground sends; around it goes what the run needs: streaming, usage, the tool-call loop, parsing a
 * structured answer with a Pydantic model or zod schema derived from its JSON Schema, or comparing
 * embeddings. Pure functions returning source text: no DOM, no SDK.
 */

/** The API root the SDKs use by default: the programs name a base URL only when it differs. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Where the request goes: the base URL and the optional organization and project headers. */
interface Connection {
  baseURL: string;
  organization?: string;
  project?: string;
}

/**
 * What to turn into code: the exact request body the playground sends (from `buildChatRequest` or
 * `buildEmbeddingsRequest`) and the connection it goes over.
 */
export type CodeInput =
  | ({ kind: 'chat'; body: Record<string, unknown> } & Connection)
  | ({ kind: 'embeddings'; body: Record<string, unknown> } & Connection);

/** One program per language, each a complete file. */
export interface CodeSnippets {
  python: string;
  /** The same program with `AsyncOpenAI` and `asyncio.run(main())`, for async code. */
  pythonAsync: string;
  /** An ES module with top-level await. */
  typescript: string;
  curl: string;
}

/** The programs that reproduce `input`: the same body, sent the same way, in each language. */
export function codeFor(input: CodeInput): CodeSnippets {
  const json = JSON.stringify(input.body, null, 2);
  const plan = planFor(input);
  return {
    python: pythonProgram(plan, json, false),
    pythonAsync: pythonProgram(plan, json, true),
    typescript: typescriptProgram(plan, json),
    curl: curlCommand(input, json, plan),
  };
}

// ---------------------------------------------------------------------------------------------------
// What the run used

/** How the answer comes back and what to do with it. */
type AnswerFormat =
  | { kind: 'text' }
  | { kind: 'json' }
  | { kind: 'schema'; name: string; root: ObjectShape }
  | { kind: 'raw-schema'; reason: string };

interface ToolPlan {
  name: string;
  description: string;
  /** The arguments' shape, or null when the parameters schema does not map cleanly. */
  params: ObjectShape | null;
}

interface ChatPlan {
  kind: 'chat';
  connection: Connection;
  stream: boolean;
  includeUsage: boolean;
  choices: number;
  format: AnswerFormat;
  tools: ToolPlan[];
  /** `tool_choice` makes the model call a tool (`required` or a named function). */
  forcedToolChoice: boolean;
}

interface EmbeddingsPlan {
  kind: 'embeddings';
  connection: Connection;
  /** `encoding_format: "base64"`: the vectors come back as base64, for the program to decode. */
  base64: boolean;
  /** No `encoding_format`: the SDK asks for base64 and decodes it (so its request has one more field). */
  sdkDecodes: boolean;
}

type Plan = ChatPlan | EmbeddingsPlan;

function connectionOf(input: CodeInput): Connection {
  const base = input.baseURL.trim().replace(/\/+$/, '');
  return {
    baseURL: base || DEFAULT_BASE_URL,
    ...(input.organization?.trim() && { organization: input.organization.trim() }),
    ...(input.project?.trim() && { project: input.project.trim() }),
  };
}

function planFor(input: CodeInput): Plan {
  const connection = connectionOf(input);
  const body = input.body;
  if (input.kind === 'embeddings') {
    return {
      kind: 'embeddings',
      connection,
      base64: body.encoding_format === 'base64',
      sdkDecodes: body.encoding_format === undefined,
    };
  }
  const stream = body.stream === true;
  const options = isRecord(body.stream_options) ? body.stream_options : {};
  const choice = body.tool_choice;
  return {
    kind: 'chat',
    connection,
    stream,
    includeUsage: stream && options.include_usage === true,
    choices: typeof body.n === 'number' && body.n > 1 ? body.n : 1,
    format: formatOf(body.response_format),
    tools: toolsOf(body.tools),
    forcedToolChoice: choice === 'required' || isRecord(choice),
  };
}

function formatOf(responseFormat: unknown): AnswerFormat {
  if (!isRecord(responseFormat)) return { kind: 'text' };
  if (responseFormat.type === 'json_object') return { kind: 'json' };
  if (responseFormat.type !== 'json_schema' || !isRecord(responseFormat.json_schema)) return { kind: 'text' };
  const format = responseFormat.json_schema;
  const mapped = mapSchema(format.schema);
  if (!mapped.ok) return { kind: 'raw-schema', reason: mapped.reason };
  return {
    kind: 'schema',
    name: pascalCase(typeof format.name === 'string' ? format.name : ''),
    root: mapped.root,
  };
}

function toolsOf(tools: unknown): ToolPlan[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool: unknown) => {
    if (!isRecord(tool) || tool.type !== 'function' || !isRecord(tool.function)) return [];
    const fn = tool.function;
    if (typeof fn.name !== 'string') return [];
    const mapped = fn.parameters === undefined ? null : mapSchema(fn.parameters);
    return [
      {
        name: fn.name,
        description: typeof fn.description === 'string' ? fn.description : '',
        params: mapped === null ? EMPTY_OBJECT : mapped.ok ? mapped.root : null,
      },
    ];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// JSON Schema → a shape that Pydantic and zod both express without losing a rule

interface Bounds {
  min?: number;
  max?: number;
  /** Exclusive bounds (numbers only). */
  gt?: number;
  lt?: number;
}

type Shape = (
  | { type: 'string' | 'number' | 'integer'; bounds: Bounds }
  | { type: 'boolean' }
  | { type: 'enum'; values: string[] }
  | { type: 'array'; items: Shape; bounds: Bounds }
  | ObjectShape
) & { nullable: boolean };

interface ObjectShape {
  type: 'object';
  fields: FieldShape[];
  /** What `additionalProperties` says: false, true, or nothing (unknown keys are then dropped). */
  extra: 'forbid' | 'allow' | 'ignore';
  nullable: boolean;
}

interface FieldShape {
  name: string;
  shape: Shape;
  required: boolean;
  description: string;
  /** The schema's `default`, if any (a tool stub's default argument). */
  fallback?: unknown;
}

const EMPTY_OBJECT: ObjectShape = { type: 'object', fields: [], extra: 'ignore', nullable: false };

/** Words that describe a schema without constraining it. */
const ANNOTATIONS = ['title', 'description', '$comment', 'examples', 'default'];

const ALLOWED: Record<string, readonly string[]> = {
  string: ['type', 'enum', 'const', 'minLength', 'maxLength'],
  number: ['type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
  integer: ['type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
  boolean: ['type'],
  array: ['type', 'items', 'minItems', 'maxItems'],
  object: ['type', 'properties', 'required', 'additionalProperties', '$defs', 'definitions', '$schema'],
};

class Unmappable extends Error {}

function mapSchema(schema: unknown): { ok: true; root: ObjectShape } | { ok: false; reason: string } {
  try {
    const root = toShape(schema, '');
    if (root.type !== 'object' || root.nullable)
      return { ok: false, reason: 'its top level is not an object' };
    return { ok: true, root };
  } catch (error) {
    if (error instanceof Unmappable) return { ok: false, reason: error.message };
    throw error;
  }
}

function where(path: string): string {
  return path ? ` (at ${path.slice(1)})` : '';
}

function toShape(node: unknown, path: string): Shape {
  if (!isRecord(node)) throw new Unmappable(`a schema that is not an object${where(path)}`);
  if ('anyOf' in node) return nullableAlternative(node, path);
  const types = node.type === undefined ? inferredType(node, path) : typeList(node.type, path);
  const nullable = types.includes('null');
  const [type, ...others] = types.filter((t) => t !== 'null');
  if (!type || others.length > 0) throw new Unmappable(`"type": ${JSON.stringify(node.type)}${where(path)}`);
  const allowed = ALLOWED[type];
  if (!allowed) throw new Unmappable(`"type": "${type}"${where(path)}`);
  for (const key of Object.keys(node)) {
    if (!allowed.includes(key) && !ANNOTATIONS.includes(key)) {
      throw new Unmappable(`"${key}"${where(path)}`);
    }
  }
  if (type === 'object') return { ...objectShape(node, path), nullable };
  if (type === 'array') {
    if (!('items' in node)) throw new Unmappable(`an array without "items"${where(path)}`);
    const items = toShape(node.items, `${path}.items`);
    return { type, items, bounds: bounds(node, 'minItems', 'maxItems', path), nullable };
  }
  if (type === 'string' && ('enum' in node || 'const' in node)) {
    return { type: 'enum', values: enumValues(node, nullable, path), nullable };
  }
  if (type === 'boolean') return { type, nullable };
  if (type === 'string') return { type, bounds: bounds(node, 'minLength', 'maxLength', path), nullable };
  return { type: type as 'number' | 'integer', bounds: bounds(node, 'minimum', 'maximum', path), nullable };
}

/** `anyOf: [X, {type: "null"}]` (either order) is a nullable X; any other `anyOf` does not map cleanly. */
function nullableAlternative(node: Record<string, unknown>, path: string): Shape {
  const options = node.anyOf;
  const extra = Object.keys(node).filter((key) => key !== 'anyOf' && !ANNOTATIONS.includes(key));
  const isNull = (option: unknown) =>
    isRecord(option) &&
    option.type === 'null' &&
    Object.keys(option).every((key) => key === 'type' || ANNOTATIONS.includes(key));
  if (!Array.isArray(options) || options.length !== 2 || extra.length > 0 || !options.some(isNull)) {
    throw new Unmappable(`"anyOf"${where(path)}`);
  }
  const other = options.find((option) => !isNull(option));
  return { ...toShape(other, `${path}.anyOf`), nullable: true };
}

function typeList(type: unknown, path: string): string[] {
  if (typeof type === 'string') return [type];
  if (Array.isArray(type) && type.every((t) => typeof t === 'string')) return type as string[];
  throw new Unmappable(`"type": ${JSON.stringify(type)}${where(path)}`);
}

/** Without `type`, only an enum (or const) of strings says what it is. */
function inferredType(node: Record<string, unknown>, path: string): string[] {
  const values = Array.isArray(node.enum) ? node.enum : 'const' in node ? [node.const] : null;
  if (values?.every((v) => typeof v === 'string' || v === null)) {
    return values.includes(null) ? ['string', 'null'] : ['string'];
  }
  throw new Unmappable(`a schema without "type"${where(path)}`);
}

function enumValues(node: Record<string, unknown>, nullable: boolean, path: string): string[] {
  const values: unknown[] = Array.isArray(node.enum) ? node.enum : [node.const];
  const strings = values.filter((v) => v !== null || !nullable);
  if (strings.length === 0 || !strings.every((v) => typeof v === 'string')) {
    throw new Unmappable(`an enum of values other than strings${where(path)}`);
  }
  if ('enum' in node && 'const' in node) throw new Unmappable(`"enum" with "const"${where(path)}`);
  return strings as string[];
}

function bounds(node: Record<string, unknown>, minKey: string, maxKey: string, path: string): Bounds {
  const out: Bounds = {};
  const pairs: [keyof Bounds, string][] = [
    ['min', minKey],
    ['max', maxKey],
    ['gt', 'exclusiveMinimum'],
    ['lt', 'exclusiveMaximum'],
  ];
  for (const [name, key] of pairs) {
    if (!(key in node)) continue;
    const value = node[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Unmappable(`"${key}": ${JSON.stringify(value)}${where(path)}`);
    }
    out[name] = value;
  }
  return out;
}

function objectShape(node: Record<string, unknown>, path: string): ObjectShape {
  const properties = node.properties ?? {};
  if (!isRecord(properties)) throw new Unmappable(`"properties"${where(path)}`);
  const required = node.required ?? [];
  if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) {
    throw new Unmappable(`"required"${where(path)}`);
  }
  const additional = node.additionalProperties;
  if (additional !== undefined && typeof additional !== 'boolean') {
    throw new Unmappable(`"additionalProperties" as a schema${where(path)}`);
  }
  const fields = Object.entries(properties).map(([name, schema]): FieldShape => ({
    name,
    shape: toShape(schema, `${path}.properties.${name}`),
    required: required.includes(name),
    description: isRecord(schema) && typeof schema.description === 'string' ? schema.description : '',
    ...(isRecord(schema) && 'default' in schema && { fallback: schema.default }),
  }));
  return {
    type: 'object',
    fields,
    extra: additional === false ? 'forbid' : additional === true ? 'allow' : 'ignore',
    nullable: false,
  };
}

// ---------------------------------------------------------------------------------------------------
// Text helpers shared by the languages

/**
 * A comment's text, one line each: nothing in it can end the comment (a line break, including the U+2028
 * and U+2029 that end a line in JavaScript) or stop the file from being saved (a control character, a lone
 * surrogate).
 */
function commentLines(text: string, first = false): string[] {
  const safe = Array.from(text, (c) => {
    const code = c.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
    return (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') || code === 0x7f ? ' ' : c;
  }).join('');
  const lines = safe
    .split(/\r\n|[\n\r\u0085\u2028\u2029]/)
    .map((line) => line.trim())
    .filter(Boolean);
  return first ? lines.slice(0, 1) : lines;
}

/** Text for the middle of a one-line comment. */
const commentText = (text: string) => commentLines(text).join(' ');

function pascalCase(text: string): string {
  const words = text.match(/[A-Za-z0-9]+/g) ?? [];
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (!name) return 'Answer';
  return /^[0-9]/.test(name) ? `Answer${name}` : name;
}

/** A JSON string literal: also a valid Python string literal with the same value. */
const pyStr = (text: string) => JSON.stringify(text);

/** A single-quoted TypeScript string literal. */
function tsStr(text: string): string {
  const inner = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${inner}'`;
}

function tsKey(name: string): string {
  if (name === '__proto__') return `['__proto__']`;
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : tsStr(name);
}

const indent = (lines: readonly string[], prefix = '    ') => lines.map((l) => (l ? prefix + l : l));

/** A unique name: `wanted`, or with a number after it. */
function claim(taken: Set<string>, wanted: string): string {
  let name = wanted;
  for (let i = 2; taken.has(name); i++) name = `${wanted}${i}`;
  taken.add(name);
  return name;
}

// ---------------------------------------------------------------------------------------------------
// Python

const PY_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for ' +
    'from global if import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' '),
);

/** Names a Pydantic field must not take: they shadow the types in the annotations or BaseModel's own. */
const PY_FIELD_CLASH = new Set(
  (
    'str int float bool list dict Literal Annotated Field ConfigDict BaseModel copy json schema ' +
    'schema_json construct validate parse_obj parse_raw parse_file from_orm update_forward_refs fields'
  ).split(' '),
);

/** Names the Python programs use at the top level, which no generated function or class may take. */
const PY_TAKEN = (
  'json math base64 struct asyncio itertools combinations OpenAI AsyncOpenAI BaseModel ConfigDict Field ' +
  'Literal Annotated client body ask run_tool tool_functions main vector cosine messages reply completion ' +
  'message choice stream chunk delta usage content contents refusal index answer call name arguments result ' +
  'response vectors texts pairs similarity'
).split(' ');

const isPyIdentifier = (name: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PY_KEYWORDS.has(name);

/** `import` lines, grouped the way isort groups them. */
class PyImports {
  #modules = new Set<string>();
  #from = new Map<string, Set<string>>();

  module = (name: string) => this.#modules.add(name);

  from = (module: string, name: string) => {
    const names = this.#from.get(module) ?? new Set<string>();
    names.add(name);
    this.#from.set(module, names);
  };

  lines(): string[] {
    const fromLine = (module: string) =>
      `from ${module} import ${[...(this.#from.get(module) ?? [])].sort().join(', ')}`;
    const std = [...this.#modules].sort().map((m) => `import ${m}`);
    std.push(...['itertools', 'typing'].filter((m) => this.#from.has(m)).map(fromLine));
    const third = ['openai', 'pydantic'].filter((m) => this.#from.has(m)).map(fromLine);
    return [...std, '', ...third];
  }
}

/** A Python literal of a JSON value that is not a container. */
function pyLiteral(value: unknown): string | null {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return pyStr(value);
  return null;
}

/**
 * The body as a Python string literal for `json.loads`: a raw triple-quoted string that reads as the JSON
 * itself. JSON text never holds `"""` (an escaped quote is `\"`, and a closing quote is followed by `,`, `:`,
 * `}`, `]` or a space) nor ends in a backslash; should it ever, the JSON-escaped form is a valid literal too.
 */
function pyJsonLiteral(json: string): string {
  return json.includes('"""') || json.endsWith('\\') ? pyStr(json) : `r"""\n${json}\n"""`;
}

interface PyModels {
  classes: string[][];
  root: string;
}

/** Pydantic classes for an object shape, nested ones first and the root last. */
function pydanticModels(root: ObjectShape, name: string, imports: PyImports, taken: Set<string>): PyModels {
  const classNames = new Set<string>();
  const classes: string[][] = [];
  imports.from('pydantic', 'BaseModel');

  const constrained = (type: string, b: Bounds, names: readonly [string, string]): string => {
    const args = [
      b.min !== undefined && `${names[0]}=${b.min}`,
      b.max !== undefined && `${names[1]}=${b.max}`,
      b.gt !== undefined && `gt=${b.gt}`,
      b.lt !== undefined && `lt=${b.lt}`,
    ].filter(Boolean);
    if (!args.length) return type;
    imports.from('typing', 'Annotated');
    imports.from('pydantic', 'Field');
    return `Annotated[${type}, Field(${args.join(', ')})]`;
  };
  const typeOf = (shape: Shape, hint: string): string => {
    const base = (() => {
      switch (shape.type) {
        case 'string':
          return constrained('str', shape.bounds, ['min_length', 'max_length']);
        case 'number':
          return constrained('float', shape.bounds, ['ge', 'le']);
        case 'integer':
          return constrained('int', shape.bounds, ['ge', 'le']);
        case 'boolean':
          return 'bool';
        case 'enum':
          imports.from('typing', 'Literal');
          return `Literal[${shape.values.map(pyStr).join(', ')}]`;
        case 'array':
          return constrained(`list[${typeOf(shape.items, `${hint}Item`)}]`, shape.bounds, [
            'min_length',
            'max_length',
          ]);
        case 'object':
          return objectClass(shape, hint);
      }
    })();
    return shape.nullable ? `${base} | None` : base;
  };
  const fieldLines = (field: FieldShape, className: string, fieldNames: Set<string>): string[] => {
    const plain =
      isPyIdentifier(field.name) &&
      !field.name.startsWith('_') &&
      !field.name.startsWith('model_') &&
      !PY_FIELD_CLASH.has(field.name) &&
      !classNames.has(field.name);
    const pyName = claim(fieldNames, plain ? field.name : pyFieldName(field.name));
    // A name Python or Pydantic cannot take is renamed; the alias keeps the JSON key.
    const alias = pyName !== field.name;
    let type = typeOf(field.shape, className + pascalCase(field.name));
    if (!field.required && !field.shape.nullable) type += ' | None';
    const options = [!field.required && 'default=None', alias && `alias=${pyStr(field.name)}`].filter(
      Boolean,
    );
    if (alias) imports.from('pydantic', 'Field');
    const value = alias ? ` = Field(${options.join(', ')})` : field.required ? '' : ' = None';
    return [...commentLines(field.description).map((l) => `# ${l}`), `${pyName}: ${type}${value}`];
  };
  const objectClass = (shape: ObjectShape, wanted: string): string => {
    const className = claim(taken, wanted);
    classNames.add(className);
    const fieldNames = new Set<string>();
    const fields = shape.fields.flatMap((field) => fieldLines(field, className, fieldNames));
    const config = shape.extra === 'ignore' ? [] : [`model_config = ConfigDict(extra=${pyStr(shape.extra)})`];
    if (config.length) imports.from('pydantic', 'ConfigDict');
    const body = config.length && fields.length ? [...config, '', ...fields] : [...config, ...fields];
    classes.push([`class ${className}(BaseModel):`, ...indent(body.length ? body : ['pass'])]);
    return className;
  };

  return { classes, root: objectClass(root, name) };
}

function pyFieldName(name: string): string {
  const base = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+/, '') || 'field';
  const safe = /^[0-9]/.test(base) || base.startsWith('model_') ? `field_${base}` : base;
  return PY_KEYWORDS.has(safe) || PY_FIELD_CLASH.has(safe) ? `${safe}_` : safe;
}

/** A plain type hint for a tool argument (no constraints, nested objects as `dict`). */
function pyHint(shape: Shape): string {
  const base = (() => {
    switch (shape.type) {
      case 'string':
      case 'enum':
        return 'str';
      case 'number':
        return 'float';
      case 'integer':
        return 'int';
      case 'boolean':
        return 'bool';
      case 'array':
        return `list[${pyHint(shape.items)}]`;
      case 'object':
        return 'dict';
    }
  })();
  return shape.nullable ? `${base} | None` : base;
}

const PY_TOOLS_COMMENT = [
  '# The tools run here, on your side: the model only asks for them and reads what they return (any text;',
  '# JSON suits it). These stubs return placeholders: put the real work in their place.',
];

/** Stub functions for the tools, and `tool_functions` mapping each tool name to its function. */
function pythonTools(tools: readonly ToolPlan[], taken: Set<string>): string[][] {
  const defs: string[][] = [];
  const entries: string[] = [];
  for (const tool of tools) {
    const wanted = tool.name.replace(/[^A-Za-z0-9_]/g, '_');
    const fnName = claim(taken, isPyIdentifier(wanted) && !/^[0-9]/.test(wanted) ? wanted : `tool_${wanted}`);
    const fields = tool.params?.fields ?? [];
    // The stub's body uses `json`: an argument of that name would hide it.
    const named = tool.params !== null && fields.every((f) => isPyIdentifier(f.name) && f.name !== 'json');
    let params: string;
    let args: string;
    if (named) {
      const sorted = [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
      params = sorted
        .map((f) => {
          if (f.required) return `${f.name}: ${pyHint(f.shape)}`;
          const fallback = 'fallback' in f ? pyLiteral(f.fallback) : null;
          const hint = pyHint(f.shape);
          return fallback === null || fallback === 'None'
            ? `${f.name}: ${hint.endsWith(' | None') ? hint : `${hint} | None`} = None`
            : `${f.name}: ${hint} = ${fallback}`;
        })
        .join(', ');
      args = fields.length ? `{${fields.map((f) => `${pyStr(f.name)}: ${f.name}`).join(', ')}}` : '';
    } else {
      params = '**args';
      args = 'args';
    }
    const result = `{"placeholder": ${pyStr(`${tool.name} result`)}${args ? `, "arguments": ${args}` : ''}}`;
    defs.push([
      ...(defs.length ? [] : PY_TOOLS_COMMENT),
      `def ${fnName}(${params}) -> str:`,
      ...indent(commentLines(tool.description, true).map((l) => `# ${l}`)),
      `    return json.dumps(${result})`,
    ]);
    entries.push(`    ${pyStr(tool.name)}: ${fnName},`);
  }
  return [
    ...defs,
    ['# Each tool by the name the model calls it.', 'tool_functions = {', ...entries, '}'],
    [
      'def run_tool(name: str, arguments: str) -> str:',
      '    """Runs one tool call; the arguments come as JSON text."""',
      '    function = tool_functions.get(name)',
      '    if function is None:',
      '        return json.dumps({"error": f"There is no tool named {name}."})',
      '    return function(**json.loads(arguments))',
    ],
  ];
}

/** How the answer text in `expr` is shown: printed (unless it was as it streamed), or parsed first. */
function pyFinish(format: AnswerFormat, expr: string, printed: boolean, model: string | null): string[] {
  switch (format.kind) {
    case 'text':
      return printed ? [] : [`print(${expr})`];
    case 'json':
      return [`answer = json.loads(${expr})`, 'print(json.dumps(answer, indent=2))'];
    case 'schema':
      return [`answer = ${model}.model_validate_json(${expr})`, 'print(repr(answer))'];
    case 'raw-schema':
      return [
        `# The schema uses ${commentText(format.reason)}, which does not map cleanly onto a Pydantic model:`,
        '# read the JSON as it is.',
        `answer = json.loads(${expr})`,
        'print(json.dumps(answer, indent=2))',
      ];
  }
}

/** Prints the token usage held by the Python expression `usage`. */
const pyUsage = (usage: string) =>
  `print(f"[{${usage}.prompt_tokens} prompt + {${usage}.completion_tokens} completion tokens]")`;

/** Inside `for chunk in ...`: keep the usage of the last chunk. */
const PY_KEEP_USAGE = [
  '# stream_options.include_usage adds one last chunk, with no choices and the token usage of the whole',
  '# request: a stream reports usage no other way.',
  'if chunk.usage:',
  '    usage = chunk.usage',
];

const PY_MODEL_COMMENT = [
  '# Derived from the JSON Schema of response_format, to check and type the answer. The request sends that',
  '# schema exactly as written (client.chat.completions.parse would send one generated from the classes).',
];

interface PyChat {
  plan: ChatPlan;
  /** `await ` in the asyncio version. */
  aw: string;
  /** `for` or `async for`. */
  loop: string;
  finish: (expr: string, printed: boolean) => string[];
  /** The answer may be a refusal (Structured Outputs). */
  refusals: boolean;
}

function pythonChat(plan: ChatPlan, aio: boolean, imports: PyImports, defs: string[][]): string[] {
  const taken = new Set(PY_TAKEN);
  let model: string | null = null;
  if (plan.format.kind === 'schema') {
    const { classes, root } = pydanticModels(plan.format.root, plan.format.name, imports, taken);
    model = root;
    const [first = [], ...others] = classes;
    defs.push([...PY_MODEL_COMMENT, ...first], ...others);
  }
  const chat: PyChat = {
    plan,
    aw: aio ? 'await ' : '',
    loop: aio ? 'async for' : 'for',
    finish: (expr, printed) => pyFinish(plan.format, expr, printed, model),
    refusals: plan.format.kind === 'schema' || plan.format.kind === 'raw-schema',
  };
  if (plan.tools.length) return pythonToolLoop(chat, aio, defs, taken);
  return plan.stream ? pythonStream(chat) : pythonCompletion(chat);
}

function pythonCompletion({ plan, aw, finish, refusals }: PyChat): string[] {
  const lines = [`completion = ${aw}client.chat.completions.create(**body)`];
  if (plan.choices > 1) {
    lines.push(
      '# n asks for several answers to the same conversation: one choice each.',
      'for choice in completion.choices:',
      '    print(f"--- choice {choice.index} ---")',
      ...indent(finish('choice.message.content', false)),
    );
  } else if (refusals) {
    lines.push(
      'message = completion.choices[0].message',
      '# With a schema, the model may refuse instead of answering: the refusal comes in its own field.',
      'if message.refusal:',
      '    print("Refused:", message.refusal)',
      'else:',
      ...indent(finish('message.content', false)),
    );
  } else {
    lines.push(...finish('completion.choices[0].message.content', false));
  }
  return [...lines, pyUsage('completion.usage')];
}

function pythonStream({ plan, aw, loop, finish, refusals }: PyChat): string[] {
  const head = [
    `stream = ${aw}client.chat.completions.create(**body)`,
    ...(plan.includeUsage ? ['usage = None'] : []),
  ];
  const keepUsage = plan.includeUsage ? indent(PY_KEEP_USAGE) : [];
  const tail = plan.includeUsage ? ['if usage:', `    ${pyUsage('usage')}`] : [];
  if (plan.choices > 1) {
    return [
      ...head,
      '# n asks for several answers at once: their chunks interleave, each with its choice index.',
      'contents: dict[int, str] = {}',
      `${loop} chunk in stream:`,
      ...keepUsage,
      '    for choice in chunk.choices:',
      '        contents[choice.index] = contents.get(choice.index, "") + (choice.delta.content or "")',
      'for index, content in sorted(contents.items()):',
      '    print(f"--- choice {index} ---")',
      ...indent(finish('content', false)),
      ...tail,
    ];
  }
  const keep = plan.format.kind !== 'text';
  return [
    ...head,
    ...(keep ? ['content = ""'] : []),
    ...(refusals ? ['refusal = ""'] : []),
    `${loop} chunk in stream:`,
    ...keepUsage,
    '    if not chunk.choices:',
    '        continue',
    '    delta = chunk.choices[0].delta',
    '    if delta.content:',
    '        print(delta.content, end="", flush=True)',
    ...(keep ? ['        content += delta.content'] : []),
    ...(refusals
      ? [
          '    # With a schema, the model may refuse instead of answering: the refusal streams in its own field.',
          '    if delta.refusal:',
          '        refusal += delta.refusal',
        ]
      : []),
    'print()',
    ...(refusals
      ? ['if refusal:', '    print("Refused:", refusal)', 'else:', ...indent(finish('content', true))]
      : finish('content', true)),
    ...tail,
  ];
}

function pythonToolLoop(
  { plan, aw, loop, finish }: PyChat,
  aio: boolean,
  defs: string[][],
  taken: Set<string>,
): string[] {
  const asyncDef = aio ? 'async def' : 'def';
  defs.push(...pythonTools(plan.tools, taken));
  if (plan.stream) {
    defs.push([
      `${asyncDef} ask(request: dict) -> dict:`,
      '    """Sends one request, prints its text as it streams, and returns the assistant message it adds up to."""',
      '    content = ""',
      '    tool_calls: dict[int, dict] = {}',
      ...(plan.includeUsage ? ['    usage = None'] : []),
      `    ${loop} chunk in ${aw}client.chat.completions.create(**request):`,
      ...(plan.includeUsage ? indent(PY_KEEP_USAGE, '        ') : []),
      '        if not chunk.choices:',
      '            continue',
      '        delta = chunk.choices[0].delta',
      '        if delta.content:',
      '            print(delta.content, end="", flush=True)',
      '            content += delta.content',
      '        # A tool call streams in pieces: its id and name first, then its arguments a few characters at a time.',
      '        for part in delta.tool_calls or []:',
      '            call = tool_calls.setdefault(',
      '                part.index, {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}',
      '            )',
      '            if part.id:',
      '                call["id"] = part.id',
      '            if part.function and part.function.name:',
      '                call["function"]["name"] = part.function.name',
      '            if part.function and part.function.arguments:',
      '                call["function"]["arguments"] += part.function.arguments',
      '    if content:',
      '        print()',
      ...(plan.includeUsage ? ['    if usage:', `        ${pyUsage('usage')}`] : []),
      '    message = {"role": "assistant", "content": content or None}',
      '    if tool_calls:',
      '        message["tool_calls"] = [tool_calls[index] for index in sorted(tool_calls)]',
      '    return message',
    ]);
  } else {
    defs.push([
      `${asyncDef} ask(request: dict) -> dict:`,
      '    """Sends one request, prints its text, and returns the assistant message to keep in the conversation."""',
      `    completion = ${aw}client.chat.completions.create(**request)`,
      '    message = completion.choices[0].message',
      '    if message.content:',
      '        print(message.content)',
      `    ${pyUsage('completion.usage')}`,
      '    reply = {"role": "assistant", "content": message.content}',
      '    if message.tool_calls:',
      '        reply["tool_calls"] = [call.model_dump() for call in message.tool_calls]',
      '    return reply',
    ]);
  }
  return [
    ...(plan.choices > 1 ? ['# n asks for several answers; the tool loop follows the first one.'] : []),
    'messages = list(body["messages"])',
    `reply = ${aw}ask({**body, "messages": messages})`,
    '# Until the model answers in text: run the tools it asked for, give it their results, and ask again.',
    'while reply.get("tool_calls"):',
    '    messages.append(reply)',
    '    for call in reply["tool_calls"]:',
    '        name, arguments = call["function"]["name"], call["function"]["arguments"]',
    '        result = run_tool(name, arguments)',
    '        print(f"[{name}({arguments}) -> {result}]")',
    '        messages.append({"role": "tool", "tool_call_id": call["id"], "content": result})',
    ...(plan.forcedToolChoice
      ? [
          "    # The body's tool_choice makes the model call a tool every time; the follow-ups let it choose, so",
          '    # that it can answer.',
          `    reply = ${aw}ask({**body, "messages": messages, "tool_choice": "auto"})`,
        ]
      : [
          '    # The follow-ups repeat the body with the longer conversation.',
          `    reply = ${aw}ask({**body, "messages": messages})`,
        ]),
    ...finish('reply["content"]', true),
  ];
}

const PY_SDK_DECODES =
  '# Without encoding_format the SDK asks for base64 (a quarter of the size of JSON numbers) and decodes it.';

function pythonEmbeddings(
  plan: EmbeddingsPlan,
  aio: boolean,
  imports: PyImports,
  defs: string[][],
): string[] {
  imports.module('math');
  imports.from('itertools', 'combinations');
  if (plan.base64) {
    imports.module('base64');
    imports.module('struct');
    defs.push([
      'def vector(embedding: list[float] | str) -> list[float]:',
      '    """A vector as numbers. encoding_format "base64" sends each one as the bytes of its little-endian float32',
      '    values, about a quarter of the size of JSON numbers; asked for by name, it comes back undecoded."""',
      '    if isinstance(embedding, list):',
      '        return embedding',
      '    raw = base64.b64decode(embedding)',
      '    return list(struct.unpack(f"<{len(raw) // 4}f", raw))',
    ]);
  }
  defs.push([
    'def cosine(a: list[float], b: list[float]) -> float:',
    '    """Cosine similarity: 1 for the same direction, 0 for unrelated, -1 for opposite."""',
    '    dot = sum(x * y for x, y in zip(a, b))',
    '    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))',
  ]);
  const aw = aio ? 'await ' : '';
  return [
    ...(plan.sdkDecodes ? [PY_SDK_DECODES] : []),
    `response = ${aw}client.embeddings.create(**body)`,
    `vectors = [${plan.base64 ? 'vector(item.embedding)' : 'item.embedding'} for item in response.data]`,
    'print(f"{len(vectors)} vectors of {len(vectors[0])} dimensions, {response.usage.total_tokens} tokens")',
    '',
    '# Every pair of texts, the most similar first.',
    'texts = body["input"]',
    'pairs = [(cosine(vectors[i], vectors[j]), i, j) for i, j in combinations(range(len(vectors)), 2)]',
    'for similarity, i, j in sorted(pairs, reverse=True):',
    '    print(f"{similarity:.4f}  {texts[i][:40]!r} ~ {texts[j][:40]!r}")',
  ];
}

function pythonClient(connection: Connection, className: string): string[] {
  const args = [
    connection.baseURL !== DEFAULT_BASE_URL && `base_url=${pyStr(connection.baseURL)}`,
    connection.organization && `organization=${pyStr(connection.organization)}`,
    connection.project && `project=${pyStr(connection.project)}`,
  ].filter((a): a is string => typeof a === 'string');
  const comment = `# ${className}() reads the API key from the OPENAI_API_KEY environment variable.`;
  if (args.length === 0) return [comment, `client = ${className}()`];
  if (args.length === 1) return [comment, `client = ${className}(${args[0]})`];
  return [comment, `client = ${className}(`, ...args.map((a) => `    ${a},`), ')'];
}

function pythonProgram(plan: Plan, json: string, aio: boolean): string {
  const imports = new PyImports();
  imports.module('json');
  if (aio) imports.module('asyncio');
  const className = aio ? 'AsyncOpenAI' : 'OpenAI';
  imports.from('openai', className);
  const defs: string[][] = [];
  const main =
    plan.kind === 'chat' ? pythonChat(plan, aio, imports, defs) : pythonEmbeddings(plan, aio, imports, defs);

  const blocks: { lines: string[]; def: boolean }[] = [
    {
      lines: [
        '# pip install openai',
        ...(aio ? ['# The asyncio version, for async code (FastAPI, aiohttp, ...).'] : []),
        ...imports.lines(),
      ],
      def: false,
    },
    ...defs.map((lines) => ({ lines, def: true })),
    { lines: pythonClient(plan.connection, className), def: false },
    {
      lines: [
        '# The request exactly as the playground sends it, as JSON: true, false, null and every number stay as',
        '# they are.',
        `body = json.loads(${pyJsonLiteral(json)})`,
      ],
      def: false,
    },
    aio ? { lines: ['async def main() -> None:', ...indent(main)], def: true } : { lines: main, def: false },
    ...(aio ? [{ lines: ['asyncio.run(main())'], def: false }] : []),
  ];
  let out = '';
  blocks.forEach((block, i) => {
    if (i > 0) out += block.def || blocks[i - 1]!.def ? '\n\n\n' : '\n\n';
    out += block.lines.join('\n');
  });
  return `${out}\n`;
}

// ---------------------------------------------------------------------------------------------------
// TypeScript

/** A zod schema for a shape (`depth` is the indentation of the line it starts on). */
function zodOf(shape: Shape, depth: number): string {
  const chain = (base: string, b: Bounds) =>
    base +
    (b.min !== undefined ? `.min(${b.min})` : '') +
    (b.max !== undefined ? `.max(${b.max})` : '') +
    (b.gt !== undefined ? `.gt(${b.gt})` : '') +
    (b.lt !== undefined ? `.lt(${b.lt})` : '');
  const base = (() => {
    switch (shape.type) {
      case 'string':
        return chain('z.string()', shape.bounds);
      case 'number':
        return chain('z.number()', shape.bounds);
      case 'integer':
        return chain('z.int()', shape.bounds);
      case 'boolean':
        return 'z.boolean()';
      case 'enum':
        return `z.enum([${shape.values.map(tsStr).join(', ')}])`;
      case 'array':
        return chain(`z.array(${zodOf(shape.items, depth)})`, shape.bounds);
      case 'object': {
        const fn = { forbid: 'z.strictObject', allow: 'z.looseObject', ignore: 'z.object' }[shape.extra];
        if (shape.fields.length === 0) return `${fn}({})`;
        const pad = '  '.repeat(depth + 1);
        const fields = shape.fields.flatMap((f) => [
          ...commentLines(f.description).map((l) => `${pad}// ${l}`),
          `${pad}${tsKey(f.name)}: ${zodOf(f.shape, depth + 1)}${f.required ? '' : '.optional()'},`,
        ]);
        return `${fn}({\n${fields.join('\n')}\n${'  '.repeat(depth)}})`;
      }
    }
  })();
  return shape.nullable ? `${base}.nullable()` : base;
}

/** A TypeScript type for a tool's arguments. */
function tsType(shape: Shape): string {
  const base = (() => {
    switch (shape.type) {
      case 'string':
        return 'string';
      case 'number':
      case 'integer':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'enum':
        return shape.values.map(tsStr).join(' | ');
      case 'array': {
        const item = tsType(shape.items);
        return /[ |]/.test(item) && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
      }
      case 'object':
        if (shape.fields.length === 0) return 'Record<string, never>';
        return `{ ${shape.fields.map((f) => `${tsKey(f.name)}${f.required ? '' : '?'}: ${tsType(f.shape)}`).join('; ')} }`;
    }
  })();
  return shape.nullable ? `${base} | null` : base;
}

/** How the answer text in `expr` is shown: printed (unless it was as it streamed), or parsed first. */
function tsFinish(format: AnswerFormat, expr: string, printed: boolean, schema: string | null): string[] {
  switch (format.kind) {
    case 'text':
      return printed ? [] : [`console.log(${expr});`];
    case 'json':
      return [`console.dir(JSON.parse(${expr}), { depth: null });`];
    case 'schema':
      return [
        `const answer = ${schema}.parse(JSON.parse(${expr}));`,
        'console.dir(answer, { depth: null });',
      ];
    case 'raw-schema':
      return [
        `// The schema uses ${commentText(format.reason)}, which does not map cleanly onto a zod schema:`,
        '// read the JSON as it is.',
        `const answer: unknown = JSON.parse(${expr});`,
        'console.dir(answer, { depth: null });',
      ];
  }
}

/** Prints the token usage held by the TypeScript expression `usage`. */
const tsUsage = (usage: string) =>
  `console.log(\`[\${${usage}.prompt_tokens} prompt + \${${usage}.completion_tokens} completion tokens]\`);`;

/** Inside `for await (const chunk of ...)`: keep the usage of the last chunk. */
const TS_KEEP_USAGE = [
  '// stream_options.include_usage adds one last chunk, with no choices and the token usage of the whole',
  '// request: a stream reports usage no other way.',
  'if (chunk.usage) usage = chunk.usage;',
];

/** Names the TypeScript programs declare at the top level. */
const TS_TAKEN = (
  'OpenAI z client body ask runTool toolFunctions ToolCall messages reply completion message choice stream ' +
  'chunk delta usage content contents refusal answer response vectors texts pairs vector cosine'
).split(' ');

interface TsChat {
  plan: ChatPlan;
  finish: (expr: string, printed: boolean) => string[];
  refusals: boolean;
}

function typescriptChat(plan: ChatPlan, defs: string[][], imports: string[]): string[] {
  let schema: string | null = null;
  if (plan.format.kind === 'schema') {
    schema = claim(new Set(TS_TAKEN), plan.format.name);
    imports.push("import { z } from 'zod';");
    defs.push([
      '// Derived from the JSON Schema of response_format, to check and type the answer. The request sends that',
      '// schema exactly as written.',
      `const ${schema} = ${zodOf(plan.format.root, 0)};`,
    ]);
  }
  const chat: TsChat = {
    plan,
    finish: (expr, printed) => tsFinish(plan.format, expr, printed, schema),
    refusals: plan.format.kind === 'schema' || plan.format.kind === 'raw-schema',
  };
  if (plan.tools.length) return typescriptToolLoop(chat, defs);
  return plan.stream ? typescriptStream(chat) : typescriptCompletion(chat);
}

function typescriptCompletion({ plan, finish, refusals }: TsChat): string[] {
  const lines = ['const completion = await client.chat.completions.create(body);'];
  if (plan.choices > 1) {
    lines.push(
      '// n asks for several answers to the same conversation: one choice each.',
      'for (const choice of completion.choices) {',
      '  console.log(`--- choice ${choice.index} ---`);',
      ...indent(
        finish(
          plan.format.kind === 'text' ? 'choice.message.content' : "choice.message.content ?? ''",
          false,
        ),
        '  ',
      ),
      '}',
    );
  } else if (refusals) {
    lines.push(
      'const message = completion.choices[0]?.message;',
      '// With a schema, the model may refuse instead of answering: the refusal comes in its own field.',
      "if (message?.refusal) console.log('Refused:', message.refusal);",
      'else {',
      ...indent(finish("message?.content ?? ''", false), '  '),
      '}',
    );
  } else {
    const content = 'completion.choices[0]?.message.content';
    lines.push(...finish(plan.format.kind === 'text' ? content : `${content} ?? ''`, false));
  }
  return [...lines, 'if (completion.usage)', `  ${tsUsage('completion.usage')}`];
}

function typescriptStream({ plan, finish, refusals }: TsChat): string[] {
  const head = [
    'const stream = await client.chat.completions.create(body);',
    ...(plan.includeUsage ? ['let usage: OpenAI.CompletionUsage | undefined;'] : []),
  ];
  const keepUsage = plan.includeUsage ? indent(TS_KEEP_USAGE, '  ') : [];
  const tail = plan.includeUsage ? [`if (usage) ${tsUsage('usage')}`] : [];
  if (plan.choices > 1) {
    return [
      ...head,
      '// n asks for several answers at once: their chunks interleave, each with its choice index.',
      'const contents: string[] = [];',
      'for await (const chunk of stream) {',
      ...keepUsage,
      '  for (const choice of chunk.choices) {',
      "    contents[choice.index] = (contents[choice.index] ?? '') + (choice.delta.content ?? '');",
      '  }',
      '}',
      'for (const [index, content] of contents.entries()) {',
      '  console.log(`--- choice ${index} ---`);',
      ...indent(finish("content ?? ''", false), '  '),
      '}',
      ...tail,
    ];
  }
  const keep = plan.format.kind !== 'text';
  return [
    ...head,
    ...(keep ? ["let content = '';"] : []),
    ...(refusals ? ["let refusal = '';"] : []),
    'for await (const chunk of stream) {',
    ...keepUsage,
    '  const delta = chunk.choices[0]?.delta;',
    ...(keep
      ? [
          '  if (delta?.content) {',
          '    process.stdout.write(delta.content);',
          '    content += delta.content;',
          '  }',
        ]
      : ['  if (delta?.content) process.stdout.write(delta.content);']),
    ...(refusals
      ? [
          '  // With a schema, the model may refuse instead of answering: the refusal streams in its own field.',
          '  if (delta?.refusal) refusal += delta.refusal;',
        ]
      : []),
    '}',
    "process.stdout.write('\\n');",
    ...(refusals
      ? [
          "if (refusal) console.log('Refused:', refusal);",
          'else {',
          ...indent(finish('content', true), '  '),
          '}',
        ]
      : finish('content', true)),
    ...tail,
  ];
}

function typescriptTools(tools: readonly ToolPlan[]): string[] {
  const entries = tools.flatMap((tool) => {
    const params =
      tool.params === null
        ? '(args: Record<string, unknown>)'
        : tool.params.fields.length
          ? `(args: ${tsType(tool.params)})`
          : '()';
    const result = `{ placeholder: ${tsStr(`${tool.name} result`)}${params === '()' ? '' : ', arguments: args'} }`;
    const entry = `  ${tsKey(tool.name)}: ${params} => JSON.stringify(${result}),`;
    return [
      ...commentLines(tool.description, true).map((l) => `  // ${l}`),
      ...(entry.length <= 110
        ? [entry]
        : [`  ${tsKey(tool.name)}: ${params} =>`, `    JSON.stringify(${result}),`]),
    ];
  });
  return [
    '// The tools run here, on your side: the model only asks for them and reads what they return (any text;',
    '// JSON suits it). These stubs return placeholders: put the real work in their place.',
    'const toolFunctions: Record<string, (args: any) => string> = {',
    ...entries,
    '};',
  ];
}

function typescriptToolLoop({ plan, finish }: TsChat, defs: string[][]): string[] {
  defs.push(typescriptTools(plan.tools), [
    '/** Runs one tool call; the arguments come as JSON text. */',
    'function runTool(name: string, args: string): string {',
    '  const fn = toolFunctions[name];',
    '  if (!fn) return JSON.stringify({ error: `There is no tool named ${name}.` });',
    '  return fn(JSON.parse(args));',
    '}',
  ]);
  if (plan.stream) {
    defs.push([
      'type ToolCall = OpenAI.Chat.ChatCompletionMessageFunctionToolCall;',
      '',
      '/** Sends one request, prints its text as it streams, and returns the text and tool calls it adds up to. */',
      'async function ask(request: OpenAI.Chat.ChatCompletionCreateParamsStreaming) {',
      "  let content = '';",
      '  const toolCalls = new Map<number, ToolCall>();',
      ...(plan.includeUsage ? ['  let usage: OpenAI.CompletionUsage | undefined;'] : []),
      '  for await (const chunk of await client.chat.completions.create(request)) {',
      ...(plan.includeUsage ? indent(TS_KEEP_USAGE, '    ') : []),
      '    const delta = chunk.choices[0]?.delta;',
      '    if (delta?.content) {',
      '      process.stdout.write(delta.content);',
      '      content += delta.content;',
      '    }',
      '    // A tool call streams in pieces: its id and name first, then its arguments a few characters at a time.',
      '    for (const part of delta?.tool_calls ?? []) {',
      '      const call: ToolCall = toolCalls.get(part.index) ?? {',
      "        id: '',",
      "        type: 'function',",
      "        function: { name: '', arguments: '' },",
      '      };',
      '      toolCalls.set(part.index, call);',
      '      if (part.id) call.id = part.id;',
      '      if (part.function?.name) call.function.name = part.function.name;',
      "      call.function.arguments += part.function?.arguments ?? '';",
      '    }',
      '  }',
      "  if (content) process.stdout.write('\\n');",
      ...(plan.includeUsage ? [`  if (usage) ${tsUsage('usage')}`] : []),
      '  return { content, toolCalls: [...toolCalls.values()] };',
      '}',
    ]);
  } else {
    defs.push([
      'type ToolCall = OpenAI.Chat.ChatCompletionMessageFunctionToolCall;',
      '',
      '/** Sends one request, prints its text, and returns the text and tool calls of the answer. */',
      'async function ask(request: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming) {',
      '  const completion = await client.chat.completions.create(request);',
      '  const message = completion.choices[0]?.message;',
      '  if (message?.content) console.log(message.content);',
      '  if (completion.usage)',
      `    ${tsUsage('completion.usage')}`,
      "  const toolCalls = (message?.tool_calls ?? []).filter((call): call is ToolCall => call.type === 'function');",
      "  return { content: message?.content ?? '', toolCalls };",
      '}',
    ]);
  }
  return [
    ...(plan.choices > 1 ? ['// n asks for several answers; the tool loop follows the first one.'] : []),
    'const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [...body.messages];',
    'let reply = await ask({ ...body, messages });',
    '// Until the model answers in text: run the tools it asked for, give it their results, and ask again.',
    'while (reply.toolCalls.length > 0) {',
    "  messages.push({ role: 'assistant', content: reply.content || null, tool_calls: reply.toolCalls });",
    '  for (const call of reply.toolCalls) {',
    '    const result = runTool(call.function.name, call.function.arguments);',
    '    console.log(`[${call.function.name}(${call.function.arguments}) -> ${result}]`);',
    "    messages.push({ role: 'tool', tool_call_id: call.id, content: result });",
    '  }',
    ...(plan.forcedToolChoice
      ? [
          "  // The body's tool_choice makes the model call a tool every time; the follow-ups let it choose, so",
          '  // that it can answer.',
          "  reply = await ask({ ...body, messages, tool_choice: 'auto' });",
        ]
      : [
          '  // The follow-ups repeat the body with the longer conversation.',
          '  reply = await ask({ ...body, messages });',
        ]),
    '}',
    ...finish('reply.content', true),
  ];
}

function typescriptEmbeddings(plan: EmbeddingsPlan, defs: string[][]): string[] {
  if (plan.base64) {
    defs.push([
      '/**',
      ' * A vector as numbers. encoding_format "base64" sends each one as the bytes of its little-endian float32',
      ' * values, about a quarter of the size of JSON numbers; asked for by name, it comes back undecoded.',
      ' */',
      'function vector(embedding: number[] | string): number[] {',
      "  if (typeof embedding !== 'string') return embedding;",
      '  const bytes = Uint8Array.from(atob(embedding), (c) => c.charCodeAt(0));',
      '  const view = new DataView(bytes.buffer);',
      '  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));',
      '}',
    ]);
  }
  defs.push([
    '/** Cosine similarity: 1 for the same direction, 0 for unrelated, -1 for opposite. */',
    'function cosine(a: number[], b: number[]): number {',
    '  const dot = (x: number[], y: number[]) => x.reduce((sum, value, i) => sum + value * (y[i] ?? 0), 0);',
    '  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));',
    '}',
  ]);
  return [
    ...(plan.sdkDecodes
      ? [
          '// Without encoding_format the SDK asks for base64 (a quarter of the size of JSON numbers) and decodes it.',
        ]
      : []),
    'const response = await client.embeddings.create(body);',
    `const vectors = response.data.map((item) => ${plan.base64 ? 'vector(item.embedding)' : 'item.embedding'});`,
    'console.log(`${vectors.length} vectors of ${vectors[0]?.length} dimensions, ${response.usage.total_tokens} tokens`);',
    '',
    '// Every pair of texts, the most similar first.',
    'const texts = body.input as string[];',
    'const pairs = vectors.flatMap((x, i) =>',
    "  vectors.slice(i + 1).map((y, k) => ({ similarity: cosine(x, y), a: texts[i] ?? '', b: texts[i + 1 + k] ?? '' })),",
    ');',
    'pairs.sort((p, q) => q.similarity - p.similarity);',
    'for (const { similarity, a, b } of pairs) {',
    '  console.log(`${similarity.toFixed(4)}  ${JSON.stringify(a.slice(0, 40))} ~ ${JSON.stringify(b.slice(0, 40))}`);',
    '}',
  ];
}

function typescriptClient(connection: Connection): string[] {
  const options = [
    connection.baseURL !== DEFAULT_BASE_URL && `baseURL: ${tsStr(connection.baseURL)}`,
    connection.organization && `organization: ${tsStr(connection.organization)}`,
    connection.project && `project: ${tsStr(connection.project)}`,
  ].filter((o): o is string => typeof o === 'string');
  const comment = '// The client reads the API key from the OPENAI_API_KEY environment variable.';
  if (options.length === 0) return [comment, 'const client = new OpenAI();'];
  return [comment, 'const client = new OpenAI({', ...options.map((o) => `  ${o},`), '});'];
}

function typescriptProgram(plan: Plan, json: string): string {
  const imports = ["import OpenAI from 'openai';"];
  const defs: string[][] = [];
  const main = plan.kind === 'chat' ? typescriptChat(plan, defs, imports) : typescriptEmbeddings(plan, defs);
  const bodyType =
    plan.kind === 'embeddings'
      ? 'OpenAI.EmbeddingCreateParams'
      : plan.stream
        ? 'OpenAI.Chat.ChatCompletionCreateParamsStreaming'
        : 'OpenAI.Chat.ChatCompletionCreateParamsNonStreaming';
  const packages = imports.length > 1 ? 'openai zod' : 'openai';
  const blocks = [
    [
      `// npm install ${packages}`,
      '// An ES module with top-level await: save it as main.mts and run `npx tsx main.mts`.',
      ...imports,
    ],
    ...defs,
    typescriptClient(plan.connection),
    ['// The request exactly as the playground sends it.', `const body: ${bodyType} = ${json};`],
    main,
  ];
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------
// curl

/** A shell word: bare when it is plain, else single-quoted. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A `-H` argument: double-quoted when nothing in it would expand, else single-quoted. */
function shellHeader(name: string, value: string): string {
  const header = `${name}: ${value}`;
  return /^[^"$`\\!\n\r]*$/.test(header) ? `"${header}"` : shellWord(header);
}

function curlCommand(input: CodeInput, json: string, plan: Plan): string {
  const { connection } = plan;
  const path = input.kind === 'chat' ? '/chat/completions' : '/embeddings';
  const stream = plan.kind === 'chat' && plan.stream;
  // A pretty-printed JSON object has no line that is just `JSON`: the heredoc cannot end early.
  const args = [
    `curl ${shellWord(connection.baseURL + path)}`,
    ...(stream ? ['--no-buffer'] : []),
    '-H "Authorization: Bearer $OPENAI_API_KEY"',
    '-H "Content-Type: application/json"',
    ...(connection.organization ? [`-H ${shellHeader('OpenAI-Organization', connection.organization)}`] : []),
    ...(connection.project ? [`-H ${shellHeader('OpenAI-Project', connection.project)}`] : []),
    "-d @- <<'JSON'",
  ];
  const comments = [
    "# The key comes from the OPENAI_API_KEY environment variable. The body is a quoted heredoc (<<'JSON'),",
    '# so the shell leaves every $ and backslash in it alone.',
    ...(stream
      ? [
          '# --no-buffer prints each server-sent event ("data: {...}") as it arrives; "data: [DONE]" ends them.',
        ]
      : []),
  ];
  return `${comments.join('\n')}\n${args.join(' \\\n  ')}\n${json}\nJSON\n`;
}
