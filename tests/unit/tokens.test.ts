import { readFileSync } from 'node:fs';
import { modelToEncodingMap } from 'gpt-tokenizer/mapping';
import * as catalogSpecs from 'gpt-tokenizer/models';
import { describe, expect, it, vi } from 'vitest';
import { describeModel } from '../../src/lib/models';
import {
  CHAT_OVERHEAD,
  contextBudget,
  costRange,
  countChatPromptTokens,
  countTextTokens,
  encodingForModel,
  type EncodingName,
  type PromptMessage,
} from '../../src/lib/tokens';
import {
  createCountHandler,
  createEncoderLoader,
  ENCODING_IMPORTERS,
  type EncodingImporters,
} from '../../src/lib/tokens/handler';

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

const NEL = '\u0085';
const OURS: readonly string[] = ['o200k_base', 'cl100k_base'] satisfies EncodingName[];
const isOurs = (encoding: string): encoding is EncodingName => OURS.includes(encoding);

// One loader for the whole file: each rank file is imported once, as in the worker.
const loadEncoder = createEncoderLoader();
const counterFor = async (encoding: EncodingName) => (await loadEncoder(encoding)).count;

interface EncodeCase {
  text: string;
  encoding: string;
  tokens: number[];
  allowed_special?: string;
}
interface ChatResult {
  model: string;
  estimate: number;
  api_prompt_tokens: number;
}
interface Cookbook {
  encode_examples: EncodeCase[];
  chat_message_counting: {
    example_messages: PromptMessage[];
    results_current_version: ChatResult[];
    results_older_version: ChatResult[];
  };
}
interface ChatCase {
  messages: (PromptMessage & { function_call?: unknown })[];
  functions?: unknown[];
  function_call?: unknown;
  tokens: number;
}
interface ChatCaseSet {
  name: string;
  model: string;
  encoding: EncodingName;
  cases: ChatCase[];
}

const cookbook = fixture<Cookbook>('tokens/cookbook_tiktoken_counts.json');

