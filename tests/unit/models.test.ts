import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CHAT_PARAMS,
  describeModel,
  describeModels,
  EMBEDDING_LIMITS,
  type ChatParam,
  type ModelInfo,
} from '../../src/lib/models';

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

interface CatalogFacts {
  name: string;
  context_window?: number;
  max_output_tokens?: number;
  max_input_tokens?: number;
  reasoning_tokens?: boolean;
  deprecated?: boolean;
  supported_endpoints: string[];
  knowledge_cutoff?: string;
}
interface FixtureModel {
  id: string;
  catalog: CatalogFacts;
  openai_codex_model_info?: { context_window?: number; max_output_tokens?: number };
  prices_usd_per_1M_tokens: { context_window: number | null };
}
interface Metadata {
  models: FixtureModel[];
  model_ids_in_openapi_spec: { ids: string[] };
  embeddings_limits_from_spec: {
    max_input_tokens_per_input: number;
    max_inputs_per_request: number;
    max_total_tokens_per_request: number;
    default_dims: Record<string, number>;
  };
}
interface ErrorExample {
  id: string;
  body?: { error: { message: string } };
}

const metadata = fixture<Metadata>('models/openai_models_metadata.json');
const errors = fixture<{ errors: ErrorExample[] }>('errors/openai_error_examples.json').errors;
const fixtureModel = (id: string): FixtureModel => {
  const found = metadata.models.find((m) => m.id === id);
  if (!found) throw new Error(`fixture has no model ${id}`);
  return found;
};
const apiError = (id: string): string => {
  const message = errors.find((e) => e.id === id)?.body?.error.message;
  if (!message) throw new Error(`fixture has no error ${id}`);
  return message;
};

const CLASSIC: ChatParam[] = [
  'temperature',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'max_tokens',
  'stop',
  'seed',
  'n',
  'logprobs',
  'response_format',
  'tools',
  'system_message',
];

function supportOf(info: ModelInfo): Record<string, true | false | 'conditional'> {
  return Object.fromEntries(CHAT_PARAMS.map((p) => [p, info.params[p].supported]));
}

function reasonOf(info: ModelInfo, param: ChatParam): string {
  const s = info.params[param];
  return s.supported === true ? '' : s.reason;
}

