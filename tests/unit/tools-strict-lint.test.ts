import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintStrictSchema, STRICT_LIMITS, type LintIssue } from '../../src/lib/tools/strict-lint';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../fixtures');

const response = (schema: unknown) => lintStrictSchema(schema, { root: 'response' });
const parameters = (schema: unknown) => lintStrictSchema(schema, { root: 'parameters' });
const rules = (issues: LintIssue[]) => issues.map((i) => `${i.rule} ${JSON.stringify(i.path)}`);

/** Examples of https://developers.openai.com/api/docs/guides/structured-outputs and function-calling. */
const DOCS = {
  weatherRequired: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The location to get the weather for' },
      unit: { type: 'string', description: 'The unit to return the temperature in', enum: ['F', 'C'] },
    },
    additionalProperties: false,
    required: ['location', 'unit'],
  },
  weatherOptionalUnit: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'City and country e.g. Bogotá, Colombia' },
      units: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit'], description: 'Units' },
    },
    additionalProperties: false,
    required: ['location', 'units'],
  },
  weatherData: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The location to get the weather for' },
      unit: { type: ['string', 'null'], description: 'The unit', enum: ['F', 'C'] },
      value: { type: 'number', description: 'The temperature', minimum: -130, maximum: 130 },
    },
    additionalProperties: false,
    required: ['location', 'unit', 'value'],
  },
  anyOfItem: {
    type: 'object',
    properties: {
      item: {
        anyOf: [
          {
            type: 'object',
            description: 'The user object to insert into the database',
            properties: { name: { type: 'string' }, age: { type: 'number' } },
            additionalProperties: false,
            required: ['name', 'age'],
          },
          {
            type: 'object',
            description: 'The address object to insert into the database',
            properties: { number: { type: 'string' }, street: { type: 'string' }, city: { type: 'string' } },
            additionalProperties: false,
            required: ['number', 'street', 'city'],
          },
        ],
      },
    },
    additionalProperties: false,
    required: ['item'],
  },
  definitions: {
    type: 'object',
    properties: {
      steps: { type: 'array', items: { $ref: '#/$defs/step' } },
      final_answer: { type: 'string' },
    },
    $defs: {
      step: {
        type: 'object',
        properties: { explanation: { type: 'string' }, output: { type: 'string' } },
        required: ['explanation', 'output'],
        additionalProperties: false,
      },
    },
    required: ['steps', 'final_answer'],
    additionalProperties: false,
  },
  recursiveUi: {
    type: 'object',
    properties: {
      type: {
        type: 'string',
        description: 'The type of the UI component',
        enum: ['div', 'button', 'header', 'section', 'field', 'form'],
      },
      label: { type: 'string' },
      children: { type: 'array', description: 'Nested UI components', items: { $ref: '#' } },
      attributes: {
        type: 'array',
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, value: { type: 'string' } },
          additionalProperties: false,
          required: ['name', 'value'],
        },
      },
    },
    required: ['type', 'label', 'children', 'attributes'],
    additionalProperties: false,
  },
  linkedList: {
    type: 'object',
    properties: { linked_list: { $ref: '#/$defs/linked_list_node' } },
    $defs: {
      linked_list_node: {
        type: 'object',
        properties: {
          value: { type: 'number' },
          next: { anyOf: [{ $ref: '#/$defs/linked_list_node' }, { type: 'null' }] },
        },
        additionalProperties: false,
        required: ['next', 'value'],
      },
    },
    additionalProperties: false,
    required: ['linked_list'],
  },
  query: {
    type: 'object',
    properties: {
      table_name: { type: 'string', enum: ['orders'] },
      columns: {
        type: 'array',
        items: {
          type: 'string',
          enum: ['id', 'status', 'expected_delivery_date', 'delivered_at', 'ordered_at'],
        },
      },
      conditions: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            column: { type: 'string' },
            operator: { type: 'string', enum: ['=', '>', '<', '>=', '<=', '!='] },
            value: {
              anyOf: [
                { type: 'string' },
                { type: 'number' },
                {
                  type: 'object',
                  properties: { column_name: { type: 'string' } },
                  required: ['column_name'],
                  additionalProperties: false,
                },
              ],
            },
          },
          required: ['column', 'operator', 'value'],
          additionalProperties: false,
        },
      },
      order_by: { type: 'string', enum: ['asc', 'desc'] },
    },
    required: ['table_name', 'columns', 'conditions', 'order_by'],
    additionalProperties: false,
  },
  // The guide's "Supported properties": pattern, format, numeric bounds, array bounds.
  constraints: {
    type: 'object',
    properties: {
      username: { type: 'string', description: 'The username', pattern: '^@[a-zA-Z0-9_]+$' },
      email: { type: 'string', format: 'email' },
      when: { type: 'string', format: 'date-time' },
      price: { type: 'number', multipleOf: 0.01, exclusiveMinimum: 0, exclusiveMaximum: 1000 },
      tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5 },
      nickname: { type: 'string', minLength: 1, maxLength: 20 },
      kind: { const: 'user' },
    },
    additionalProperties: false,
    required: ['username', 'email', 'when', 'price', 'tags', 'nickname', 'kind'],
  },
};

