import { readFileSync } from 'node:fs';
import {
  computeChatCompletionTokenCount,
  formatFunctionDefinitions,
  type ChatCompletionFunctionDefinition,
  type ChatCompletionRequest,
} from 'gpt-tokenizer/functionCalling';
import { describe, expect, it } from 'vitest';
import {
  CHAT_OVERHEAD,
  countChatPrompt,
  countChatPromptTokens,
  encodingForModel,
  renderToolDefinitions,
  type EncodingName,
  type PromptMessage,
  type PromptTool,
  type PromptToolChoice,
} from '../../src/lib/tokens';
import { createCountHandler, createEncoderLoader } from '../../src/lib/tokens/handler';

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

const loadEncoder = createEncoderLoader();
const counterFor = async (encoding: EncodingName) => (await loadEncoder(encoding)).count;
const byLength = (text: string) => text.length;

type FunctionDef = PromptTool['function'];
type LegacyCall = { name: string; arguments: string };
interface ChatCase {
  messages: (PromptMessage & { function_call?: LegacyCall })[];
  functions?: FunctionDef[];
  function_call?: 'none' | 'auto' | { name: string };
  tokens: number;
}
interface ChatCaseSet {
  name: string;
  model: string;
  encoding: EncodingName;
  cases: ChatCase[];
}
interface ToolCounting {
  tools: PromptTool[];
  example_messages: PromptMessage[];
  results: { model: string; estimate: number; api_prompt_tokens: number }[];
}
interface Recorded {
  file: string;
  request: { messages: PromptMessage[]; tools?: PromptTool[] | string };
  usage: { prompt_tokens: number };
}
interface Conversation {
  interactions: {
    request: { body: { messages: PromptMessage[]; tools: PromptTool[]; tool_choice: PromptToolChoice } };
    response: { sse_file: string };
  }[];
}

const sets = fixture<{ sets: ChatCaseSet[] }>('tokens/chat_prompt_token_cases.json').sets;
const toolCounting = fixture<{ tool_counting: ToolCounting }>(
  'tokens/cookbook_tiktoken_counts.json',
).tool_counting;
const recorded = fixture<Recorded[]>('sse/index.json');
const conversation = (name: string) => fixture<Conversation>(`sse/pydantic-ai__${name}.conversation.json`);
const usageOf = (file: string) => recorded.find((r) => r.file === file)!.usage.prompt_tokens;

/** The cases of a set that involve functions: in the request, its `function_call`, or a message. */
const withFunctions = (cases: ChatCase[]) =>
  cases
    .map((c, i) => ({ ...c, i }))
    .filter((c) => c.functions || c.function_call !== undefined || c.messages.some((m) => m.function_call));

/**
 * A case in today's API: `functions` as function `tools`, `function_call` as `tool_choice`, and a message's
 * legacy `function_call` as the one call of its `tool_calls`.
 */
function asToolsRequest(c: ChatCase) {
  const tools: PromptTool[] = (c.functions ?? []).map((f) => ({ type: 'function', function: f }));
  const choice = c.function_call;
  const toolChoice: PromptToolChoice | undefined =
    choice === undefined || typeof choice === 'string' ? choice : { type: 'function', function: choice };
  const messages = c.messages.map(({ function_call: call, ...m }, i): PromptMessage => {
    return call ? { ...m, tool_calls: [{ id: `call_${i}`, type: 'function', function: call }] } : m;
  });
  return { messages, tools, toolChoice };
}

const hasAnyOf = (value: unknown): boolean => JSON.stringify(value).includes('"anyOf"');
const asLibraryFunctions = (tools: readonly PromptTool[]) =>
  tools.map((t) => t.function) as unknown as ChatCompletionFunctionDefinition[];

