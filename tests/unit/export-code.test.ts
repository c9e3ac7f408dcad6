import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeFor, DEFAULT_BASE_URL, type CodeInput, type CodeSnippets } from '../../src/lib/export/code';

const conversation = JSON.parse(
  readFileSync(
    new URL('../fixtures/sse/pydantic-ai__gpt-4o_tool_loop.conversation.json', import.meta.url),
    'utf8',
  ),
) as { interactions: { request: { body: Record<string, unknown> } }[] };

/** The recorded first request of pydantic-ai's tool loop: 19 tools and `tool_choice: "required"`. */
const toolLoopBody = conversation.interactions[0]!.request.body;

const user = (content: string) => [{ role: 'user', content }];

/** A product review schema as a person would write it for Structured Outputs (strict). */
const reviewFormat = {
  name: 'product_review',
  strict: true,
  schema: {
    type: 'object',
    properties: {
      product: { type: 'string', description: 'The product, as named in the review.' },
      rating: { type: 'integer', minimum: 1, maximum: 5, description: 'Stars, from 1 to 5.' },
      sentiment: { type: 'string', enum: ['positive', 'mixed', 'negative'] },
      pros: { type: 'array', items: { type: 'string' } },
      cons: { type: 'array', items: { type: 'string' } },
      would_recommend: { type: 'boolean' },
      price_paid: { type: ['number', 'null'] },
    },
    required: ['product', 'rating', 'sentiment', 'pros', 'cons', 'would_recommend', 'price_paid'],
    additionalProperties: false,
  },
};