describe('lintStrictSchema on schemas strict mode accepts', () => {
  it.each(Object.entries(DOCS))('finds nothing in the docs example %s', (_name, schema) => {
    expect(response(schema)).toEqual([]);
    expect(parameters(schema)).toEqual([]);
  });

  it('finds nothing in the strict tools of the recorded pydantic-ai and openai-python requests', () => {
    const conversation = JSON.parse(
      readFileSync(join(fixtures, 'sse/pydantic-ai__gpt-4o_tool_loop.conversation.json'), 'utf8'),
    ) as {
      interactions: {
        request: { body: { tools: { function: { strict?: boolean; parameters: unknown } }[] } };
      }[];
    };
    const tools = conversation.interactions[0]!.request.body.tools;
    const strict = tools.filter((t) => t.function.strict === true);
    expect(strict.length).toBe(5);
    for (const tool of strict) expect(parameters(tool.function.parameters)).toEqual([]);

    const index = JSON.parse(readFileSync(join(fixtures, 'sse/index.json'), 'utf8')) as {
      file: string;
      request: { tools?: unknown };
    }[];
    const strictTools = index.find((e) => e.file === 'openai-python__test_parse_strict_tools.sse')!.request
      .tools as { function: { strict: boolean; parameters: unknown } }[];
    expect(strictTools[0]!.function.strict).toBe(true);
    expect(parameters(strictTools[0]!.function.parameters)).toEqual([]);
  });

  it('accepts definitions under "definitions" and references to "#"', () => {
    const schema = {
      type: 'object',
      properties: { node: { $ref: '#/definitions/Node' } },
      definitions: {
        Node: {
          type: 'object',
          properties: { children: { type: 'array', items: { $ref: '#/definitions/Node' } } },
          required: ['children'],
          additionalProperties: false,
        },
      },
      required: ['node'],
      additionalProperties: false,
    };
    expect(response(schema)).toEqual([]);
  });
});