describe('parameter rules per kind', () => {
  it('gpt-4o (chat): every classic parameter, max_completion_tokens, no reasoning_effort', () => {
    const m = describeModel('gpt-4o');
    expect(m.kind).toBe('chat');
    expect(m.displayGroup).toBe('Chat');
    expect(m.maxTokensParam).toBe('max_completion_tokens');
    for (const p of CLASSIC) expect(m.params[p], p).toEqual({ supported: true });
    expect(m.params.max_completion_tokens).toEqual({ supported: true });
    expect(m.params.reasoning_effort.supported).toBe(false);
    expect(m.reasoningEfforts).toEqual([]);
  });

  it('o3-mini (reasoning): max_completion_tokens and reasoning_effort, no sampling parameters', () => {
    const m = describeModel('o3-mini');
    expect(m.kind).toBe('reasoning');
    expect(m.displayGroup).toBe('Reasoning');
    expect(m.maxTokensParam).toBe('max_completion_tokens');
    expect(supportOf(m)).toEqual({
      temperature: false,
      top_p: false,
      frequency_penalty: false,
      presence_penalty: false,
      max_tokens: false,
      max_completion_tokens: true,
      reasoning_effort: true,
      stop: true,
      seed: true,
      n: true,
      logprobs: false,
      response_format: true,
      tools: true,
      system_message: true,
    });
    expect(m.reasoningEfforts).toEqual(['low', 'medium', 'high']);
  });

  it("quotes the API's own rejections of temperature and max_tokens", () => {
    const m = describeModel('o3-mini');
    expect(reasonOf(m, 'temperature')).toContain(apiError('400_unsupported_value_temperature'));
    expect(reasonOf(m, 'max_tokens')).toContain(
      apiError('400_unsupported_parameter_max_tokens_reasoning_model'),
    );
  });

  it('o1-mini: no system message (recorded rejection), no reasoning_effort, no tools', () => {
    const m = describeModel('o1-mini');
    expect(m.kind).toBe('reasoning');
    expect(m.params.system_message.supported).toBe(false);
    expect(reasonOf(m, 'system_message')).toContain(apiError('400_unsupported_value_system_role_o1_mini'));
    expect(m.params.reasoning_effort.supported).toBe(false);
    expect(m.reasoningEfforts).toEqual([]);
    expect(m.params.tools.supported).toBe(false);
    expect(m.params.response_format.supported).toBe(false);
    expect(m.params.temperature.supported).toBe(false);
    expect(m.params.max_tokens.supported).toBe(false);
    // o1 (2024-12-17) took developer messages and reasoning_effort.
    expect(describeModel('o1').params.system_message.supported).toBe(true);
    expect(describeModel('o1').reasoningEfforts).toEqual(['low', 'medium', 'high']);
  });

  it("gpt-5: 'minimal' effort, no temperature, no stop", () => {
    const m = describeModel('gpt-5');
    expect(m.kind).toBe('reasoning');
    expect(m.reasoningEfforts).toEqual(['minimal', 'low', 'medium', 'high']);
    expect(m.params.temperature).toEqual({
      supported: false,
      reason: apiError('400_unsupported_value_temperature'),
    });
    expect(m.params.stop.supported).toBe(false);
    expect(m.params.max_tokens.supported).toBe(false);
    expect(m.params.logprobs.supported).toBe(false);
  });

  it("gpt-5.1: efforts as the API lists them; temperature, top_p and logprobs only with effort 'none'", () => {
    const m = describeModel('gpt-5.1');
    const listed = apiError('400_unsupported_value_reasoning_effort').split('Supported values are:')[1] ?? '';
    expect(m.reasoningEfforts).toEqual([...listed.matchAll(/'(\w+)'/g)].map((match) => match[1]));
    expect(m.reasoningEfforts).toEqual(['none', 'low', 'medium', 'high']);
    for (const p of ['temperature', 'top_p', 'logprobs'] as const) {
      expect(m.params[p].supported, p).toBe('conditional');
      expect(m.params[p]).toMatchObject({ when: "reasoning_effort is 'none'" });
    }
    expect(m.params.frequency_penalty.supported).toBe(false);
    expect(m.params.presence_penalty.supported).toBe(false);
    expect(m.params.max_tokens.supported).toBe(false);
  });

  it("gpt-5.2 and later add 'xhigh'; gpt-5.6 adds 'max' and gates tools on effort 'none' (luna)", () => {
    expect(describeModel('gpt-5.2').reasoningEfforts).toEqual(['none', 'low', 'medium', 'high', 'xhigh']);
    expect(describeModel('gpt-5.4-mini').reasoningEfforts).toEqual([
      'none',
      'low',
      'medium',
      'high',
      'xhigh',
    ]);
    const luna = describeModel('gpt-5.6-luna');
    expect(luna.reasoningEfforts).toEqual(['none', 'low', 'medium', 'high', 'xhigh', 'max']);
    expect(luna.params.tools).toEqual({
      supported: 'conditional',
      when: "reasoning_effort is 'none'",
      reason: apiError('400_function_tools_with_reasoning_effort'),
    });
    expect(describeModel('gpt-5.6-terra').params.tools.supported).toBe(true);
  });

  it('stop: rejected by o3, o4-mini and gpt-5 to gpt-5.4; accepted by o3-mini, o1 and gpt-5.5', () => {
    for (const id of ['o3', 'o4-mini', 'gpt-5-mini', 'gpt-5.1', 'gpt-5.4']) {
      expect(describeModel(id).params.stop, id).toEqual({
        supported: false,
        reason: "Unsupported parameter: 'stop' is not supported with this model.",
      });
    }
    for (const id of ['o3-mini', 'o1', 'gpt-5.5', 'gpt-4o'])
      expect(describeModel(id).params.stop.supported, id).toBe(true);
  });

  it('gpt-5-chat-latest is a chat model: temperature allowed, no reasoning_effort', () => {
    const m = describeModel('gpt-5-chat-latest');
    expect(m.kind).toBe('chat');
    expect(m.params.temperature).toEqual({ supported: true });
    expect(m.params.reasoning_effort.supported).toBe(false);
    expect(m.maxTokensParam).toBe('max_completion_tokens');
  });

  it("gpt-5.1-chat-latest and later take reasoning_effort, 'medium' only", () => {
    const m = describeModel('gpt-5.1-chat-latest');
    expect(m.kind).toBe('chat');
    expect(m.params.reasoning_effort).toEqual({ supported: true });
    expect(m.reasoningEfforts).toEqual(['medium']);
  });

  it('search-preview models reject sampling parameters and n', () => {
    const m = describeModel('gpt-4o-mini-search-preview');
    expect(m.kind).toBe('chat');
    for (const p of ['temperature', 'top_p', 'frequency_penalty', 'presence_penalty', 'n'] as const) {
      expect(m.params[p].supported, p).toBe(false);
    }
    expect(m.params.max_completion_tokens.supported).toBe(true);
  });

  it('text-embedding-3-small (embedding): no chat parameter, embedding facts', () => {
    const m = describeModel('text-embedding-3-small');
    expect(m.kind).toBe('embedding');
    expect(m.displayGroup).toBe('Embeddings');
    for (const p of CHAT_PARAMS) expect(m.params[p].supported, p).toBe(false);
    expect(reasonOf(m, 'temperature')).toContain('/v1/embeddings');
    expect(m.embedding).toEqual({ defaultDimensions: 1536, supportsDimensions: true, maxInputTokens: 8192 });
    expect(describeModel('text-embedding-3-large').embedding?.defaultDimensions).toBe(3072);
    expect(describeModel('text-embedding-ada-002').embedding).toEqual({
      defaultDimensions: 1536,
      supportsDimensions: false,
      maxInputTokens: 8192,
    });
    expect(m.maxOutputTokens).toBeNull();
    expect(m.reasoningEfforts).toEqual([]);
  });

  it('embedding defaults match the spec fixture', () => {
    const dims = metadata.embeddings_limits_from_spec.default_dims;
    for (const [id, n] of Object.entries(dims))
      expect(describeModel(id).embedding?.defaultDimensions, id).toBe(n);
  });

  it('whisper-1 (other): no chat parameter, says what it serves', () => {
    const m = describeModel('whisper-1');
    expect(m.kind).toBe('other');
    expect(m.displayGroup).toBe('Other');
    for (const p of CHAT_PARAMS) expect(m.params[p].supported, p).toBe(false);
    expect(reasonOf(m, 'temperature')).toBe(
      'whisper-1 is not a chat model (it serves: transcription, translation).',
    );
    expect(m.embedding).toBeNull();
  });

  it('responses-only models (o3-pro, gpt-5-pro, codex-mini-latest) are other, pointing at /v1/responses', () => {
    for (const id of ['o3-pro', 'gpt-5-pro', 'codex-mini-latest', 'gpt-5.1-codex']) {
      const m = describeModel(id);
      expect(m.kind, id).toBe('other');
      expect(reasonOf(m, 'temperature'), id).toContain('/v1/responses only');
    }
  });

  it('audio, image, speech, moderation, realtime and completions-only models are other', () => {
    for (const id of [
      'gpt-4o-audio-preview',
      'gpt-audio',
      'tts-1',
      'dall-e-3',
      'gpt-image-1',
      'omni-moderation-latest',
      'gpt-realtime',
      'gpt-3.5-turbo-instruct',
      'davinci-002',
    ]) {
      expect(describeModel(id).kind, id).toBe('other');
    }
    expect(reasonOf(describeModel('gpt-4o-audio-preview'), 'temperature')).toContain('audio');
    expect(reasonOf(describeModel('gpt-3.5-turbo-instruct'), 'temperature')).toContain('/v1/completions');
  });

  it('llama3.1:8b (unknown): classic chat parameters, max_tokens, nothing else known', () => {
    const m = describeModel('llama3.1:8b');
    expect(m).toMatchObject({
      id: 'llama3.1:8b',
      known: false,
      kind: 'chat',
      contextWindow: null,
      maxOutputTokens: null,
      maxInputTokens: null,
      maxTokensParam: 'max_tokens',
      embedding: null,
      price: null,
      deprecated: false,
      knowledgeCutoff: null,
    });
    for (const p of CLASSIC) expect(m.params[p], p).toEqual({ supported: true });
    expect(m.params.max_completion_tokens.supported).toBe('conditional');
    expect(m.params.reasoning_effort.supported).toBe('conditional');
  });
});