describe('renderToolDefinitions', () => {
  const toolSets: PromptTool[][] = [
    toolCounting.tools,
    ...sets.flatMap((s) => s.cases.filter((c) => c.functions).map((c) => asToolsRequest(c).tools)),
    ...recorded.flatMap((r) => (Array.isArray(r.request.tools) ? [r.request.tools] : [])),
    conversation('gpt-4o_tool_loop').interactions[0]!.request.body.tools,
    conversation('gpt-4o-mini_tool_then_text').interactions[0]!.request.body.tools,
  ];

  it("renders every fixture's tools without anyOf exactly as gpt-tokenizer 4's formatFunctionDefinitions", () => {
    const plain = toolSets.filter((tools) => !hasAnyOf(tools));
    expect(plain).toHaveLength(1 + 32 + 2 + 2);
    for (const tools of plain) {
      expect(renderToolDefinitions(tools)).toBe(formatFunctionDefinitions(asLibraryFunctions(tools)));
    }
  });

  it("renders the cookbook's tool as a TypeScript namespace", () => {
    expect(renderToolDefinitions(toolCounting.tools)).toBe(
      [
        'namespace functions {',
        '',
        '// Get the current weather in a given location',
        'type get_current_weather = (_: {',
        '// The city and state, e.g. San Francisco, CA',
        'location: string,',
        '// The unit of temperature to return',
        'unit?: "celsius" | "fahrenheit",',
        '}) => any;',
        '',
        '} // namespace functions',
      ].join('\n'),
    );
  });

  it('renders anyOf and type lists as unions, where gpt-tokenizer 4 writes any', () => {
    const tools: PromptTool[] = [
      {
        type: 'function',
        function: {
          name: 'find',
          parameters: {
            type: 'object',
            required: ['q'],
            properties: {
              q: { anyOf: [{ type: 'string', const: 'a' }, { type: 'number' }] },
              limit: { type: ['integer', 'null'], description: 'At most' },
              tags: { type: 'array', items: { type: 'string', enum: ['x', 'y'] } },
              filter: { type: 'object', properties: { since: { type: 'string', description: 'ISO' } } },
            },
          },
        },
      },
    ];
    expect(renderToolDefinitions(tools)).toBe(
      [
        'namespace functions {',
        '',
        'type find = (_: {',
        'q: string | number,',
        '// At most',
        'limit?: number | null,',
        'tags?: "x" | "y"[],',
        'filter?: {',
        '  since?: string,',
        '},',
        '}) => any;',
        '',
        '} // namespace functions',
      ].join('\n'),
    );
    expect(formatFunctionDefinitions(asLibraryFunctions(tools))).toContain('q: any,');
  });

  it('renders a malformed schema instead of throwing', () => {
    const tools = [
      { type: 'function', function: { name: 'a', parameters: { type: 'object', properties: null } } },
      { type: 'function', function: { name: 'b', parameters: { type: 'object', properties: { x: null } } } },
      { type: 'function', function: { name: 'c', parameters: { properties: { y: { $ref: '#/$defs/Y' } } } } },
    ] as unknown as PromptTool[];
    expect(renderToolDefinitions(tools)).toBe(
      [
        'namespace functions {',
        '',
        'type a = () => any;',
        '',
        'type b = (_: {',
        'x?: any,',
        '}) => any;',
        '',
        'type c = (_: {',
        'y?: any,',
        '}) => any;',
        '',
        '} // namespace functions',
      ].join('\n'),
    );
  });
});

describe('countChatPrompt with tools: published figures', () => {
  const handle = createCountHandler(loadEncoder);

  it.each(toolCounting.results)(
    'reproduces the cookbook tool total for $model: $api_prompt_tokens, through the worker handler',
    async ({ model, estimate, api_prompt_tokens }) => {
      const { messages, tools } = { messages: toolCounting.example_messages, tools: toolCounting.tools };
      const reply = await handle({ id: 1, model, messages, tools });
      if (!('tokens' in reply)) throw new Error(reply.error);
      expect(reply.tokens).toBe(api_prompt_tokens);
      expect(reply.tokens).toBe(estimate);
      const plain = countChatPromptTokens(messages, await counterFor(encodingForModel(model).encoding));
      expect(reply).toMatchObject({ toolTokens: reply.tokens - plain, toolsApproximate: true, exact: true });
    },
  );

  // Set A (hmarr/openai-chat-tokens, gpt-3.5-turbo, validated against the API by its author) and set B
  // (gpt-tokenizer's own expected counts for gpt-4o). Every case with `functions`, `function_call` or a
  // message's `function_call` is checked, sent as today's API would have it (asToolsRequest).
  describe.each(sets)('$name', ({ encoding, cases }) => {
    const special = withFunctions(cases);
    // A message's legacy `function_call` is counted as a `tool_calls` message: by the rule fitted to the
    // recorded gpt-4o tool calls (below), 2 tokens more than the legacy rule (name + arguments + 3) for
    // these single calls. The playground never sends a legacy function call.
    const legacyCallMessages = special.filter((c) => c.messages.some((m) => m.function_call));

    it('has the cases this test expects', () => {
      expect(special).toHaveLength(encoding === 'cl100k_base' ? 22 : 18);
      expect(legacyCallMessages.map((c) => c.i)).toEqual([22, 23]);
    });

    it.each(special.filter((c) => !legacyCallMessages.includes(c)))(
      'case $i: $tokens tokens exactly',
      async (c) => {
        const { messages, tools, toolChoice } = asToolsRequest(c);
        const count = countChatPrompt(messages, await counterFor(encoding), tools, toolChoice);
        expect(count.total).toBe(c.tokens);
        expect(count.approximate).toBe(true);
        const plain = countChatPromptTokens(messages, await counterFor(encoding));
        expect(count.tools).toBe(count.total - plain);
      },
    );

    it.each(legacyCallMessages)('case $i (legacy function_call message): 2 over $tokens', async (c) => {
      const { messages } = asToolsRequest(c);
      const count = await counterFor(encoding);
      const call = c.messages[0]!.function_call!;
      expect(countChatPromptTokens(messages, count) - c.tokens).toBe(2);
      // Why 2: the call is rendered after ` to=functions.` and the message adds 2, where the legacy rule
      // adds the bare name and 3.
      expect(
        count(` to=functions.${call.name}`) + CHAT_OVERHEAD.toolCallMessage - (count(call.name) + 3),
      ).toBe(2);
    });
  });

  // Why the definitions are rendered here and not by gpt-tokenizer 4: its formatter writes `any` for anyOf,
  // which the API-validated set A needs (cases 24-27).
  it("finds set A's anyOf cases where gpt-tokenizer 4's computeChatCompletionTokenCount falls short", async () => {
    const setA = sets.find((s) => s.encoding === 'cl100k_base')!;
    const count = await counterFor('cl100k_base');
    const short = withFunctions(setA.cases)
      .filter((c) => c.functions !== undefined && hasAnyOf(c.functions))
      .map((c) => ({
        i: c.i,
        tokens: c.tokens,
        library: computeChatCompletionTokenCount(c as unknown as ChatCompletionRequest, count),
      }));
    expect(short).toEqual([
      { i: 24, tokens: 158, library: 123 },
      { i: 25, tokens: 52, library: 42 },
      { i: 26, tokens: 80, library: 42 },
      { i: 27, tokens: 44, library: 42 },
    ]);
  });
});