describe('lintStrictSchema at the root', () => {
  it('gives one root issue for anything that is not an object, and never throws', () => {
    for (const value of [null, undefined, 'object', 42, true, [], [{ type: 'object' }]]) {
      const issues = response(value);
      expect(issues, String(value)).toHaveLength(1);
      expect(issues[0]).toMatchObject({ rule: 'root-object', path: [] });
    }
    expect(parameters(null)[0]!.message).toMatch(/^Function parameters must be a JSON Schema object/);
  });

  it('refuses a root anyOf (a discriminated union), suggesting a property for the union', () => {
    const union = {
      anyOf: [
        {
          type: 'object',
          properties: { ok: { type: 'boolean' } },
          required: ['ok'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { error: { type: 'string' } },
          required: ['error'],
          additionalProperties: false,
        },
      ],
    };
    const issues = response(union);
    expect(rules(issues)).toEqual(['root-any-of ["anyOf"]']);
    expect(issues[0]!.message).toMatch(/must be an object, not "anyOf"/);
  });

  it('refuses a root that is not "type": "object"', () => {
    expect(rules(response({ type: 'array', items: { type: 'string' } }))).toEqual(['root-object ["type"]']);
    expect(response({ type: 'array', items: { type: 'string' } })[0]!.message).toContain('not "array"');
    expect(rules(parameters({ properties: {} }))).toEqual([
      'root-object ["type"]',
      'additional-properties ["additionalProperties"]',
    ]);
    expect(parameters({ properties: {} })[0]!.message).toBe('Function parameters must say "type": "object".');
  });
});

describe('lintStrictSchema on objects', () => {
  it('needs additionalProperties: false on every object, naming where', () => {
    const schema = {
      type: 'object',
      properties: {
        address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        extra: { type: 'object', properties: {}, additionalProperties: true },
      },
      required: ['address', 'extra'],
    };
    const issues = parameters(schema);
    expect(rules(issues)).toEqual([
      'additional-properties ["additionalProperties"]',
      'additional-properties ["properties","address","additionalProperties"]',
      'additional-properties ["properties","extra","additionalProperties"]',
    ]);
    expect(issues[0]!.message).toBe(
      'Strict mode needs "additionalProperties": false on every object: add it to the parameters object.',
    );
    expect(issues[1]!.message).toContain('add it to property "address"');
    expect(issues[2]!.message).toContain('property "extra" has true: set it to false');
  });

  it('needs every property in "required", suggesting a null union to keep it optional', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string' },
        scale: { type: 'string', enum: ['c', 'f'] },
        tags: { type: ['array', 'null'], items: { type: 'string' } },
        nested: {
          type: 'object',
          properties: { a: { type: 'integer' } },
          required: [],
          additionalProperties: false,
        },
      },
      required: ['city'],
      additionalProperties: false,
    };
    const issues = response(schema);
    expect(rules(issues)).toEqual([
      'required ["properties","unit"]',
      'required ["properties","scale"]',
      'required ["properties","tags"]',
      'required ["properties","nested"]',
      'required ["properties","nested","properties","a"]',
    ]);
    expect(issues[0]!.message).toBe(
      'Strict mode needs every property listed in "required": add "unit" (make it optional with "type": ["string", "null"]).',
    );
    expect(issues[1]!.message).toContain('"type": ["string", "null"] and null in its "enum"');
    expect(issues[2]!.message).toContain('it already accepts null');
    expect(issues[4]!.message).toBe(
      'Strict mode needs every property listed in "required": add "a" to the "required" of property "nested" (make it optional with "type": ["integer", "null"]).',
    );
  });

  it('refuses "required" names that are not properties, and a "required" that is not a list', () => {
    const issues = response({
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a', 'b'],
      additionalProperties: false,
    });
    expect(rules(issues)).toEqual(['required ["required",1]']);
    expect(issues[0]!.message).toMatch(/^"required" lists "b" but the root schema has no such property/);
    expect(
      rules(response({ type: 'object', properties: {}, required: 'a', additionalProperties: false })),
    ).toEqual(['invalid-schema ["required"]']);
  });
});

