import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  FORMAT_TEMPLATES,
  parseResponseFormat,
  parseTool,
  RESPONSE_FORMAT_JSON_SCHEMA,
  splitToolsImport,
  TOOL_JSON_SCHEMA,
  TOOL_NAME_PATTERN,
  TOOL_TEMPLATES,
  type DefinitionProblem,
} from '../../src/lib/tools/definitions';
import { locatePath } from '../../src/lib/tools/json-text';
import { validateValue } from '../../src/lib/tools/validate';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../fixtures');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(fixtures, path), 'utf8')) as T;

type Body = { tools: { type: string; function: { name: string; strict?: boolean } }[] };
const conversationText = readFileSync(
  join(fixtures, 'sse/pydantic-ai__gpt-4o_tool_loop.conversation.json'),
  'utf8',
);
const requestBody = (JSON.parse(conversationText) as { interactions: { request: { body: Body } }[] })
  .interactions[0]!.request.body;

function problemsOf(text: string): DefinitionProblem[] {
  const result = parseTool(text);
  if (result.ok) throw new Error('expected the tool not to parse');
  return result.problems;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** The get_weather example of the function-calling guide, in the Chat Completions format. */
const DOCS_GET_WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Retrieves current weather for the given location.',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City and country e.g. Bogotá, Colombia' },
        units: {
          type: ['string', 'null'],
          enum: ['celsius', 'fahrenheit'],
          description: 'Units the temperature will be returned in.',
        },
      },
      required: ['location', 'units'],
      additionalProperties: false,
    },
    strict: true,
  },
};

describe('TOOL_NAME_PATTERN', () => {
  it('takes 1 to 64 letters, digits, underscores or dashes', () => {
    for (const name of ['get_weather', 'a', 'A-1_b', 'x'.repeat(64)])
      expect(TOOL_NAME_PATTERN.test(name), name).toBe(true);
    for (const name of ['', 'get weather', 'naïve', 'a.b', 'x'.repeat(65)])
      expect(TOOL_NAME_PATTERN.test(name), name).toBe(false);
  });
});