describe('resolving ids', () => {
  it('dated snapshots resolve to the catalog entry', () => {
    for (const [snapshot, alias] of [
      ['gpt-4o-2024-08-06', 'gpt-4o'],
      ['o3-mini-2025-01-31', 'o3-mini'],
      ['gpt-5-2025-08-07', 'gpt-5'],
    ] as const) {
      const s = describeModel(snapshot);
      const a = describeModel(alias);
      expect(s.id).toBe(snapshot);
      expect(s.known).toBe(true);
      const { id: _s, params: sParams, ...sFacts } = s;
      const { id: _a, params: aParams, ...aFacts } = a;
      expect(sFacts).toEqual(aFacts);
      expect(supportOf(s)).toEqual(supportOf(a));
      expect(Object.keys(sParams)).toEqual(Object.keys(aParams));
    }
  });

  it('a snapshot with its own catalog entry keeps its own facts (gpt-4o-2024-05-13: 4,096 output, as Codex says)', () => {
    const m = describeModel('gpt-4o-2024-05-13');
    expect(m.maxOutputTokens).toBe(4096);
    expect(m.contextWindow).toBe(128000);
    expect(m.deprecated).toBe(true);
  });

  it('an unlisted YYYY-MM-DD snapshot gets its alias facts but no guessed price', () => {
    const m = describeModel('gpt-4.1-2099-01-01');
    expect(m.known).toBe(true);
    expect(m.contextWindow).toBe(1047576);
    expect(m.price).toBeNull();
  });

  it('an unlisted MMDD snapshot stays unknown rather than borrowing a newer model’s window', () => {
    expect(describeModel('gpt-3.5-turbo-0301').known).toBe(false);
  });

  it('fine-tuned ids get the base model facts and no price', () => {
    const m = describeModel('ft:gpt-4o-mini-2024-07-18:org::abc');
    expect(m.id).toBe('ft:gpt-4o-mini-2024-07-18:org::abc');
    expect(m.known).toBe(true);
    expect(m.kind).toBe('chat');
    expect(m.contextWindow).toBe(128000);
    expect(m.maxOutputTokens).toBe(16384);
    expect(m.price).toBeNull();
    const reasoning = describeModel('ft:o4-mini-2025-04-16:my-org:triage:AbC123:ckpt-step-50');
    expect(reasoning.kind).toBe('reasoning');
    expect(reasoning.params.temperature.supported).toBe(false);
    expect(describeModel('ft:unknown-base:org::x').known).toBe(false);
  });

  it('ids are matched case-insensitively and trimmed, but reported as given', () => {
    const m = describeModel('GPT-4o ');
    expect(m.id).toBe('GPT-4o ');
    expect(m.known).toBe(true);
    expect(m.price?.inputPerMTok).toBe(2.5);
  });

  it('unknown ids: embedding guessed from the name only, everything else chat', () => {
    const embed = describeModel('nomic-embed-text:latest');
    expect(embed).toMatchObject({ known: false, kind: 'embedding', embedding: null, price: null });
    for (const p of CHAT_PARAMS) expect(embed.params[p].supported, p).toBe(false);
    for (const id of [
      'mistral:7b-instruct',
      'qwen2.5-coder',
      'gpt-oss:20b',
      'deepseek-r1:14b',
      'constructor',
      '',
    ]) {
      expect(describeModel(id), id).toMatchObject({ known: false, kind: 'chat', price: null });
    }
  });

  it('Azure-style price aliases the catalog does not know stay unknown and unpriced', () => {
    expect(describeModel('gpt-35-turbo')).toMatchObject({ known: false, price: null });
  });
});