/** A schema with `$ref` and an `anyOf` of objects: nothing a plain model or zod object says alike. */
const shapesFormat = {
  name: 'drawing',
  strict: true,
  schema: {
    type: 'object',
    $defs: {
      point: {
        type: 'object',
        properties: { x: { type: 'number' }, y: { type: 'number' } },
        required: ['x', 'y'],
        additionalProperties: false,
      },
    },
    properties: {
      shapes: {
        type: 'array',
        items: {
          anyOf: [
            {
              type: 'object',
              properties: {
                kind: { const: 'circle' },
                center: { $ref: '#/$defs/point' },
                r: { type: 'number' },
              },
              required: ['kind', 'center', 'r'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: {
                kind: { const: 'line' },
                from: { $ref: '#/$defs/point' },
                to: { $ref: '#/$defs/point' },
              },
              required: ['kind', 'from', 'to'],
              additionalProperties: false,
            },
          ],
        },
      },
    },
    required: ['shapes'],
    additionalProperties: false,
  },
};

const cases: Record<string, CodeInput> = {
  'plain streaming chat': {
    kind: 'chat',
    baseURL: DEFAULT_BASE_URL,
    body: {
      model: 'gpt-4o-mini',
      messages: user('Write a haiku about the sea.'),
      stream: true,
      stream_options: { include_usage: true },
    },
  },
  'non-streaming chat with parameters': {
    kind: 'chat',
    baseURL: DEFAULT_BASE_URL,
    body: {
      model: 'gpt-4o',
      messages: [{ role: 'system', content: 'You are terse.' }, ...user('Name three rivers.')],
      temperature: 0.7,
      top_p: 0.9,
      max_completion_tokens: 200,
      frequency_penalty: 0.5,
      stop: ['\n\n', 'END'],
      seed: 42,
      n: 2,
    },
  },
  'tools (the 19 tools and tool_choice of a recorded request)': {
    kind: 'chat',
    baseURL: DEFAULT_BASE_URL,
    body: toolLoopBody,
  },
  'structured outputs (product review)': {
    kind: 'chat',
    baseURL: DEFAULT_BASE_URL,
    body: {
      model: 'gpt-4o-2024-08-06',
      messages: user('Review: the kettle boils fast but the lid sticks. Paid $35. 4 stars.'),
      response_format: { type: 'json_schema', json_schema: reviewFormat },
    },
  },
  'structured outputs that do not map cleanly ($ref, anyOf of objects)': {
    kind: 'chat',
    baseURL: DEFAULT_BASE_URL,
    body: {
      model: 'gpt-4o',
      messages: user('Draw a circle and a line.'),
      response_format: { type: 'json_schema', json_schema: shapesFormat },
      stream: true,
      stream_options: { include_usage: true },
    },
  },
  'embeddings with dimensions': {
    kind: 'embeddings',
    baseURL: DEFAULT_BASE_URL,
    body: {
      model: 'text-embedding-3-small',
      input: ['The cat sat on the mat.', 'A cat was sitting on a rug.', 'Stock markets fell sharply.'],
      encoding_format: 'base64',
      dimensions: 256,
    },
  },
  'a base URL of its own, with organization and project': {
    kind: 'chat',
    baseURL: 'https://llm.example.com/openai/v1/',
    organization: 'org-AbC123',
    project: 'proj_XyZ789',
    body: { model: 'gpt-4o-mini', messages: user('Hello') },
  },
};

const all = Object.entries(cases).map(([name, input]) => ({ name, input, code: codeFor(input) }));
const snippets = (code: CodeSnippets) => Object.entries(code) as [keyof CodeSnippets, string][];

describe('codeFor snapshots', () => {
  for (const { name, code } of all) {
    it(name, () => {
      for (const [language, text] of snippets(code)) {
        expect(text).toMatchSnapshot(language);
      }
    });
  }
});

describe('what every snippet does', () => {
  it('carries the body as the exact JSON text the playground sends', () => {
    for (const { input, code } of all) {
      const json = JSON.stringify(input.body, null, 2);
      expect(code.python).toContain(`body = json.loads(r"""\n${json}\n""")`);
      expect(code.pythonAsync).toContain(`body = json.loads(r"""\n${json}\n""")`);
      expect(code.typescript).toMatch(/const body: OpenAI\.[\w.]+ = /);
      expect(code.typescript).toContain(` = ${json};\n`);
      expect(code.curl).toContain(`-d @- <<'JSON'\n${json}\nJSON\n`);
    }
  });

  it('reads the key from OPENAI_API_KEY and never holds one', () => {
    for (const { code } of all) {
      for (const [, text] of snippets(code)) {
        expect(text).not.toMatch(/sk-/);
        expect(text).toContain('OPENAI_API_KEY');
        expect(text).not.toMatch(/api_key|apiKey/);
      }
      expect(code.curl).toContain('-H "Authorization: Bearer $OPENAI_API_KEY"');
    }
  });

  it('names the base URL, organization and project only when set', () => {
    const custom = codeFor(cases['a base URL of its own, with organization and project']!);
    expect(custom.python).toContain(
      'client = OpenAI(\n    base_url="https://llm.example.com/openai/v1",\n    organization="org-AbC123",\n    project="proj_XyZ789",\n)',
    );
    expect(custom.pythonAsync).toContain(
      'client = AsyncOpenAI(\n    base_url="https://llm.example.com/openai/v1",',
    );
    expect(custom.typescript).toContain(
      "const client = new OpenAI({\n  baseURL: 'https://llm.example.com/openai/v1',\n  organization: 'org-AbC123',\n  project: 'proj_XyZ789',\n});",
    );
    expect(custom.curl).toContain('curl https://llm.example.com/openai/v1/chat/completions \\\n');
    expect(custom.curl).toContain('-H "OpenAI-Organization: org-AbC123"');
    expect(custom.curl).toContain('-H "OpenAI-Project: proj_XyZ789"');

    const plain = codeFor(cases['plain streaming chat']!);
    expect(plain.python).toContain('client = OpenAI()\n');
    expect(plain.pythonAsync).toContain('client = AsyncOpenAI()\n');
    expect(plain.typescript).toContain('const client = new OpenAI();\n');
    for (const [, text] of snippets(plain)) {
      expect(text).not.toMatch(/base_url|baseURL|organization|project|OpenAI-Organization|OpenAI-Project/i);
    }
    expect(plain.curl).toContain(`curl ${DEFAULT_BASE_URL}/chat/completions \\\n  --no-buffer \\\n`);
    // A trailing slash is the default URL all the same.
    const slash = codeFor({ ...cases['plain streaming chat']!, baseURL: `${DEFAULT_BASE_URL}/` });
    expect(slash.python).toContain('client = OpenAI()\n');
  });

  it('streams with usage from the last chunk, or prints the message and its usage', () => {
    const streamed = codeFor(cases['plain streaming chat']!);
    expect(streamed.python).toContain('for chunk in stream:');
    expect(streamed.python).toContain('print(delta.content, end="", flush=True)');
    expect(streamed.python).toContain('# stream_options.include_usage adds one last chunk');
    expect(streamed.pythonAsync).toContain('stream = await client.chat.completions.create(**body)');
    expect(streamed.pythonAsync).toContain('    async for chunk in stream:');
    expect(streamed.pythonAsync).toMatch(
      /async def main\(\) -> None:\n[\s\S]*\n\n\nasyncio\.run\(main\(\)\)\n$/,
    );
    expect(streamed.typescript).toContain('for await (const chunk of stream) {');
    expect(streamed.typescript).toContain('if (chunk.usage) usage = chunk.usage;');

    const whole = codeFor(cases['non-streaming chat with parameters']!);
    expect(whole.python).toContain('for choice in completion.choices:');
    expect(whole.curl).not.toContain('--no-buffer');
    expect(whole.typescript).toContain('const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = ');
  });

  it('runs the tool loop with one stub per tool', () => {
    const code = codeFor(cases['tools (the 19 tools and tool_choice of a recorded request)']!);
    const names = (toolLoopBody.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(names).toHaveLength(19);
    for (const name of names) {
      expect(code.python).toContain(`    "${name}": ${name},`);
      expect(code.python).toMatch(new RegExp(`^def ${name}\\(`, 'm'));
      expect(code.typescript).toMatch(new RegExp(`^  ${name}: \\(`, 'm'));
    }
    expect(code.python).toContain('def get_weather(city: str) -> str:');
    expect(code.python).toContain('def get_error(value: bool = False) -> str:');
    // final_result's parameters use $ref: its stub takes what it is given.
    expect(code.python).toContain('def final_result(**args) -> str:');
    expect(code.typescript).toContain('get_weather: (args: { city: string }) =>');
    expect(code.typescript).toContain('final_result: (args: Record<string, unknown>) =>');
    expect(code.python).toContain(
      'messages.append({"role": "tool", "tool_call_id": call["id"], "content": result})',
    );
    expect(code.typescript).toContain(
      "messages.push({ role: 'tool', tool_call_id: call.id, content: result });",
    );
    // tool_choice "required" would never let the model answer: the follow-ups (only) say "auto".
    expect(code.python).toContain('reply = ask({**body, "messages": messages})\n');
    expect(code.python).toContain('reply = ask({**body, "messages": messages, "tool_choice": "auto"})');
    expect(code.pythonAsync).toContain(
      'reply = await ask({**body, "messages": messages, "tool_choice": "auto"})',
    );
    expect(code.typescript).toContain("reply = await ask({ ...body, messages, tool_choice: 'auto' });");
  });

  it('derives a Pydantic model and a zod object from a schema that maps cleanly', () => {
    const code = codeFor(cases['structured outputs (product review)']!);
    expect(code.python).toContain('from typing import Annotated, Literal\n');
    expect(code.python).toContain('from pydantic import BaseModel, ConfigDict, Field\n');
    expect(code.python).toContain(
      [
        'class ProductReview(BaseModel):',
        '    model_config = ConfigDict(extra="forbid")',
        '',
        '    # The product, as named in the review.',
        '    product: str',
        '    # Stars, from 1 to 5.',
        '    rating: Annotated[int, Field(ge=1, le=5)]',
        '    sentiment: Literal["positive", "mixed", "negative"]',
        '    pros: list[str]',
        '    cons: list[str]',
        '    would_recommend: bool',
        '    price_paid: float | None',
      ].join('\n'),
    );
    expect(code.python).toContain('answer = ProductReview.model_validate_json(message.content)');
    expect(code.typescript).toContain("import { z } from 'zod';");
    expect(code.typescript).toContain(
      [
        'const ProductReview = z.strictObject({',
        '  // The product, as named in the review.',
        '  product: z.string(),',
        '  // Stars, from 1 to 5.',
        '  rating: z.int().min(1).max(5),',
        "  sentiment: z.enum(['positive', 'mixed', 'negative']),",
        '  pros: z.array(z.string()),',
        '  cons: z.array(z.string()),',
        '  would_recommend: z.boolean(),',
        '  price_paid: z.number().nullable(),',
        '});',
      ].join('\n'),
    );
    expect(code.typescript).toContain(
      "const answer = ProductReview.parse(JSON.parse(message?.content ?? ''));",
    );
  });

  it('falls back to plain JSON parsing, saying why, when the schema does not map cleanly', () => {
    const code = codeFor(cases['structured outputs that do not map cleanly ($ref, anyOf of objects)']!);
    expect(code.python).not.toMatch(/pydantic|BaseModel/);
    expect(code.python).toContain(
      '# The schema uses "anyOf" (at properties.shapes.items), which does not map cleanly onto a Pydantic model:',
    );
    expect(code.python).toContain('answer = json.loads(content)');
    expect(code.typescript).not.toContain("from 'zod'");
    expect(code.typescript).toContain('which does not map cleanly onto a zod schema:');
    expect(code.typescript).toContain('const answer: unknown = JSON.parse(content);');
  });

  it('compares the embeddings, decoding base64 by hand since it was asked for by name', () => {
    const code = codeFor(cases['embeddings with dimensions']!);
    expect(code.python).toContain('response = client.embeddings.create(**body)');
    expect(code.python).toContain('return list(struct.unpack(f"<{len(raw) // 4}f", raw))');
    expect(code.python).toContain('def cosine(a: list[float], b: list[float]) -> float:');
    expect(code.python).not.toMatch(/numpy/);
    expect(code.typescript).toContain('const body: OpenAI.EmbeddingCreateParams = ');
    expect(code.typescript).toContain('view.getFloat32(i * 4, true)');
    expect(code.curl).toContain(`curl ${DEFAULT_BASE_URL}/embeddings \\\n  -H`);

    const floats = codeFor({
      ...cases['embeddings with dimensions']!,
      body: { model: 'm', input: ['a', 'b'] },
    });
    expect(floats.python).not.toContain('import base64');
    expect(floats.python).toContain('# Without encoding_format the SDK asks for base64');
    expect(floats.python).toContain('vectors = [item.embedding for item in response.data]');
  });
});

describe('schema mapping', () => {
  const structured = (schema: unknown, stream = false) =>
    codeFor({
      kind: 'chat',
      baseURL: DEFAULT_BASE_URL,
      body: {
        model: 'gpt-4o',
        messages: user('x'),
        response_format: { type: 'json_schema', json_schema: { name: 'answer-v2', strict: true, schema } },
        ...(stream && { stream: true }),
      },
    });

  it('maps nullable (both spellings), optional, nested and constrained fields', () => {
    const code = structured({
      type: 'object',
      properties: {
        title: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 1, maxLength: 80 }] },
        mood: { type: ['string', 'null'], enum: ['calm', 'busy', null] },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5 },
        steps: {
          type: 'array',
          items: {
            type: 'object',
            properties: { n: { type: 'integer', exclusiveMinimum: 0 }, note: { type: 'string' } },
            required: ['n'],
          },
        },
        score: { type: 'number', minimum: 0, maximum: 1 },
      },
      required: ['title', 'mood', 'tags', 'steps'],
      additionalProperties: false,
    });
    expect(code.python).toContain(
      [
        'class AnswerV2StepsItem(BaseModel):',
        '    n: Annotated[int, Field(gt=0)]',
        '    note: str | None = None',
      ].join('\n'),
    );
    expect(code.python).toContain(
      [
        'class AnswerV2(BaseModel):',
        '    model_config = ConfigDict(extra="forbid")',
        '',
        '    title: Annotated[str, Field(min_length=1, max_length=80)] | None',
        '    mood: Literal["calm", "busy"] | None',
        '    tags: Annotated[list[str], Field(min_length=1, max_length=5)]',
        '    steps: list[AnswerV2StepsItem]',
        '    score: Annotated[float, Field(ge=0, le=1)] | None = None',
      ].join('\n'),
    );
    expect(code.typescript).toContain(
      [
        'const AnswerV2 = z.strictObject({',
        '  title: z.string().min(1).max(80).nullable(),',
        "  mood: z.enum(['calm', 'busy']).nullable(),",
        '  tags: z.array(z.string()).min(1).max(5),',
        '  steps: z.array(z.object({',
        '    n: z.int().gt(0),',
        '    note: z.string().optional(),',
        '  })),',
        '  score: z.number().min(0).max(1).optional(),',
        '});',
      ].join('\n'),
    );
  });

  it('renames keys Python cannot use, keeping them as aliases', () => {
    const code = structured({
      type: 'object',
      properties: {
        class: { type: 'string' },
        'first-name': { type: 'string' },
        json: { type: 'boolean' },
        _id: { type: 'string' },
      },
      required: ['class', 'first-name', 'json', '_id'],
      additionalProperties: false,
    });
    expect(code.python).toContain('    class_: str = Field(alias="class")');
    expect(code.python).toContain('    first_name: str = Field(alias="first-name")');
    expect(code.python).toContain('    json_: bool = Field(alias="json")');
    expect(code.python).toContain('    id: str = Field(alias="_id")');
    expect(code.typescript).toContain("  class: z.string(),\n  'first-name': z.string(),");
  });

  it('does not map what it cannot say alike', () => {
    for (const [schema, reason] of [
      [
        { type: 'object', properties: { a: { type: 'string', pattern: '^a' } } },
        '"pattern" (at properties.a)',
      ],
      [
        { type: 'object', properties: { a: { type: 'string', format: 'date' } } },
        '"format" (at properties.a)',
      ],
      [{ type: 'object', properties: { a: { enum: [1, 2] } } }, 'a schema without "type" (at properties.a)'],
      [
        { type: 'object', properties: {}, additionalProperties: { type: 'string' } },
        '"additionalProperties" as a schema',
      ],
      [{ type: 'array', items: { type: 'string' } }, 'its top level is not an object'],
    ] as const) {
      expect(structured(schema).python).toContain(`# The schema uses ${reason}`);
    }
  });

  it('keeps comments to one line each, whatever the description holds', () => {
    const code = structured({
      type: 'object',
      properties: { a: { type: 'string', description: 'one\u2028alert(1)\r\nimport os\u0000 */' } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(code.python).toContain('    # one\n    # alert(1)\n    # import os  */\n    a: str');
    expect(code.typescript).toContain('  // one\n  // alert(1)\n  // import os  */\n  a: z.string(),');
  });
});

describe('curl quoting', () => {
  it('quotes a base URL and headers that the shell would otherwise expand', () => {
    const code = codeFor({
      kind: 'embeddings',
      baseURL: "http://localhost:8000/bob's&co/v1",
      organization: 'org-$HOME',
      body: { model: 'm', input: ['a'] },
    });
    expect(code.curl).toContain(`curl 'http://localhost:8000/bob'\\''s&co/v1/embeddings' \\\n`);
    expect(code.curl).toContain(`-H 'OpenAI-Organization: org-$HOME'`);
  });
});