describe('the editor schemas', () => {
  it('are plain JSON (Monaco receives them as data)', () => {
    expect(JSON.parse(JSON.stringify(TOOL_JSON_SCHEMA))).toEqual(TOOL_JSON_SCHEMA);
    expect(JSON.parse(JSON.stringify(RESPONSE_FORMAT_JSON_SCHEMA))).toEqual(RESPONSE_FORMAT_JSON_SCHEMA);
    expect(TOOL_JSON_SCHEMA.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('document the keywords people hover', () => {
    const fn = (
      TOOL_JSON_SCHEMA.properties as Record<string, { properties: Record<string, Record<string, unknown>> }>
    ).function!.properties;
    for (const key of ['name', 'description', 'parameters', 'strict']) {
      expect(typeof fn[key]!.description, key).toBe('string');
      expect(typeof fn[key]!.markdownDescription, key).toBe('string');
    }
    const keywords = fn.parameters!.properties as Record<string, Record<string, unknown>>;
    for (const key of [
      'type',
      'properties',
      'required',
      'enum',
      'items',
      'description',
      'additionalProperties',
      'anyOf',
      '$defs',
      '$ref',
    ])
      expect(typeof keywords[key]!.description, key).toBe('string');
  });

  it('accept the docs example and every recorded tool', () => {
    expect(validateValue(TOOL_JSON_SCHEMA, DOCS_GET_WEATHER)).toEqual({ valid: true });
    for (const tool of requestBody.tools)
      expect(validateValue(TOOL_JSON_SCHEMA, tool), tool.function.name).toEqual({ valid: true });
  });
});

describe('parseTool', () => {
  it('parses all 19 recorded pydantic-ai tools; the strict ones are lint-clean', () => {
    expect(requestBody.tools).toHaveLength(19);
    for (const original of requestBody.tools) {
      const result = parseTool(pretty(original));
      expect(result.ok, original.function.name).toBe(true);
      if (!result.ok) continue;
      expect(result.name).toBe(original.function.name);
      expect(result.tool).toEqual(original);
      expect(result.strict).toBe(original.function.strict === true);
      expect(result.lint, original.function.name).toEqual([]);
    }
    const strict = requestBody.tools.filter((t) => t.function.strict === true).map((t) => t.function.name);
    expect(strict).toEqual([
      'get_weather',
      'celsius_to_fahrenheit',
      'get_weather_forecast',
      'use_sampling',
      'final_result',
    ]);
  });

  it('parses the tools of the recorded openai-python requests and the published example', () => {
    const index = readJson<{ file: string; request: { tools?: unknown } }[]>('sse/index.json');
    const tools = index.flatMap((e) =>
      Array.isArray(e.request.tools) ? (e.request.tools as unknown[]) : [],
    );
    expect(tools).toHaveLength(2);
    for (const tool of tools)
      expect(parseTool(pretty(tool))).toMatchObject({ ok: true, name: 'get_weather', lint: [] });

    const { examples } = readJson<{ examples: { title: string; request_body: { tools?: unknown[] } }[] }>(
      'openapi_published_examples.json',
    );
    const published = examples.find((e) => e.title === 'Functions')!.request_body.tools![0];
    expect(parseTool(pretty(published))).toMatchObject({
      ok: true,
      name: 'get_current_weather',
      strict: false,
      lint: [],
    });
  });

  it('lints the docs example clean, and keeps the tool exactly as written', () => {
    const text = pretty(DOCS_GET_WEATHER);
    const result = parseTool(text);
    expect(result).toEqual({ ok: true, tool: DOCS_GET_WEATHER, name: 'get_weather', strict: true, lint: [] });
    if (result.ok) expect(JSON.stringify(result.tool)).toBe(JSON.stringify(DOCS_GET_WEATHER));
  });

  it('lints a strict tool with paths from the tool root that locate in the text', () => {
    const text = pretty({
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
          required: ['city'],
          additionalProperties: false,
        },
        strict: true,
      },
    });
    const result = parseTool(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.lint).toEqual([
      {
        rule: 'required',
        path: ['function', 'parameters', 'properties', 'unit'],
        message:
          'Strict mode needs every property listed in "required": add "unit" (make it optional with "type": ["string", "null"] and null in its "enum").',
      },
    ]);
    const at = locatePath(text, result.lint[0]!.path)!;
    expect(text.slice(at.offset, at.offset + at.length)).toBe('"unit"');
    expect(at.line).toBe(11);
  });

  it('does not lint a tool that is not strict, nor a strict tool without parameters', () => {
    const loose = parseTool(
      pretty({
        type: 'function',
        function: { name: 'f', parameters: { type: 'object', properties: { a: {} } } },
      }),
    );
    expect(loose).toMatchObject({ ok: true, strict: false, lint: [] });
    const bare = parseTool(pretty({ type: 'function', function: { name: 'ping', strict: true } }));
    expect(bare).toMatchObject({ ok: true, strict: true, lint: [] });
  });

  it('reports JSON errors with their line and column', () => {
    expect(problemsOf('{\n  "type": "function",\n}')).toEqual([
      {
        message: 'Trailing comma: remove the comma before the closing bracket',
        line: 2,
        column: 21,
        path: null,
      },
    ]);
    expect(problemsOf('')).toEqual([{ message: 'The editor is empty', line: 1, column: 1, path: null }]);
  });

  it('names the path and points at the key for each shape problem', () => {
    const text = [
      '{',
      '  "type": "function",',
      '  "function": {',
      '    "name": "get weather",',
      '    "parameters": {"type": "object", "properties": {"city": {"type": "str"}}},',
      '    "strict": "yes"',
      '  },',
      '  "extra": 1',
      '}',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      {
        message: '"function.name" must match ^[a-zA-Z0-9_-]{1,64}$',
        line: 4,
        column: 5,
        path: ['function', 'name'],
      },
      {
        message:
          '"function.parameters.properties.city.type" must be one of "string", "number", "integer", "boolean", "object", "array", "null"',
        line: 5,
        column: 62,
        path: ['function', 'parameters', 'properties', 'city', 'type'],
      },
      {
        message: '"function.strict" must be a boolean or null (got a string)',
        line: 6,
        column: 5,
        path: ['function', 'strict'],
      },
      { message: 'unexpected property "extra"', line: 8, column: 3, path: ['extra'] },
    ]);
  });

  it('says what is missing, at the object that lacks it', () => {
    expect(problemsOf(pretty({ type: 'function', function: { description: 'x' } }))).toEqual([
      { message: '"function" is missing required property "name"', line: 3, column: 3, path: ['function'] },
    ]);
    expect(problemsOf(pretty({ function: { name: 'f' } }))).toEqual([
      { message: 'missing required property "type"', line: 1, column: 1, path: [] },
    ]);
    expect(problemsOf(pretty({ type: 'custom', function: { name: 'f' } }))[0]!.message).toBe(
      '"type" must be "function"',
    );
    expect(
      problemsOf(pretty({ type: 'function', function: { name: 'f', parameters: { properties: {} } } }))[0]!
        .message,
    ).toBe('"function.parameters" is missing required property "type"');
    expect(problemsOf('[]')[0]!.message).toBe('The value must be an object (got an array)');
  });

  it('recognises the Responses API form and says how Chat Completions nests it', () => {
    const problems = problemsOf(pretty({ type: 'function', name: 'get_weather', parameters: {} }));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^This is the Responses API form/);
  });
});