describe('encodingForModel', () => {
  const table = fixture<{
    MODEL_TO_ENCODING: Record<string, string>;
    MODEL_PREFIX_TO_ENCODING: Record<string, string>;
  }>('tokens/tiktoken_model_to_encoding.json');

  it("places every name of tiktoken's exact table as tiktoken does, or calls it an estimate", () => {
    for (const [model, encoding] of Object.entries(table.MODEL_TO_ENCODING)) {
      // p50k/r50k/gpt2 belong to retired completion models: the playground counts them as estimates.
      const expected = isOurs(encoding)
        ? { encoding, exact: true }
        : { encoding: 'o200k_base', exact: false };
      expect(encodingForModel(model), model).toEqual(expected);
    }
  });

  it("places ids under every prefix of tiktoken's prefix table", () => {
    for (const [prefix, encoding] of Object.entries(table.MODEL_PREFIX_TO_ENCODING)) {
      const id = prefix.startsWith('ft:') ? `${prefix}:acme::AbC123` : `${prefix}2025-01-01`;
      // gpt-oss- uses o200k_harmony, another chat format: an estimate here.
      const expected = isOurs(encoding)
        ? { encoding, exact: true }
        : { encoding: 'o200k_base', exact: false };
      expect(encodingForModel(id), id).toEqual(expected);
    }
  });

  it.each([
    ['gpt-4o-2024-08-06', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['gpt-4.1-nano-2025-04-14', 'o200k_base'],
    ['gpt-5-mini', 'o200k_base'],
    ['gpt-5.1-chat-latest', 'o200k_base'],
    ['o3-mini-2025-01-31', 'o200k_base'],
    ['o4-mini-deep-research', 'o200k_base'],
    ['gpt-4-turbo-2024-04-09', 'cl100k_base'],
    ['gpt-3.5-turbo-0125', 'cl100k_base'],
    ['gpt-35-turbo-16k', 'cl100k_base'],
    ['text-embedding-3-large', 'cl100k_base'],
    ['ft:gpt-4o-mini-2024-07-18:acme:support:9zXyWv', 'o200k_base'],
    ['ft:gpt-3.5-turbo-0125:acme::8AbCdEf', 'cl100k_base'],
    // tiktoken's prefix table would say cl100k_base ('ft:gpt-4'); the base model is o200k_base.
    ['ft:gpt-4.1-mini-2025-04-14:acme::Q1w2E3:ckpt-step-100', 'o200k_base'],
    ['  GPT-4o  ', 'o200k_base'],
  ])('%s uses %s', (model, encoding) => {
    expect(encodingForModel(model)).toEqual({ encoding, exact: true });
  });

  it.each(['llama3.2', 'qwen2.5:7b', 'gpt-oss:20b', 'mistral-small', 'my-azure-deployment', ''])(
    '%j is an o200k_base estimate',
    (model) => {
      expect(encodingForModel(model)).toEqual({ encoding: 'o200k_base', exact: false });
    },
  );

  it("agrees with gpt-tokenizer's model → encoding map and its chat catalog", () => {
    const mapped = Object.entries(modelToEncodingMap as Record<string, string>).filter(([, e]) => isOurs(e));
    expect(mapped.length).toBeGreaterThan(20);
    for (const [model, encoding] of mapped)
      expect(encodingForModel(model), model).toEqual({ encoding, exact: true });

    // gpt-tokenizer puts every model it does not map on o200k_base. Its chat catalog has three ids that
    // neither tiktoken's table nor a naming pattern places: those stay estimates.
    const chatIds = Object.keys(catalogSpecs).filter((id) =>
      ['chat', 'reasoning'].includes(describeModel(id).kind),
    );
    const unplaced: string[] = [];
    for (const id of chatIds) {
      const choice = encodingForModel(id);
      expect(choice.encoding, id).toBe((modelToEncodingMap as Record<string, string>)[id] ?? 'o200k_base');
      if (!choice.exact) unplaced.push(id);
    }
    expect(chatIds.length).toBeGreaterThan(60);
    expect(unplaced).toEqual(['chat-latest', 'daybreak-blue-latest', 'daybreak-red-latest']);
  });
});

describe('encoders (loaded as the worker loads them)', () => {
  it("encode the cookbook's examples to the published token ids", async () => {
    // r50k_base and p50k_base examples are left out: no chat or embeddings model uses them.
    const cases = cookbook.encode_examples.filter((c) => isOurs(c.encoding));
    expect(cases).toHaveLength(8);
    for (const c of cases) {
      const encoder = await loadEncoder(c.encoding as EncodingName);
      expect(encoder.encode(c.text), `${c.encoding} ${c.text}`).toEqual(c.tokens);
      expect(encoder.count(c.text)).toBe(c.tokens.length);
    }
  });

  it("encode tiktoken's own test cases and gpt-tokenizer's test plans (checked against tiktoken)", async () => {
    const official = fixture<{ cases: EncodeCase[] }>('tokens/tiktoken_official_test_cases.json').cases;
    // Cases with allowed_special expect special tokens; the playground encodes user text as ordinary text.
    const plans = fixture<{ cases: EncodeCase[] }>('tokens/gpt-tokenizer_testplans_cl100k_o200k.json').cases;
    const cases = [...official.filter((c) => isOurs(c.encoding) && !c.allowed_special), ...plans].filter(
      (c) => !c.text.includes(NEL),
    );
    expect(cases).toHaveLength(7 + 121);
    for (const c of cases) {
      const encoder = await loadEncoder(c.encoding as EncodingName);
      expect(encoder.encode(c.text), `${c.encoding} ${JSON.stringify(c.text)}`).toEqual(c.tokens);
      expect(countTextTokens(c.text, encoder.count)).toBe(c.tokens.length);
    }
  });

  // A known gap of gpt-tokenizer 4.0: JavaScript's \s does not match U+0085 (NEXT LINE), the \s of tiktoken's
  // Rust regex does, so a space before NEL merges differently: one token fewer than the API counts. NEL only
  // appears in mis-decoded text; this records the difference so an upgrade that fixes it is noticed.
  it('count one token fewer than tiktoken for a space before U+0085 (NEL)', async () => {
    const official = fixture<{ cases: EncodeCase[] }>('tokens/tiktoken_official_test_cases.json').cases;
    const nel = official.find((c) => c.text === ` ${NEL}0`)!;
    expect(nel.tokens).toEqual([220, 126, 227, 15]);
    const encoder = await loadEncoder('cl100k_base');
    expect(encoder.count(nel.text)).toBe(nel.tokens.length - 1);
  });

  it('count special-token text typed into a message as ordinary text instead of throwing', async () => {
    const encoder = await loadEncoder('o200k_base');
    const text = 'Ignore this: <|endoftext|><|im_start|>system';
    expect(encoder.count(text)).toBe(encoder.encode(text).length);
    expect(encoder.encode('<|endoftext|>').length).toBeGreaterThan(1);
  });
});

describe('countChatPromptTokens', () => {
  const byLength = (text: string) => text.length;

  it('adds 3 per message, tokens of role, content and name, 1 per name and 3 for the reply', () => {
    expect(CHAT_OVERHEAD).toMatchObject({ perMessage: 3, perName: 1, replyPrimer: 3 });
    expect(countChatPromptTokens([], byLength)).toBe(3);
    expect(countChatPromptTokens([{ role: 'user', content: 'hello' }], byLength)).toBe(3 + 3 + 4 + 5);
    expect(
      countChatPromptTokens(
        [
          { role: 'system', content: 'ab' },
          { role: 'user', content: 'cde', name: 'ann' },
        ],
        byLength,
      ),
    ).toBe(3 + (3 + 6 + 2) + (3 + 4 + 3 + 3 + 1));
  });

  it('does not ask the encoder about empty strings', () => {
    const count = vi.fn(byLength);
    expect(countChatPromptTokens([{ role: 'assistant', content: '', name: '' }], count)).toBe(3 + 3 + 9);
    expect(count.mock.calls).toEqual([['assistant']]);
    expect(countTextTokens('', count)).toBe(0);
  });

  it.each(cookbook.chat_message_counting.results_current_version)(
    'reproduces the cookbook total for $model: $api_prompt_tokens',
    async ({ model, estimate, api_prompt_tokens }) => {
      const { encoding, exact } = encodingForModel(model);
      expect(exact).toBe(true);
      const tokens = countChatPromptTokens(
        cookbook.chat_message_counting.example_messages,
        await counterFor(encoding),
      );
      expect(tokens).toBe(api_prompt_tokens);
      expect(tokens).toBe(estimate);
    },
  );

  // gpt-3.5-turbo-0301 (retired) used 4 tokens per message and -1 per name, and the older notebook's
  // 'gpt-3.5-turbo' pointed at it then (API 127): neither is today's rule.
  it.each(
    cookbook.chat_message_counting.results_older_version.filter(
      (r) => r.model !== 'gpt-3.5-turbo-0301' && r.estimate === r.api_prompt_tokens,
    ),
  )(
    'reproduces the older notebook total for $model: $api_prompt_tokens',
    async ({ model, api_prompt_tokens }) => {
      const tokens = countChatPromptTokens(
        cookbook.chat_message_counting.example_messages,
        await counterFor(encodingForModel(model).encoding),
      );
      expect(tokens).toBe(api_prompt_tokens);
    },
  );

  // Cases with `functions`/`function_call` in the request, or an assistant `function_call` in a message,
  // are checked in tokens-tools.test.ts.
  describe.each(fixture<{ sets: ChatCaseSet[] }>('tokens/chat_prompt_token_cases.json').sets)(
    '$name',
    ({ model, encoding, cases }) => {
      const plain = cases.filter(
        (c) => !c.functions && c.function_call === undefined && c.messages.every((m) => !m.function_call),
      );

      it(`resolves ${model} to ${encoding}`, () => {
        expect(encodingForModel(model)).toEqual({ encoding, exact: true });
        expect(plain).toHaveLength(14);
      });

      it.each(plain.map((c, i) => ({ ...c, i })))(
        'plain case $i: $tokens tokens',
        async ({ messages, tokens }) => {
          expect(countChatPromptTokens(messages, await counterFor(encoding))).toBe(tokens);
        },
      );
    },
  );

  it('matches the prompt tokens of recorded API calls (gpt-4o exactly, gpt-5 within one token)', async () => {
    interface Recorded {
      file: string;
      request: { messages?: PromptMessage[] };
      usage: { prompt_tokens: number };
    }
    const index = fixture<Recorded[]>('sse/index.json');
    const usage = (file: string) => index.find((s) => s.file === file)!;
    const o200k = await counterFor('o200k_base');
    // Plain user messages with no tools and no response_format, from openai/openai-python's recordings.
    for (const file of [
      'openai-python__test_content_logprobs_events.sse',
      'openai-python__test_parse_nothing.sse',
    ]) {
      const { request, usage: used } = usage(file);
      expect(countChatPromptTokens(request.messages!, o200k), file).toBe(used.prompt_tokens);
    }
    // gpt-5 (pydantic-ai's recording): the API reported 13 where the rule gives 14. Reasoning models are
    // not covered by the cookbook; the count is labelled with the encoding, not promised to the token.
    const gpt5 = fixture<{ interactions: { request: { body: { messages: PromptMessage[] } } }[] }>(
      'sse/pydantic-ai__gpt-5_text.conversation.json',
    );
    const counted = countChatPromptTokens(gpt5.interactions[0]!.request.body.messages, o200k);
    const reported = usage('pydantic-ai__gpt-5_text.1.sse').usage.prompt_tokens;
    expect(reported).toBe(13);
    expect(Math.abs(counted - reported)).toBeLessThanOrEqual(1);
  });
});

describe('contextBudget', () => {
  const gpt4o = describeModel('gpt-4o');
  const gpt5 = describeModel('gpt-5');
  const local = describeModel('llama3.2');

  it('measures against the context window when nothing is reserved', () => {
    expect(gpt4o.contextWindow).toBe(128_000);
    expect(contextBudget(gpt4o, 12_345, null)).toEqual({
      limit: 128_000,
      used: 12_345,
      fraction: 12_345 / 128_000,
      level: 'ok',
      message: '12,345 of 128,000 tokens (10 %)',
    });
  });

  it('reserves max tokens for the answer and says so', () => {
    const budget = contextBudget(gpt4o, 12_345, 4_096);
    expect(budget.limit).toBe(128_000 - 4_096);
    expect(budget.message).toBe(
      '12,345 of 123,904 tokens (10 %) — the 128,000-token context window less 4,096 for the answer',
    );
  });

  it('warns from 80 % and is over above the limit', () => {
    expect(contextBudget(gpt4o, 102_399, null).level).toBe('ok');
    expect(contextBudget(gpt4o, 102_400, null)).toMatchObject({ level: 'warn', fraction: 0.8 });
    expect(contextBudget(gpt4o, 128_000, null)).toMatchObject({
      level: 'warn',
      message: '128,000 of 128,000 tokens (100 %)',
    });
    expect(contextBudget(gpt4o, 127_999, null).message).toBe('127,999 of 128,000 tokens (99 %)');
    expect(contextBudget(gpt4o, 120_000, 16_384)).toMatchObject({
      level: 'over',
      message:
        '120,000 of 111,616 tokens (108 %), 8,384 over — the 128,000-token context window less 16,384 for the answer',
    });
  });

  it("uses gpt-5's input limit, below its 400,000-token window", () => {
    expect(gpt5).toMatchObject({ contextWindow: 400_000, maxInputTokens: 272_000 });
    expect(contextBudget(gpt5, 500, null)).toMatchObject({
      limit: 272_000,
      level: 'ok',
      message: '500 of 272,000 tokens (<1 %) — the input limit of gpt-5',
    });
    // 128,000 reserved leaves exactly the input limit: the window and the cap agree.
    expect(contextBudget(gpt5, 250_000, 128_000)).toMatchObject({ limit: 272_000, level: 'warn' });
  });

  it('says when max tokens leaves no room at all', () => {
    expect(contextBudget(gpt4o, 10, 200_000)).toMatchObject({
      limit: 0,
      level: 'over',
      fraction: Number.POSITIVE_INFINITY,
      message: 'max tokens 200,000 leaves no room for the prompt in the 128,000-token context window',
    });
  });

  it('ignores a max tokens that is not a count', () => {
    expect(contextBudget(gpt4o, 100, Number.NaN).limit).toBe(128_000);
    expect(contextBudget(gpt4o, 100, -5).limit).toBe(128_000);
  });

  it('knows no limit for an unknown model', () => {
    expect(contextBudget(local, 1_234, 512)).toEqual({
      limit: null,
      used: 1_234,
      fraction: null,
      level: 'unknown',
      message: '1,234 tokens; the context window of llama3.2 is unknown',
    });
  });
});

describe('costRange', () => {
  const usd = (n: number) => ({ known: true, usd: expect.closeTo(n, 12) as number });

  it('prices the prompt alone and the prompt with max tokens (gpt-4o: $2.50 / $10 per 1M)', () => {
    const gpt4o = describeModel('gpt-4o');
    expect(gpt4o.price).toMatchObject({ inputPerMTok: 2.5, outputPerMTok: 10 });
    expect(costRange(gpt4o, 10_000, 1_000)).toEqual({ min: usd(0.025), max: usd(0.025 + 0.01) });
  });

  it("falls back to the model's output limit, within what the window leaves", () => {
    const gpt4o = describeModel('gpt-4o');
    expect(costRange(gpt4o, 10_000, null).max).toEqual(usd(0.025 + (16_384 * 10) / 1e6));
    // 120,000 prompt tokens leave 8,000 of the 128,000 window for the answer.
    expect(costRange(gpt4o, 120_000, null).max).toEqual(usd(0.3 + 0.08));
  });

  it('prices gpt-5 ($1.25 / $10 per 1M) up to its 128,000 output tokens', () => {
    const gpt5 = describeModel('gpt-5');
    expect(costRange(gpt5, 2_000, null)).toEqual({ min: usd(0.0025), max: usd(0.0025 + 1.28) });
  });

  it('bills above the long-context threshold at the higher tier (gpt-5.4)', () => {
    const gpt54 = describeModel('gpt-5.4');
    expect(gpt54.price?.longContext).toMatchObject({ aboveInputTokens: 272_000, inputPerMTok: 5 });
    expect(costRange(gpt54, 300_000, 0)).toEqual({ min: usd(1.5), max: usd(1.5) });
  });

  it('is unknown for an unknown model, with no upper bound unless max tokens is set', () => {
    const local = describeModel('qwen2.5:7b');
    expect(costRange(local, 1_000, null)).toEqual({ min: { known: false }, max: null });
    expect(costRange(local, 1_000, 256)).toEqual({ min: { known: false }, max: { known: false } });
  });
});

describe('the count handler (real encodings, as in the worker)', () => {
  const messages = cookbook.chat_message_counting.example_messages;
  const handle = createCountHandler(loadEncoder);

  it('replies with the tokens, the encoding and whether it is exact', async () => {
    const reply = await handle({ id: 7, model: 'gpt-4o', messages });
    expect(reply).toEqual({
      id: 7,
      tokens: 124,
      toolTokens: 0,
      toolsApproximate: false,
      encoding: 'o200k_base',
      exact: true,
      ms: expect.any(Number),
    });
    expect(await handle({ id: 8, model: 'gpt-4-0613', messages })).toMatchObject({
      id: 8,
      tokens: 129,
      encoding: 'cl100k_base',
      exact: true,
    });
    expect(await handle({ id: 9, model: 'llama3.2', messages })).toMatchObject({
      id: 9,
      tokens: 124,
      encoding: 'o200k_base',
      exact: false,
    });
  });

  it('imports each encoding once', async () => {
    const imported: string[] = [];
    const importers: EncodingImporters = {
      o200k_base: () => (imported.push('o200k_base'), ENCODING_IMPORTERS.o200k_base()),
      cl100k_base: () => (imported.push('cl100k_base'), ENCODING_IMPORTERS.cl100k_base()),
    };
    const handleOnce = createCountHandler(createEncoderLoader(importers));
    const replies = await Promise.all(
      ['gpt-4o', 'gpt-5', 'gpt-4', 'o3', 'gpt-3.5-turbo'].map((model, id) =>
        handleOnce({ id, model, messages }),
      ),
    );
    expect(replies.map((r) => ('tokens' in r ? r.tokens : r.error))).toEqual([124, 124, 129, 124, 129]);
    expect(imported.sort()).toEqual(['cl100k_base', 'o200k_base']);
  });

  it('reports a tokenizer that cannot load, and tries again on the next request', async () => {
    let attempts = 0;
    const importers: EncodingImporters = {
      ...ENCODING_IMPORTERS,
      o200k_base: () =>
        ++attempts === 1
          ? Promise.reject(new TypeError('Failed to fetch dynamically imported module'))
          : ENCODING_IMPORTERS.o200k_base(),
    };
    const flaky = createCountHandler(createEncoderLoader(importers));
    expect(await flaky({ id: 1, model: 'gpt-4o', messages })).toEqual({
      id: 1,
      error: 'The o200k_base tokenizer could not be loaded: Failed to fetch dynamically imported module',
    });
    expect(await flaky({ id: 2, model: 'gpt-4o', messages })).toMatchObject({ id: 2, tokens: 124 });
    expect(attempts).toBe(2);
  });

  it('answers a malformed request with an error instead of throwing', async () => {
    const bad = { id: 3, model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'text' }] }] };
    expect(await handle(bad as never)).toEqual({
      id: 3,
      error: 'Malformed count request: expected a model id, messages with string fields and function tools.',
    });
  });

  it('times the work with the clock it is given', async () => {
    const ticks = [100, 112.5];
    const timed = createCountHandler(loadEncoder, () => ticks.shift()!);
    expect(await timed({ id: 4, model: 'gpt-4o', messages })).toMatchObject({ ms: 12.5 });
  });
});