describe('countChatPrompt with tools: recorded API usage (o200k_base)', () => {
  // All of these requests have tools and no system message: the count is 1 over the API each time (the
  // published figures, 101 for gpt-4o, have a system message). Kept as it is, not tuned: the cookbook's
  // figures and gpt-tokenizer's set B agree with the rule, and one token over is the safe side of a budget.
  it('counts the tools of openai-python recordings (gpt-4o-2024-08-06) 1 over the API', async () => {
    const o200k = await counterFor('o200k_base');
    for (const file of [
      'openai-python__test_allows_non_strict_tools_but_no_parsing.sse',
      'openai-python__test_parse_strict_tools.sse',
    ]) {
      const { request } = recorded.find((r) => r.file === file)!;
      const tools = request.tools as PromptTool[];
      expect(countChatPromptTokens(request.messages, o200k, tools) - usageOf(file), file).toBe(1);
    }
  });

  it('counts a tool call and its result exactly (gpt-4o-mini: the second turn adds 25)', async () => {
    const o200k = await counterFor('o200k_base');
    const turns = conversation('gpt-4o-mini_tool_then_text').interactions.map(({ request, response }) => ({
      counted: countChatPrompt(request.body.messages, o200k, request.body.tools, request.body.tool_choice),
      api: usageOf(response.sse_file),
    }));
    expect(turns.map((t) => t.api)).toEqual([53, 78]);
    expect(turns.map((t) => t.counted.total - t.api)).toEqual([1, 1]);
    expect(turns.map((t) => t.counted.approximate)).toEqual([true, true]);
  });

  // 19 tools (four with indented multi-line docstrings, one with a $ref), tool_choice 'required', a pair of
  // parallel calls, then a single call. The turns' differences isolate the messages: the parallel pair and
  // its two results come out 1 over (60 for 59), the single call and its result exactly (25). The
  // definitions come out 7 over (2 %): the rendering of those docstrings and of 'required' is not known.
  it('counts the gpt-4o tool loop within 2 % (the messages within one token)', async () => {
    const o200k = await counterFor('o200k_base');
    const turns = conversation('gpt-4o_tool_loop').interactions.map(({ request, response }) => ({
      counted: countChatPromptTokens(
        request.body.messages,
        o200k,
        request.body.tools,
        request.body.tool_choice,
      ),
      api: usageOf(response.sse_file),
    }));
    expect(turns.map((t) => t.api)).toEqual([364, 423, 448]);
    expect(turns.map((t) => t.counted - t.api)).toEqual([7, 8, 8]);
    expect(turns[1]!.counted - turns[0]!.counted).toBe(60);
    expect(turns[2]!.counted - turns[1]!.counted).toBe(25);
  });
});