describe('parseResponseFormat', () => {
  it('parses the template: strict and lint-clean', () => {
    const result = parseResponseFormat(FORMAT_TEMPLATES[0]!.text);
    expect(result).toMatchObject({ ok: true, strict: true, lint: [], format: { name: 'product_review' } });
  });

  it('lints a strict schema with paths under "schema"', () => {
    const union = {
      name: 'result',
      schema: { anyOf: [{ type: 'object', properties: {}, additionalProperties: false }, { type: 'null' }] },
      strict: true,
    };
    const result = parseResponseFormat(pretty(union));
    expect(result.ok && result.lint.map((i) => [i.rule, i.path])).toEqual([
      ['root-any-of', ['schema', 'anyOf']],
    ]);
    expect(parseResponseFormat(pretty({ ...union, strict: false }))).toMatchObject({
      ok: true,
      strict: false,
      lint: [],
    });
  });

  it('needs a name and a schema, and says so at the root', () => {
    const result = parseResponseFormat('{\n  "strict": true\n}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toEqual([
      'missing required property "name"',
      'missing required property "schema"',
    ]);
    expect(result.problems[0]).toMatchObject({ line: 1, column: 1, path: [] });
    const badName = parseResponseFormat(pretty({ name: 'my format', schema: { type: 'object' } }));
    expect(!badName.ok && badName.problems[0]!.message).toBe('"name" must match ^[a-zA-Z0-9_-]{1,64}$');
  });

  it('asks for the inner object when given the whole response_format', () => {
    const result = parseResponseFormat(
      pretty({ type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } }),
    );
    expect(!result.ok && result.problems[0]!.message).toMatch(/^Write only the object inside "json_schema"/);
  });
});