describe('the texts count handler (real encodings, as in the worker)', () => {
  const handle = createCountHandler(loadEncoder);

  it('counts each text alone as tiktoken does for text-embedding-3-small (cl100k_base)', async () => {
    const official = fixture<{ cases: EncodeCase[] }>('tokens/tiktoken_official_test_cases.json').cases;
    const plans = fixture<{ cases: EncodeCase[] }>('tokens/gpt-tokenizer_testplans_cl100k_o200k.json').cases;
    const cases = [
      ...cookbook.encode_examples,
      ...official.filter((c) => !c.allowed_special),
      ...plans,
    ].filter((c) => c.encoding === 'cl100k_base' && !c.text.includes(NEL));
    expect(cases.length).toBeGreaterThan(50);
    const reply = await handle({
      id: 1,
      kind: 'texts',
      model: 'text-embedding-3-small',
      texts: cases.map((c) => c.text),
    });
    expect(reply).toEqual({
      id: 1,
      counts: cases.map((c) => c.tokens.length),
      encoding: 'cl100k_base',
      exact: true,
      ms: expect.any(Number),
    });
  });

  it('matches the prompt tokens the API billed for recorded text-embedding-3-small requests', async () => {
    const recorded = fixture<{
      cases: {
        request_body: { input: string[]; model: string };
        response_body: { usage: { prompt_tokens: number } };
      }[];
    }>('embeddings/pydantic-ai_openai_embeddings_real.json').cases;
    expect(recorded).toHaveLength(3);
    for (const [id, { request_body, response_body }] of recorded.entries()) {
      const reply = await handle({ id, kind: 'texts', model: request_body.model, texts: request_body.input });
      if (!('counts' in reply)) throw new Error(reply.error);
      expect(
        reply.counts.reduce((a, b) => a + b, 0),
        request_body.input.join(' | '),
      ).toBe(response_body.usage.prompt_tokens);
    }
    // 'Hello, world!' is 4 tokens; 'hello' and 'world' are 1 each.
    expect(
      await handle({
        id: 9,
        kind: 'texts',
        model: 'text-embedding-3-small',
        texts: ['Hello, world!', 'hello', 'world', ''],
      }),
    ).toMatchObject({
      counts: [4, 1, 1, 0],
    });
  });

  it('uses the o200k_base estimate for an unknown embeddings model, and says so', async () => {
    expect(
      await handle({ id: 2, kind: 'texts', model: 'nomic-embed-text', texts: ['hello world'] }),
    ).toMatchObject({
      counts: [2],
      encoding: 'o200k_base',
      exact: false,
    });
  });

  it('answers a malformed texts request with an error instead of throwing', async () => {
    const bad = { id: 3, kind: 'texts', model: 'text-embedding-3-small', texts: ['ok', 42] };
    expect(await handle(bad as never)).toEqual({
      id: 3,
      error: 'Malformed count request: expected a model id and a list of strings.',
    });
  });

  it('still takes a chat request that names its kind', async () => {
    const messages = cookbook.chat_message_counting.example_messages;
    expect(await handle({ id: 4, kind: 'chat', model: 'gpt-4o', messages })).toMatchObject({
      id: 4,
      tokens: 124,
    });
  });
});
