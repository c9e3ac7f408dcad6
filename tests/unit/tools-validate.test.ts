import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkArguments, validateValue, type SchemaError } from '../../src/lib/tools/validate';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../fixtures');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(fixtures, path), 'utf8')) as T;

function errorsOf(schema: unknown, value: unknown): SchemaError[] {
  const result = validateValue(schema, value);
  if (result.valid) throw new Error('expected the value not to be valid');
  return result.errors;
}
const messages = (schema: unknown, value: unknown) => errorsOf(schema, value).map((e) => e.message);

const weather = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'The city' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['city', 'unit'],
  additionalProperties: false,
};

describe('validateValue', () => {
  it('accepts a valid value', () => {
    expect(validateValue(weather, { city: 'Paris', unit: 'celsius' })).toEqual({ valid: true });
    expect(validateValue(true, { anything: 1 })).toEqual({ valid: true });
    expect(validateValue({}, null)).toEqual({ valid: true });
  });

  it('lists every failure with a readable message at its place', () => {
    const errors = errorsOf(weather, { unit: 'kelvin', country: 'FR' });
    expect(errors).toEqual([
      { path: [], keyword: 'required', message: 'missing required property "city"' },
      { path: ['unit'], keyword: 'enum', message: '"unit" must be one of "celsius", "fahrenheit"' },
      { path: ['country'], keyword: 'additionalProperties', message: 'unexpected property "country"' },
    ]);
  });

  it('rewrites the common keywords in plain words', () => {
    const schema = {
      type: 'object',
      properties: {
        n: { type: 'integer', minimum: 1, maximum: 5 },
        x: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.25 },
        code: { type: 'string', pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 },
        email: { type: 'string', format: 'email' },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2, uniqueItems: true },
        kind: { const: 'user' },
        flag: { type: 'boolean' },
        maybe: { type: ['string', 'null'] },
      },
    };
    expect(messages(schema, { n: 0 })).toEqual(['"n" must be at least 1']);
    expect(messages(schema, { n: 6 })).toEqual(['"n" must be at most 5']);
    expect(messages(schema, { n: 2.5 })).toEqual(['"n" must be an integer (got a number)']);
    expect(messages(schema, { x: 0 })).toEqual(['"x" must be greater than 0']);
    expect(messages(schema, { x: 1 })).toEqual(['"x" must be less than 1']);
    expect(messages(schema, { x: 0.3 })).toEqual(['"x" must be a multiple of 0.25']);
    expect(messages(schema, { code: 'abcd' })).toEqual([
      '"code" must be at most 3 characters long',
      '"code" must match ^[A-Z]{3}$',
    ]);
    expect(messages(schema, { email: 'not an email' })).toEqual(['"email" must be a valid email']);
    expect(messages(schema, { tags: [] })).toEqual(['"tags" must have at least 1 item']);
    expect(messages(schema, { tags: ['a', 'a', 'b'] })).toEqual([
      '"tags" must have at most 2 items',
      '"tags" must not contain duplicate items',
    ]);
    expect(messages(schema, { kind: 'admin' })).toEqual(['"kind" must be "user"']);
    expect(messages(schema, { flag: 'yes' })).toEqual(['"flag" must be true or false (got a string)']);
    expect(messages(schema, { maybe: 3 })).toEqual(['"maybe" must be a string or null (got a number)']);
    expect(messages({ type: 'object' }, [])).toEqual(['The value must be an object (got an array)']);
  });

  it('gives nested paths, with array indices as numbers, and drops the wrappers around a failure', () => {
    const schema = {
      type: 'object',
      properties: {
        answers: { type: 'array', items: { $ref: '#/$defs/Answer' } },
        'odd key': { type: 'array', items: { type: 'number' } },
      },
      $defs: {
        Answer: {
          type: 'object',
          properties: { label: { type: 'string' }, answer: { type: 'string' } },
          required: ['label', 'answer'],
          additionalProperties: false,
        },
      },
    };
    const errors = errorsOf(schema, {
      answers: [{ label: 'ok', answer: 'ok' }, { label: 1 }],
      'odd key': [1, 'two'],
    });
    expect(errors).toEqual([
      {
        path: ['answers', 1],
        keyword: 'required',
        message: '"answers[1]" is missing required property "answer"',
      },
      {
        path: ['answers', 1, 'label'],
        keyword: 'type',
        message: '"answers[1].label" must be a string (got a number)',
      },
      { path: ['odd key', 1], keyword: 'type', message: `'["odd key"][1]' must be a number (got a string)` },
    ]);
    for (const error of errors) expect(['properties', 'items', '$ref']).not.toContain(error.keyword);
  });

  it('follows recursive references', () => {
    const ui = {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['div', 'button'] },
        children: { type: 'array', items: { $ref: '#' } },
      },
      required: ['type', 'children'],
      additionalProperties: false,
    };
    expect(validateValue(ui, { type: 'div', children: [{ type: 'button', children: [] }] })).toEqual({
      valid: true,
    });
    expect(
      errorsOf(ui, {
        type: 'div',
        children: [{ type: 'button', children: [{ type: 'span', children: [] }] }],
      }),
    ).toEqual([
      {
        path: ['children', 0, 'children', 0, 'type'],
        keyword: 'enum',
        message: '"children[0].children[0].type" must be one of "div", "button"',
      },
    ]);
  });

  it('reports the anyOf option the value was meant for, or summarises the types', () => {
    const schema = {
      type: 'object',
      properties: {
        address: {
          anyOf: [
            {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
              additionalProperties: false,
            },
            { type: 'null' },
          ],
        },
        id: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        shape: {
          anyOf: [
            { type: 'object', properties: { kind: { const: 'circle' } }, required: ['kind'] },
            { type: 'object', properties: { kind: { const: 'square' } }, required: ['kind'] },
          ],
        },
      },
    };
    expect(errorsOf(schema, { address: { town: 'Paris' } })).toEqual([
      { path: ['address'], keyword: 'required', message: '"address" is missing required property "city"' },
      {
        path: ['address', 'town'],
        keyword: 'additionalProperties',
        message: 'unexpected property "town" in "address"',
      },
    ]);
    expect(errorsOf(schema, { address: 3 })).toEqual([
      { path: ['address'], keyword: 'anyOf', message: '"address" must be an object or null' },
    ]);
    expect(messages(schema, { id: true })).toEqual(['"id" must be a string or an integer']);
    expect(messages(schema, { shape: { kind: 'triangle' } })).toEqual([
      '"shape" does not match any of the 2 allowed options ("anyOf")',
    ]);
  });

  it('among options of the right type, reports the one with the fewest failures', () => {
    const closed = (properties: Record<string, unknown>) => ({
      type: 'object',
      properties,
      required: Object.keys(properties),
      additionalProperties: false,
    });
    const schema = {
      anyOf: [
        closed({ kind: { const: 'circle' }, radius: { type: 'number' } }),
        closed({ kind: { const: 'square' } }),
      ],
    };
    expect(errorsOf(schema, { kind: 'circle', radius: 1, color: 'red' })).toEqual([
      { path: ['color'], keyword: 'additionalProperties', message: 'unexpected property "color"' },
    ]);
    expect(errorsOf(schema, { kind: 'square', size: 2 })).toEqual([
      { path: ['size'], keyword: 'additionalProperties', message: 'unexpected property "size"' },
    ]);
  });

  it('says when a value matches several oneOf options', () => {
    const schema = { oneOf: [{ type: 'string' }, { type: 'string', minLength: 1 }] };
    expect(errorsOf(schema, 'x')).toEqual([
      {
        path: [],
        keyword: 'oneOf',
        message: 'The value must match exactly one of the "oneOf" options (it matches 2)',
      },
    ]);
  });

  it('explains a schema it cannot use in one "schema" error, and never throws', () => {
    const cases: [unknown, RegExp][] = [
      ['object', /not a string/],
      [null, /not null/],
      [[{ type: 'string' }], /not an array/],
      [{ properties: { a: { $ref: '#/$defs/Missing' } } }, /"\$ref": "#\/\$defs\/Missing" does not point/],
      [{ $ref: 'https://example.com/schema.json' }, /does not point to a schema inside it/],
      [{ type: 'string', pattern: '(' }, /Invalid regular expression/],
    ];
    for (const [schema, why] of cases) {
      const result = validateValue(schema, 'x');
      expect(result.valid, JSON.stringify(schema)).toBe(false);
      if (!result.valid) {
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0]).toMatchObject({ path: [], keyword: 'schema' });
        expect(result.errors[0]!.message).toMatch(/^The schema cannot be used: /);
        expect(result.errors[0]!.message).toMatch(why);
      }
    }
    expect(validateValue({ type: 'string' }, undefined)).toEqual({
      valid: false,
      errors: [{ path: [], keyword: 'type', message: 'There is no value to check' }],
    });
  });

  it('leaves the caller’s schema untouched', () => {
    const schema = structuredClone(weather) as Record<string, unknown>;
    validateValue(schema, { city: 'x' });
    expect(Object.getOwnPropertyNames(schema).sort()).toEqual(Object.keys(weather).sort());
    expect(schema).toEqual(weather);
  });

  it('validates a 50-property object quickly, reusing the compiled schema', () => {
    const properties: Record<string, unknown> = {};
    const value: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      properties[`field_${i}`] =
        i % 2 ? { type: 'string', enum: ['a', 'b', 'c'] } : { type: 'number', minimum: 0 };
      value[`field_${i}`] = i % 2 ? 'b' : i;
    }
    const schema = {
      type: 'object',
      properties,
      required: Object.keys(properties),
      additionalProperties: false,
    };
    expect(validateValue(schema, value)).toEqual({ valid: true });
    const start = performance.now();
    for (let i = 0; i < 500; i++) validateValue(schema, value);
    const perCall = (performance.now() - start) / 500;
    expect(perCall).toBeLessThan(2);
  });
});

