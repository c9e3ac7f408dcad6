import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldForParam } from '../../src/lib/chat/fields';
import { buildChatRequest, type SetupProblem } from '../../src/lib/chat/request';
import type {
  ChatMessage,
  ChatSetup,
  FunctionTool,
  SchemaEntry,
  ToolEntry,
  ToolsSetup,
} from '../../src/lib/chat/types';
import { describeModel } from '../../src/lib/models';

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

/** A message as the recorded requests wrote it. */
interface SentMessage {
  role: 'user' | 'assistant' | 'tool';
  content?: string;
  tool_call_id?: string;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
}

interface SentBody {
  model: string;
  messages: SentMessage[];
  tools: FunctionTool[];
  tool_choice: string;
  stream: boolean;
  stream_options: { include_usage: boolean };
}

const toolLoop = fixture<{ interactions: { request: { body: SentBody } }[] }>(
  'sse/pydantic-ai__gpt-4o_tool_loop.conversation.json',
);
const sentBodies = toolLoop.interactions.map((i) => i.request.body);

/** The conversation as the playground holds it: what the user sees and edits, not what is sent. */
function chatMessage(m: SentMessage, index: number): ChatMessage {
  const id = `m${index}`;
  if (m.role === 'tool')
    return { id, role: 'tool', content: m.content ?? '', toolCallId: m.tool_call_id ?? '' };
  if (m.role === 'assistant') {
    return {
      id,
      role: 'assistant',
      // The assistant turns of the loop carry only calls: the playground holds empty text.
      content: m.content ?? '',
      toolCalls: (m.tool_calls ?? []).map((c) => ({
        id: c.id,
        name: c.function.name,
        arguments: c.function.arguments,
      })),
    };
  }
  return { id, role: m.role, content: m.content ?? '' };
}

const user = (content: string, id = 'u1'): ChatMessage => ({ id, role: 'user', content });

const fn = (
  name: string,
  parameters: Record<string, unknown> = { type: 'object', properties: {} },
): FunctionTool => ({
  type: 'function',
  function: { name, parameters },
});

const entry = (id: string, tool: FunctionTool): ToolEntry => ({ id, ok: true, tool });

const weather = fn('get_weather', {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
});
const country = fn('get_country');

function tools(patch: Partial<ToolsSetup> = {}): ToolsSetup {
  return { tools: [entry('t1', weather), entry('t2', country)], choice: undefined, parallel: true, ...patch };
}

function setup(patch: Partial<ChatSetup> = {}): ChatSetup {
  return {
    model: 'gpt-4o',
    systemPrompt: '',
    messages: [user('What is the weather in Paris?')],
    params: {},
    stream: false,
    ...patch,
  };
}

function built(s: ChatSetup) {
  const result = buildChatRequest(s, describeModel(s.model));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.body as unknown as Record<string, unknown>;
}