describe('templates', () => {
  it('are strict, lint-clean and pretty-printed with two spaces', () => {
    expect(TOOL_TEMPLATES.map((t) => t.id)).toEqual(['get_weather', 'search', 'calculator', 'blank']);
    for (const template of TOOL_TEMPLATES) {
      expect(template.text).toBe(pretty(JSON.parse(template.text)));
      expect(template.label.length).toBeGreaterThan(0);
      const result = parseTool(template.text);
      expect(result, template.id).toMatchObject({ ok: true, strict: true, lint: [] });
    }
    expect(FORMAT_TEMPLATES.map((t) => t.id)).toEqual(['product_review']);
    for (const template of FORMAT_TEMPLATES) expect(template.text).toBe(pretty(JSON.parse(template.text)));
  });

  it('start get_weather with a city and a celsius/fahrenheit unit, and blank as my_function', () => {
    const weather = parseTool(TOOL_TEMPLATES[0]!.text);
    expect(weather.ok && weather.tool.function.parameters).toMatchObject({
      properties: { city: { type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
    });
    expect(parseTool(TOOL_TEMPLATES[3]!.text)).toMatchObject({ ok: true, name: 'my_function' });
    const review = parseResponseFormat(FORMAT_TEMPLATES[0]!.text);
    expect(review.ok && review.format.schema).toMatchObject({
      properties: {
        sentiment: { enum: ['positive', 'neutral', 'negative'] },
        score: { type: 'integer', minimum: 1, maximum: 5 },
        key_points: { type: 'array', items: { type: 'string' } },
        summary: { type: 'string' },
      },
    });
  });
});

describe('splitToolsImport', () => {
  it('splits a whole recorded request body into 19 texts equal to its tools, key order kept', () => {
    // The request body as a user would paste it (the file around it is the whole recorded conversation).
    const body = splitToolsImport(JSON.stringify(requestBody, null, 2));
    expect(body.ok).toBe(true);
    if (!body.ok) return;
    expect(body.texts).toHaveLength(19);
    body.texts.forEach((text, i) => {
      expect(JSON.parse(text)).toEqual(requestBody.tools[i]);
      expect(JSON.stringify(JSON.parse(text))).toBe(JSON.stringify(requestBody.tools[i]));
      expect(text).toBe(pretty(requestBody.tools[i]));
      expect(parseTool(text).ok).toBe(true);
    });
  });

  it('takes an array of tools, or one tool', () => {
    const tools = [DOCS_GET_WEATHER, JSON.parse(TOOL_TEMPLATES[2]!.text) as unknown];
    expect(splitToolsImport(JSON.stringify(tools))).toEqual({ ok: true, texts: tools.map(pretty) });
    expect(splitToolsImport(JSON.stringify(DOCS_GET_WEATHER))).toEqual({
      ok: true,
      texts: [pretty(DOCS_GET_WEATHER)],
    });
  });

  it('wraps legacy "functions" entries as function tools', () => {
    const legacy = {
      name: 'get_current_weather',
      description: 'd',
      parameters: { type: 'object', properties: {} },
    };
    const expected = { ok: true, texts: [pretty({ type: 'function', function: legacy })] };
    expect(splitToolsImport(JSON.stringify({ model: 'gpt-4o', functions: [legacy] }))).toEqual(expected);
    expect(splitToolsImport(JSON.stringify(legacy))).toEqual(expected);
  });

  it('says why nothing can be imported', () => {
    const notJson = splitToolsImport('{\n  "tools": [,]\n}');
    expect(notJson).toEqual({
      ok: false,
      message: 'it is not valid JSON (line 2, column 13: Expected a value).',
    });
    expect(splitToolsImport('{"model": "gpt-4o"}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^no tools found/),
    });
    expect(splitToolsImport('[]')).toEqual({ ok: false, message: 'no tools found: the list is empty.' });
    expect(splitToolsImport('"get_weather"')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^no tools found/),
    });
    expect(
      splitToolsImport(
        JSON.stringify({ tools: [DOCS_GET_WEATHER, { type: 'custom', custom: { name: 'x' } }] }),
      ),
    ).toEqual({
      ok: false,
      message:
        'tools[1] is not a function tool: its type is "custom" (only "function" tools can be edited here).',
    });
    expect(splitToolsImport(JSON.stringify([{ type: 'function', name: 'flat' }]))).toEqual({
      ok: false,
      message:
        '[0] is a Responses API tool ({"type": "function", "name": …}); Chat Completions nests it under "function".',
    });
    expect(splitToolsImport(JSON.stringify([1]))).toEqual({
      ok: false,
      message: '[0] is not a function tool (it is 1).',
    });
  });
});