describe('checkArguments', () => {
  const getWeather = {
    additionalProperties: false,
    properties: { city: { type: 'string' } },
    required: ['city'],
    type: 'object',
  };

  it('parses the arguments, then validates them when the parameters are known', () => {
    expect(checkArguments('{"city":"Mexico City"}', getWeather)).toEqual({
      json: { ok: true, value: { city: 'Mexico City' } },
      validation: { valid: true },
    });
    const wrong = checkArguments('{"town":"Paris"}', getWeather);
    expect(wrong.json.ok).toBe(true);
    expect(wrong.validation).toEqual({
      valid: false,
      errors: [
        { path: [], keyword: 'required', message: 'missing required property "city"' },
        { path: ['town'], keyword: 'additionalProperties', message: 'unexpected property "town"' },
      ],
    });
  });

  it('does not validate arguments that are not JSON, or a tool without parameters', () => {
    const broken = checkArguments('{"city": "Par', getWeather);
    expect(broken.json.ok).toBe(false);
    expect(broken.validation).toBeNull();
    expect(checkArguments('{}', undefined)).toEqual({ json: { ok: true, value: {} }, validation: null });
  });

  type Tool = { type: string; function: { name: string; parameters?: unknown; strict?: boolean } };
  type Call = { name: string; arguments: string };
  type Entry = {
    file: string;
    request: { tools?: unknown };
    assembled_by_concatenating_deltas: Record<string, { tool_calls: Call[] }>;
  };

  /** Every recorded tool call whose request's tools are known, with those tools. */
  function recordedCalls(): { file: string; call: Call; tools: Tool[] }[] {
    const index = readJson<Entry[]>('sse/index.json');
    const conversations: Record<string, { interactions: { request: { body: { tools: Tool[] } } }[] }> = {};
    const out: { file: string; call: Call; tools: Tool[] }[] = [];
    for (const entry of index) {
      let tools: Tool[] | undefined;
      if (Array.isArray(entry.request.tools)) tools = entry.request.tools as Tool[];
      const turn = /^(pydantic-ai__.+)\.(\d+)\.sse$/.exec(entry.file);
      if (turn) {
        const name = `sse/${turn[1]}.conversation.json`;
        conversations[name] ??= readJson(name);
        tools = conversations[name].interactions[Number(turn[2]) - 1]!.request.body.tools;
      }
      if (!tools) continue;
      for (const choice of Object.values(entry.assembled_by_concatenating_deltas))
        for (const call of choice.tool_calls) out.push({ file: entry.file, call, tools });
    }
    return out;
  }

  it('accepts every recorded tool call whose tools are known, against its tool’s parameters', () => {
    const calls = recordedCalls();
    expect(calls.map((c) => `${c.file} ${c.call.name}`)).toEqual([
      'openai-python__test_allows_non_strict_tools_but_no_parsing.sse get_weather',
      'openai-python__test_parse_strict_tools.sse get_weather',
      'pydantic-ai__gpt-4o_tool_loop.1.sse get_country',
      'pydantic-ai__gpt-4o_tool_loop.1.sse get_product_name',
      'pydantic-ai__gpt-4o_tool_loop.2.sse get_weather',
      'pydantic-ai__gpt-4o_tool_loop.3.sse final_result',
      'pydantic-ai__gpt-4o-mini_tool_then_text.1.sse get_capital',
    ]);
    for (const { file, call, tools } of calls) {
      const tool = tools.find((t) => t.function.name === call.name);
      expect(tool, `${file} ${call.name}`).toBeDefined();
      expect(checkArguments(call.arguments, tool!.function.parameters), `${file} ${call.name}`).toMatchObject(
        {
          json: { ok: true },
          validation: { valid: true },
        },
      );
    }
    const mexico = calls.find((c) => c.call.arguments === '{"city":"Mexico City"}');
    expect(mexico?.call.name).toBe('get_weather');
  });

  it('accepts the tool call of the published "Functions" example against its tool', () => {
    const { examples } = readJson<{
      examples: {
        title: string;
        request_body: { tools: Tool[] };
        response: { choices: { message: { tool_calls: { function: Call }[] } }[] };
      }[];
    }>('openapi_published_examples.json');
    const functions = examples.find((e) => e.title === 'Functions')!;
    const call = functions.response.choices[0]!.message.tool_calls[0]!.function;
    const tool = functions.request_body.tools.find((t) => t.function.name === call.name)!;
    expect(checkArguments(call.arguments, tool.function.parameters)).toMatchObject({
      json: { ok: true, value: { location: 'Boston, MA' } },
      validation: { valid: true },
    });
    expect(
      checkArguments('{"location": "Boston, MA", "unit": "kelvin"}', tool.function.parameters).validation,
    ).toEqual({
      valid: false,
      errors: [{ path: ['unit'], keyword: 'enum', message: '"unit" must be one of "celsius", "fahrenheit"' }],
    });
  });
});