describe('lintStrictSchema on keywords', () => {
  const withProperty = (schema: unknown) => ({
    type: 'object',
    properties: { x: schema },
    required: ['x'],
    additionalProperties: false,
  });

  it.each([
    ['allOf', { allOf: [{ type: 'string' }], type: 'string' }],
    ['oneOf', { oneOf: [{ type: 'string' }, { type: 'number' }] }],
    ['not', { type: 'string', not: { const: 'x' } }],
    ['if', { type: 'string', if: { const: 'a' } }],
    ['then', { type: 'string', then: { const: 'a' } }],
    ['else', { type: 'string', else: { const: 'a' } }],
    ['dependentRequired', { type: 'string', dependentRequired: {} }],
    ['dependentSchemas', { type: 'string', dependentSchemas: {} }],
    ['patternProperties', { type: 'object', patternProperties: {}, additionalProperties: false }],
    ['propertyNames', { type: 'object', propertyNames: {}, additionalProperties: false }],
    ['unevaluatedProperties', { type: 'object', unevaluatedProperties: false, additionalProperties: false }],
    ['minProperties', { type: 'object', minProperties: 1, additionalProperties: false }],
    ['maxProperties', { type: 'object', maxProperties: 1, additionalProperties: false }],
    ['prefixItems', { type: 'array', items: { type: 'string' }, prefixItems: [{ type: 'string' }] }],
    ['uniqueItems', { type: 'array', items: { type: 'string' }, uniqueItems: true }],
    ['contains', { type: 'array', items: { type: 'string' }, contains: { const: 'a' } }],
    ['default', { type: 'string', default: 'celsius' }],
  ])('refuses "%s"', (keyword, schema) => {
    const issues = response(withProperty(schema));
    expect(rules(issues)).toEqual([`unsupported-keyword ["properties","x","${keyword}"]`]);
    expect(issues[0]!.message).toMatch(new RegExp(`^Strict mode does not support "${keyword}": `));
  });

  it('suggests anyOf for oneOf and a description for a default', () => {
    expect(response(withProperty({ oneOf: [{ type: 'string' }] }))[0]!.message).toContain(
      'use "anyOf" instead',
    );
    expect(response(withProperty({ type: 'string', default: 'c' }))[0]!.message).toContain('"description"');
  });

  it('accepts the documented string, number and array constraints, and minLength/maxLength', () => {
    expect(response(DOCS.constraints)).toEqual([]);
  });

  it('refuses string formats outside the supported list', () => {
    const issues = response(withProperty({ type: 'string', format: 'uri' }));
    expect(rules(issues)).toEqual(['unsupported-format ["properties","x","format"]']);
    expect(issues[0]!.message).toContain('"uri" is not one of them');
    for (const format of [
      'date-time',
      'time',
      'date',
      'duration',
      'email',
      'hostname',
      'ipv4',
      'ipv6',
      'uuid',
    ])
      expect(response(withProperty({ type: 'string', format }))).toEqual([]);
  });

  it('needs "items" on arrays and refuses tuple items', () => {
    expect(rules(response(withProperty({ type: 'array' })))).toEqual(['items-missing ["properties","x"]']);
    expect(rules(response(withProperty({ type: 'array', items: [{ type: 'string' }] })))).toEqual([
      'unsupported-keyword ["properties","x","items"]',
    ]);
  });

  it('needs a type (or anyOf, $ref, enum, const) and a real type name', () => {
    expect(rules(response(withProperty({ description: 'anything' })))).toEqual([
      'type-missing ["properties","x"]',
    ]);
    expect(response(withProperty({ enum: ['a', 'b'] }))).toEqual([]);
    const bad = response(withProperty({ type: 'str' }));
    expect(rules(bad)).toEqual(['invalid-type ["properties","x","type"]']);
    expect(bad[0]!.message).toMatch(/^"str" is not a JSON Schema type/);
    expect(rules(response(withProperty({ type: ['string', 'nil'] })))).toEqual([
      'invalid-type ["properties","x","type"]',
    ]);
  });

  it('flags schemas that are not objects where a schema is expected', () => {
    const issues = response(withProperty(true));
    expect(rules(issues)).toEqual(['invalid-schema ["properties","x"]']);
    expect(issues[0]!.message).toContain('property "x" is true');
    expect(rules(response({ type: 'object', properties: 'x', additionalProperties: false }))).toEqual([
      'invalid-schema ["properties"]',
    ]);
    expect(rules(response(withProperty({ anyOf: [] })))).toEqual([
      'invalid-schema ["properties","x","anyOf"]',
    ]);
  });

  it('checks that every $ref points inside the schema', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { $ref: '#/$defs/Missing' },
        b: { $ref: 'https://example.com/schema.json' },
        c: { $ref: '#/$defs/Present' },
        d: { $ref: '#' },
        e: { $ref: '#/properties/c' },
      },
      $defs: { Present: { type: 'string' } },
      required: ['a', 'b', 'c', 'd', 'e'],
      additionalProperties: false,
    };
    const issues = response(schema);
    expect(rules(issues)).toEqual([
      'unresolved-ref ["properties","a","$ref"]',
      'unresolved-ref ["properties","b","$ref"]',
    ]);
    expect(issues[0]!.message).toContain('"#/$defs/Missing" does not point to a schema');
    expect(issues[1]!.message).toContain('points outside it');
  });

  it('reports anyOf options below the root with their own paths', () => {
    const schema = withProperty({
      anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'null' }],
    });
    expect(rules(response(schema))).toEqual([
      'additional-properties ["properties","x","anyOf",0,"additionalProperties"]',
      'required ["properties","x","anyOf",0,"properties","a"]',
    ]);
    expect(response(schema)[0]!.message).toContain('option 1 of the "anyOf" in property "x"');
  });
});