describe('countChatPrompt: the rules, with one token per character', () => {
  const call = (id: string, name: string, args: string) => ({
    id,
    type: 'function' as const,
    function: { name, arguments: args },
  });

  it('counts plain messages as before, and not as approximate', () => {
    const messages = [{ role: 'user', content: 'hello' }];
    expect(countChatPrompt(messages, byLength)).toEqual({
      total: 3 + 3 + 4 + 5,
      tools: 0,
      approximate: false,
    });
  });

  it('renders one call after the role, and its result under the function name', () => {
    const messages: PromptMessage[] = [
      { role: 'assistant', content: null, tool_calls: [call('c1', 'f', '{"a":1}')] },
      { role: 'tool', content: 'ok', tool_call_id: 'c1' },
    ];
    const assistant = 3 + 'assistant'.length + ' to=functions.f'.length + '{"a":1}'.length + 2;
    const tool = 3 + 'functions.f'.length + 'ok'.length;
    expect(countChatPrompt(messages, byLength)).toEqual({
      total: 3 + assistant + tool,
      tools: 0,
      approximate: true,
    });
  });

  it('renders parallel calls as one multi_tool_use.parallel call, empty arguments as {}', () => {
    const messages: PromptMessage[] = [
      { role: 'assistant', content: '', tool_calls: [call('c1', 'f', '{"a":1}'), call('c2', 'g', ' ')] },
    ];
    const json =
      '{"tool_uses":[{"recipient_name":"functions.f","parameters":{"a":1}},' +
      '{"recipient_name":"functions.g","parameters":{}}]}';
    expect(countChatPromptTokens(messages, byLength)).toBe(
      3 + 3 + 'assistant'.length + ' to=multi_tool_use.parallel'.length + json.length + 2,
    );
  });

  it('counts a result whose call is not in the conversation under its own role', () => {
    const messages = [{ role: 'tool', content: 'ok', tool_call_id: 'gone' }];
    expect(countChatPrompt(messages, byLength)).toEqual({
      total: 3 + 3 + 'tool'.length + 2,
      tools: 0,
      approximate: true,
    });
  });

  it('pads the first system message once, and takes 4 off when there is one', () => {
    const tools: PromptTool[] = [{ type: 'function', function: { name: 'f' } }];
    const rendered = renderToolDefinitions(tools).length + 9;
    const system = { role: 'system', content: 'Be brief.' };
    expect(countChatPrompt([system, system], byLength, tools)).toEqual({
      total: 3 + 2 * (3 + 6 + 9) + 1 + rendered - 4,
      tools: 1 + rendered - 4,
      approximate: true,
    });
    const user = { role: 'user', content: 'hi' };
    expect(countChatPrompt([user], byLength, tools).tools).toBe(rendered);
    expect(countChatPrompt([{ ...system, content: 'Be brief.\n' }], byLength, tools).tools).toBe(
      rendered - 4,
    );
  });

  it("adds tool_choice 'none' 1 and a named function its name + 4; 'auto' and 'required' nothing", () => {
    const tools: PromptTool[] = [{ type: 'function', function: { name: 'f' } }];
    const messages = [{ role: 'user', content: 'hi' }];
    const base = countChatPromptTokens(messages, byLength, tools);
    const named = { type: 'function' as const, function: { name: 'lookup' } };
    expect(countChatPromptTokens(messages, byLength, tools, 'none')).toBe(base + 1);
    expect(countChatPromptTokens(messages, byLength, tools, named)).toBe(base + 6 + 4);
    expect(countChatPromptTokens(messages, byLength, tools, 'auto')).toBe(base);
    expect(countChatPromptTokens(messages, byLength, tools, 'required')).toBe(base);
    expect(countChatPrompt(messages, byLength, [], 'required').approximate).toBe(true);
  });
});

describe('the count handler with tools', () => {
  const handle = createCountHandler(loadEncoder);
  const messages = [{ role: 'user', content: 'hi' }];

  it('counts tool calls, results and tools sent by the worker protocol', async () => {
    const { interactions } = conversation('gpt-4o-mini_tool_then_text');
    const body = interactions[1]!.request.body;
    const reply = await handle({
      id: 5,
      model: 'gpt-4o-mini',
      messages: body.messages,
      tools: body.tools,
      toolChoice: body.tool_choice,
    });
    expect(reply).toMatchObject({ id: 5, tokens: 79, toolsApproximate: true, encoding: 'o200k_base' });
  });

  it.each([
    ['a tool that is not a function', { messages, tools: [{ type: 'custom', custom: { name: 'x' } }] }],
    ['a tool without a name', { messages, tools: [{ type: 'function', function: {} }] }],
    [
      'parameters that are not an object',
      { messages, tools: [{ type: 'function', function: { name: 'f', parameters: [] } }] },
    ],
    [
      'a call without arguments',
      {
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f' } }],
          },
        ],
      },
    ],
    ['a numeric tool_call_id', { messages: [{ role: 'tool', content: 'ok', tool_call_id: 1 }] }],
    ['an unknown tool choice', { messages, toolChoice: 'any' }],
  ])('answers %s with an error', async (_, request) => {
    expect(await handle({ id: 6, model: 'gpt-4o', ...request } as never)).toEqual({
      id: 6,
      error: 'Malformed count request: expected a model id, messages with string fields and function tools.',
    });
  });
});