function problems(s: ChatSetup): SetupProblem[] {
  const result = buildChatRequest(s, describeModel(s.model));
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.body)}`);
  return result.problems;
}

describe('buildChatRequest: the recorded gpt-4o tool loop', () => {
  const last = sentBodies.at(-1)!;
  const conversation = last.messages.map(chatMessage);
  const toolsSetup: ToolsSetup = {
    tools: last.tools.map((tool, i) => entry(`tool-${i}`, tool)),
    choice: 'required',
    parallel: true,
  };

  it('has three requests, each a prefix of the last conversation', () => {
    expect(sentBodies).toHaveLength(3);
    for (const sent of sentBodies)
      expect(last.messages.slice(0, sent.messages.length)).toEqual(sent.messages);
  });

  it.each(sentBodies.map((sent, i) => [i + 1, sent] as const))(
    'reproduces request %i exactly',
    (_n, sent) => {
      const body = built(
        setup({
          model: 'gpt-4o',
          messages: conversation.slice(0, sent.messages.length),
          tools: toolsSetup,
          stream: true,
        }),
      );
      expect(body.messages).toStrictEqual(sent.messages);
      expect(body.tools).toStrictEqual(sent.tools);
      expect(body.tool_choice).toStrictEqual(sent.tool_choice);
      expect(body.model).toBe(sent.model);
      expect(body.stream).toBe(sent.stream);
      expect(body.stream_options).toStrictEqual(sent.stream_options);
      // Nothing more than what pydantic-ai sent: no parallel_tool_calls, no parameters.
      expect(body).toStrictEqual(sent);
    },
  );

  it('sends an assistant turn with only calls without a content key, and a tool turn with its call id', () => {
    const body = built(setup({ messages: conversation.slice(0, 4), tools: toolsSetup }));
    const [, assistant, tool] = body.messages as Record<string, unknown>[];
    expect(assistant).not.toHaveProperty('content');
    expect(assistant).toHaveProperty('tool_calls');
    expect(tool).toStrictEqual({
      role: 'tool',
      tool_call_id: 'call_3rqTYrA6H21AYUaRGP4F66oq',
      content: 'Mexico',
    });
  });

  it('keeps the text of an assistant turn that also calls tools', () => {
    const messages: ChatMessage[] = [
      user('Weather in Paris?'),
      {
        id: 'a1',
        role: 'assistant',
        content: 'Let me look.',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      },
      { id: 't1', role: 'tool', content: 'rain', toolCallId: 'call_1' },
    ];
    const body = built(setup({ messages, tools: tools() }));
    expect((body.messages as unknown[])[1]).toStrictEqual({
      role: 'assistant',
      content: 'Let me look.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    });
  });
});

describe('buildChatRequest: tool choice and parallel calls', () => {
  it('sends no tool_choice when it is left to the API', () => {
    const body = built(setup({ tools: tools({ choice: undefined }) }));
    expect(body.tools).toStrictEqual([weather, country]);
    expect(body).not.toHaveProperty('tool_choice');
  });

  it.each(['none', 'auto', 'required'] as const)('sends tool_choice %s as a string', (choice) => {
    expect(built(setup({ tools: tools({ choice }) })).tool_choice).toBe(choice);
  });

  it('sends a named function as {type: function, function: {name}}', () => {
    expect(built(setup({ tools: tools({ choice: { function: 'get_country' } }) })).tool_choice).toStrictEqual(
      {
        type: 'function',
        function: { name: 'get_country' },
      },
    );
  });

  it('refuses a tool choice that names a function that is not enabled', () => {
    const found = problems(setup({ tools: tools({ choice: { function: 'get_time' } }) }));
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('toolChoice');
    expect(found[0]!.message).toContain('get_time');
  });

  it('sends parallel_tool_calls: false only when parallel calls are turned off', () => {
    expect(built(setup({ tools: tools({ parallel: false }) })).parallel_tool_calls).toBe(false);
    expect(built(setup({ tools: tools({ parallel: true }) }))).not.toHaveProperty('parallel_tool_calls');
  });

  it('sends no tools, tool_choice or parallel_tool_calls without an enabled tool, whatever the choice', () => {
    for (const s of [
      setup({ tools: { tools: [], choice: 'required', parallel: false } }),
      setup({ tools: { tools: [], choice: { function: 'get_weather' }, parallel: false } }),
      setup({ tools: undefined }),
    ]) {
      const body = built(s);
      expect(body).not.toHaveProperty('tools');
      expect(body).not.toHaveProperty('tool_choice');
      expect(body).not.toHaveProperty('parallel_tool_calls');
    }
  });
});

describe('buildChatRequest: tools that cannot be sent', () => {
  it('points at a tool that does not parse, its message starting with its label', () => {
    const broken: ToolEntry = {
      id: 'bad',
      ok: false,
      label: 'Tool 2',
      message: 'Expected a comma or closing brace',
    };
    const found = problems(setup({ tools: tools({ tools: [entry('t1', weather), broken] }) }));
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('tool:bad');
    expect(found[0]!.message.startsWith('Tool 2')).toBe(true);
    expect(found[0]!.message).toContain('Expected a comma or closing brace');
  });

  it('refuses two enabled tools with the same name', () => {
    const found = problems(
      setup({ tools: tools({ tools: [entry('t1', weather), entry('t2', fn('get_weather'))] }) }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('tool:t2');
    expect(found[0]!.message).toContain('get_weather');
  });

  it('points at an assistant turn whose call has no result, naming the function', () => {
    const messages: ChatMessage[] = [
      user('Weather and country?'),
      {
        id: 'a1',
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'call_c', name: 'get_country', arguments: '{}' },
        ],
      },
      { id: 'r1', role: 'tool', content: 'rain', toolCallId: 'call_w' },
    ];
    const found = problems(setup({ messages, tools: tools() }));
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('message:a1');
    expect(found[0]!.message).toContain('get_country');
    expect(found[0]!.message).not.toContain('get_weather');
  });

  it('counts a result only if it comes right after the call (before the next turn)', () => {
    const messages: ChatMessage[] = [
      user('Weather?'),
      {
        id: 'a1',
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_w', name: 'get_weather', arguments: '{}' }],
      },
      user('Hurry up', 'u2'),
      { id: 'r1', role: 'tool', content: 'rain', toolCallId: 'call_w' },
    ];
    const found = problems(setup({ messages, tools: tools() }));
    expect(found.map((p) => p.field)).toEqual(['message:a1']);
    expect(found[0]!.message).toContain('get_weather');
  });

  it('points at a tool result that answers no call before it', () => {
    const messages: ChatMessage[] = [
      user('Weather?'),
      { id: 'r1', role: 'tool', content: 'rain', toolCallId: 'call_nowhere' },
    ];
    const found = problems(setup({ messages, tools: tools() }));
    expect(found.map((p) => p.field)).toEqual(['message:r1']);
    expect(found[0]!.message).toContain('answers no call before it');
  });

  it('accepts calls that are all answered, in any order', () => {
    const messages: ChatMessage[] = [
      user('Weather and country?'),
      {
        id: 'a1',
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'call_c', name: 'get_country', arguments: '{}' },
        ],
      },
      { id: 'r1', role: 'tool', content: 'France', toolCallId: 'call_c' },
      { id: 'r2', role: 'tool', content: 'rain', toolCallId: 'call_w' },
    ];
    const result = buildChatRequest(setup({ messages, tools: tools() }), describeModel('gpt-4o'));
    expect(result.ok).toBe(true);
  });
});

describe('buildChatRequest: a JSON schema response format', () => {
  const location: Extract<SchemaEntry, { ok: true }>['format'] = {
    name: 'Location',
    schema: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        temperature: { type: 'number' },
        units: { type: 'string', enum: ['c', 'f'] },
      },
      required: ['city', 'temperature', 'units'],
      additionalProperties: false,
    },
    strict: true,
  };

  it('sends the parsed schema as response_format.json_schema', () => {
    const body = built(
      setup({ params: { response_format: 'json_schema' }, schema: { ok: true, format: location } }),
    );
    expect(body.response_format).toStrictEqual({ type: 'json_schema', json_schema: location });
  });

  it('waits for a schema that is still loading', () => {
    const found = problems(setup({ params: { response_format: 'json_schema' }, schema: null }));
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('responseFormat');
    expect(found[0]!.message).toContain('still loading');
  });

  it('points at a schema that does not parse', () => {
    const found = problems(
      setup({ params: { response_format: 'json_schema' }, schema: { ok: false, message: 'Invalid number' } }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('responseFormat');
    expect(found[0]!.message).toContain('Invalid number');
  });

  it('ignores the schema editor when the format is not a JSON schema', () => {
    const body = built(
      setup({ params: { response_format: 'json_object' }, schema: { ok: false, message: 'x' } }),
    );
    expect(body.response_format).toStrictEqual({ type: 'json_object' });
  });
});

describe('fieldForParam: tools and response format', () => {
  const messages = [user('Hi', 'm1')];
  const sentTools = [
    { id: 'tool-a', name: 'get_weather' },
    { id: 'tool-b', name: 'get_country' },
  ];

  it('points tools[i] at the tool sent in that place', () => {
    expect(
      fieldForParam('tools[1].function.parameters', { systemPrompt: false, messages, tools: sentTools }),
    ).toMatchObject({ field: 'tool:tool-b', elementId: 'tool-editor' });
    expect(fieldForParam('tools[0]', { systemPrompt: false, messages, tools: sentTools })?.field).toBe(
      'tool:tool-a',
    );
    expect(
      fieldForParam('tools[5].function', { systemPrompt: false, messages, tools: sentTools }),
    ).toBeNull();
  });

  it('points parallel_tool_calls at its checkbox', () => {
    expect(fieldForParam('parallel_tool_calls', { systemPrompt: false, messages: [] })).toEqual({
      field: 'parallelToolCalls',
      elementId: 'tool-parallel',
      label: 'Parallel tool calls',
    });
  });

  it('points tool_choice at the tool choice control', () => {
    expect(fieldForParam('tool_choice', { systemPrompt: false, messages })).toMatchObject({
      field: 'toolChoice',
      elementId: 'tool-choice',
    });
  });

  it('points the JSON schema at its editor', () => {
    expect(
      fieldForParam('response_format.json_schema.schema', { systemPrompt: false, messages }),
    ).toMatchObject({
      field: 'responseFormat',
      elementId: 'response-format-editor',
    });
  });

  it('points response_format at the schema editor only when a schema was sent', () => {
    expect(fieldForParam('response_format', { systemPrompt: false, messages, schema: true })).toMatchObject({
      field: 'responseFormat',
      elementId: 'response-format-editor',
    });
    expect(fieldForParam('response_format', { systemPrompt: false, messages })).toMatchObject({
      field: 'response_format',
      elementId: 'param-response-format',
    });
    expect(fieldForParam('response_format', { systemPrompt: false, messages, schema: false })?.field).toBe(
      'response_format',
    );
  });
});