describe('lintStrictSchema limits', () => {
  const object = (properties: Record<string, unknown>) => ({
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  });

  function nested(levels: number): Record<string, unknown> {
    let schema: Record<string, unknown> = object({ leaf: { type: 'string' } });
    for (let i = 1; i < levels; i++) schema = object({ child: schema });
    return schema;
  }

  it(`allows ${STRICT_LIMITS.depth} levels of object nesting and reports the first object beyond, once`, () => {
    expect(response(nested(10))).toEqual([]);
    const issues = response(nested(12));
    expect(rules(issues)).toEqual([
      `nesting-depth ${JSON.stringify(Array(10).fill(['properties', 'child']).flat())}`,
    ]);
    expect(issues[0]!.message).toContain('at level 11');
  });

  it('does not count arrays or anyOf as nesting levels', () => {
    let schema: Record<string, unknown> = object({ leaf: { type: 'string' } });
    for (let i = 1; i < 10; i++)
      schema = object({ child: { anyOf: [{ type: 'array', items: schema }, { type: 'null' }] } });
    expect(response(schema)).toEqual([]);
  });

  it(`allows ${STRICT_LIMITS.properties} properties in total`, () => {
    const many = (n: number) => {
      const properties: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) properties[`p${i}`] = { type: 'string' };
      return object(properties);
    };
    expect(response(many(5000))).toEqual([]);
    const issues = response(many(5001));
    expect(rules(issues)).toEqual(['too-many-properties []']);
    expect(issues[0]!.message).toContain('this one has 5,001');
  });

  it('counts enum values across the schema, and the size of a large string enum', () => {
    const values = (n: number, width = 3) =>
      Array.from({ length: n }, (_, i) => String(i).padStart(width, '0'));
    expect(
      response(
        object({ a: { type: 'string', enum: values(500) }, b: { type: 'string', enum: values(500) } }),
      ),
    ).toEqual([]);
    expect(
      rules(
        response(
          object({ a: { type: 'string', enum: values(500) }, b: { type: 'string', enum: values(501) } }),
        ),
      ),
    ).toEqual(['enum-size []']);

    expect(response(object({ a: { type: 'string', enum: values(250, 100) } }))).toEqual([]);
    const large = response(object({ a: { type: 'string', enum: values(251, 60) } }));
    expect(rules(large)).toEqual(['enum-size ["properties","a","enum"]']);
    expect(large[0]!.message).toContain('251 values totalling 15060 characters');
  });

  it('counts the characters of names and values', () => {
    const long = 'x'.repeat(60_001);
    expect(rules(response(object({ a: { type: 'string', enum: [long, long] } })))).toEqual([
      'string-size []',
    ]);
    expect(response(object({ a: { type: 'string', enum: [long] } }))).toEqual([]);
  });
});

describe('lintStrictSchema output', () => {
  const messy = {
    type: 'object',
    properties: {
      first: { type: 'object', properties: { z: { type: 'string', format: 'uri' } } },
      second: { allOf: [] },
      third: { type: 'array' },
    },
  };

  it('lists issues in document order, the same every time', () => {
    const issues = response(messy);
    expect(rules(issues)).toEqual([
      'additional-properties ["additionalProperties"]',
      'required ["properties","first"]',
      'required ["properties","second"]',
      'required ["properties","third"]',
      'additional-properties ["properties","first","additionalProperties"]',
      'required ["properties","first","properties","z"]',
      'unsupported-format ["properties","first","properties","z","format"]',
      'unsupported-keyword ["properties","second","allOf"]',
      'items-missing ["properties","third"]',
    ]);
    expect(response(messy)).toEqual(issues);
  });

  it('does not change the schema it lints', () => {
    const copy = structuredClone(messy);
    response(messy);
    expect(messy).toEqual(copy);
  });

  it('survives hostile input without throwing', () => {
    const hostile = [
      { type: 'object', properties: { a: null, b: [], c: 1 } },
      { type: 'object', anyOf: 'x' },
      { type: 'object', $defs: [] },
      {
        type: 'object',
        properties: { a: { $ref: '#/%E0%A4%A' } },
        required: ['a'],
        additionalProperties: false,
      },
      { type: 42 },
      {
        type: 'object',
        properties: { a: { type: 'string', enum: [] } },
        required: ['a'],
        additionalProperties: false,
      },
    ];
    for (const schema of hostile) expect(() => response(schema)).not.toThrow();
    expect(rules(response(hostile[3]))).toEqual(['unresolved-ref ["properties","a","$ref"]']);
  });
});