describe('capabilities against the fixture', () => {
  it.each(metadata.models.map((m) => [m.id, m] as const))('%s: window, output, cutoff, kind', (id, m) => {
    const info = describeModel(id);
    const isEmbedding = m.catalog.supported_endpoints.includes('embeddings');
    expect(info.known).toBe(true);
    expect(info.contextWindow).toBe(m.catalog.context_window ?? (isEmbedding ? 8192 : null));
    expect(info.maxOutputTokens).toBe(m.catalog.max_output_tokens ?? null);
    expect(info.knowledgeCutoff).toBe(m.catalog.knowledge_cutoff ?? null);
    expect(info.deprecated).toBe(m.catalog.deprecated ?? false);
    const codex = m.openai_codex_model_info;
    if (codex?.context_window !== undefined) expect(info.contextWindow).toBe(codex.context_window);
    if (codex?.max_output_tokens !== undefined) expect(info.maxOutputTokens).toBe(codex.max_output_tokens);
    const endpoints = m.catalog.supported_endpoints;
    const expectedKind = isEmbedding
      ? 'embedding'
      : !endpoints.includes('chat_completions')
        ? 'other'
        : m.catalog.reasoning_tokens
          ? 'reasoning'
          : 'chat';
    expect(info.kind).toBe(expectedKind);
  });

  it('o1: follows the catalog (200,000) over genai-prices (128,000, o1-preview’s value)', () => {
    expect(fixtureModel('o1').prices_usd_per_1M_tokens.context_window).toBe(128000);
    expect(describeModel('o1').contextWindow).toBe(200000);
    // o1-preview really is 128,000 (Azure's reasoning docs in the fixture agree).
    expect(describeModel('o1-preview').contextWindow).toBe(128000);
  });

  it('gpt-4.1: follows the catalog (1,047,576) over genai-prices’ rounded 1,000,000', () => {
    expect(fixtureModel('gpt-4.1').prices_usd_per_1M_tokens.context_window).toBe(1000000);
    expect(describeModel('gpt-4.1').contextWindow).toBe(1047576);
  });

  it('gpt-5: 400,000 window but 272,000 input tokens at most (Codex budgets 272,000)', () => {
    const m = describeModel('gpt-5');
    expect(m.contextWindow).toBe(400000);
    expect(m.maxInputTokens).toBe(272000);
    // The catalog's 272,000 input cap cannot exceed gpt-5-chat-latest's 128,000 window.
    expect(describeModel('gpt-5-chat-latest').maxInputTokens).toBe(128000);
  });

  it('every id in the OpenAPI spec is described; the ones the catalog lacks are listed here', () => {
    const unknown = metadata.model_ids_in_openapi_spec.ids.filter((id) => !describeModel(id).known);
    expect(unknown).toEqual([
      'gpt-5.1-mini',
      'gpt-4-vision-preview',
      'gpt-4-32k-0314',
      'gpt-4-32k-0613',
      'gpt-3.5-turbo-16k',
      'gpt-3.5-turbo-0301',
    ]);
  });

  it('EMBEDDING_LIMITS are the spec’s', () => {
    const spec = metadata.embeddings_limits_from_spec;
    expect(EMBEDDING_LIMITS).toEqual({
      maxInputTokens: spec.max_input_tokens_per_input,
      maxInputsPerRequest: spec.max_inputs_per_request,
      maxTokensPerRequest: spec.max_total_tokens_per_request,
    });
  });
});

describe('describeModels', () => {
  it('sorts by kind group (chat, reasoning, embedding, other), then id', () => {
    const ids = [
      'whisper-1',
      'o3-mini',
      'text-embedding-3-small',
      'gpt-4o',
      'llama3.1:8b',
      'dall-e-3',
      'gpt-4.1',
      'o1',
      'nomic-embed-text',
    ];
    expect(describeModels(ids).map((m) => m.id)).toEqual([
      'gpt-4.1',
      'gpt-4o',
      'llama3.1:8b',
      'o1',
      'o3-mini',
      'nomic-embed-text',
      'text-embedding-3-small',
      'dall-e-3',
      'whisper-1',
    ]);
    expect(ids[0]).toBe('whisper-1');
  });

  it('returns [] for no ids', () => {
    expect(describeModels([])).toEqual([]);
  });
});
