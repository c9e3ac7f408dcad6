import { describe, expect, it } from 'vitest';
import { readFixtureJson } from './helpers.ts';
import { validateChatRequest, validateEmbeddingsRequest } from './openapi.ts';

interface Conversation {
  interactions: { request: { uri: string; body: unknown } }[];
}

const CONVERSATIONS = [
  'pydantic-ai__gpt-4o_tool_loop.conversation.json',
  'pydantic-ai__gpt-4o-mini_tool_then_text.conversation.json',
  'pydantic-ai__gpt-5_text.conversation.json',
];

const minimal = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] };

describe('validateChatRequest', () => {
  const bodies = CONVERSATIONS.flatMap((file) =>
    readFixtureJson<Conversation>(`sse/${file}`).interactions.map(
      (interaction, i) => [`${file} #${i + 1}`, interaction.request.body] as const,
    ),
  );

  it('finds the recorded request bodies', () => {
    expect(bodies.length).toBe(6);
  });

  it.each(bodies)('accepts the recorded body %s', (_name, body) => {
    expect(validateChatRequest(body)).toEqual({ valid: true, errors: [] });
  });

  it('accepts the parameters an app sends, nulls included where the spec allows them', () => {
    const body = {
      ...minimal,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'image_url', image_url: { url: 'data:,' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '42' },
      ],
      temperature: 0.7,
      top_p: null,
      max_completion_tokens: 100,
      stop: ['\n\n'],
      n: 2,
      seed: 1,
      logprobs: true,
      top_logprobs: 3,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'x', schema: { type: 'object' }, strict: true },
      },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'auto',
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: 'low',
    };
    expect(validateChatRequest(body).errors).toEqual([]);
  });

  it('rejects a missing messages, with the API wording', () => {
    const result = validateChatRequest({ model: 'gpt-4o' });
    expect(result.valid).toBe(false);
    expect(result.problem).toEqual({
      message: "Missing required parameter: 'messages'.",
      param: 'messages',
      code: 'missing_required_parameter',
    });
  });

  it('rejects a wrong type, with the API wording', () => {
    const result = validateChatRequest({ ...minimal, temperature: '0.5' });
    expect(result.valid).toBe(false);
    expect(result.problem).toEqual({
      message: "Invalid type for 'temperature': expected a decimal, but got a string instead.",
      param: 'temperature',
      code: 'invalid_type',
    });
  });

  it('rejects an unknown top-level argument, with the API wording', () => {
    const result = validateChatRequest({ ...minimal, foo: 1 });
    expect(result.valid).toBe(false);
    expect(result.problem).toEqual({
      message: 'Unrecognized request argument supplied: foo',
      param: null,
      code: null,
    });
  });

  it.each([
    [
      { ...minimal, messages: [{ role: 'wizard', content: 'x' }] },
      "Invalid value: 'wizard'. Supported values are: 'developer', 'system', 'user', 'assistant', 'tool', and 'function'.",
      'messages[0].role',
    ],
    [
      { ...minimal, messages: [{ content: 'x' }] },
      "Missing required parameter: 'messages[0].role'.",
      'messages[0].role',
    ],
    [
      { ...minimal, messages: [{ role: 'user', content: 5 }] },
      "Invalid type for 'messages[0].content': expected one of a string or an array, but got an integer instead.",
      'messages[0].content',
    ],
    [
      { ...minimal, messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] },
      "Invalid type for 'messages[0].content[0].text': expected a string, but got an integer instead.",
      'messages[0].content[0].text',
    ],
    [
      { ...minimal, messages: [] },
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
    ],
    [
      { ...minimal, temperature: 3 },
      "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
      'temperature',
    ],
    [
      { ...minimal, stop: ['a', 'b', 'c', 'd', 'e'] },
      "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead.",
      'stop',
    ],
    [
      { ...minimal, tool_choice: 'sometimes' },
      "Invalid value: 'sometimes'. Supported values are: 'none', 'auto', and 'required'.",
      'tool_choice',
    ],
  ])('words a nested problem like the API (%#)', (body, message, param) => {
    const result = validateChatRequest(body);
    expect(result.valid).toBe(false);
    expect(result.problem?.message).toBe(message);
    expect(result.problem?.param).toBe(param);
  });

  it('lists every violation, one line each', () => {
    const result = validateChatRequest({ model: 'gpt-4o', temperature: 'x' });
    expect(result.errors).toContain("/ must have required property 'messages'");
    expect(result.errors).toContain('/temperature must be number');
  });
});

describe('validateEmbeddingsRequest', () => {
  it('accepts what the SDK sends', () => {
    expect(
      validateEmbeddingsRequest({
        model: 'text-embedding-3-small',
        input: ['a', 'b'],
        encoding_format: 'base64',
      }),
    ).toEqual({ valid: true, errors: [] });
    expect(
      validateEmbeddingsRequest({ model: 'text-embedding-3-large', input: 'a', dimensions: 256 }).valid,
    ).toBe(true);
    expect(validateEmbeddingsRequest({ model: 'text-embedding-3-small', input: [[1, 2, 3]] }).valid).toBe(
      true,
    );
  });

  it('rejects a bad one', () => {
    expect(validateEmbeddingsRequest({ model: 'text-embedding-3-small' }).problem?.message).toBe(
      "Missing required parameter: 'input'.",
    );
    expect(
      validateEmbeddingsRequest({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'hex' })
        .problem?.message,
    ).toBe("Invalid value: 'hex'. Supported values are: 'float' and 'base64'.");
    expect(
      validateEmbeddingsRequest({ model: 'text-embedding-3-small', input: 'a', foo: 1 }).problem?.message,
    ).toBe('Unrecognized request argument supplied: foo');
    expect(validateEmbeddingsRequest({ model: 'text-embedding-3-small', input: 5 }).valid).toBe(false);
  });
});
