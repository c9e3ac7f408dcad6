/**
 * Which Chat Completions parameters each model accepts. The evidence is the API's own rejections, collected
 * in tests/fixtures/models/openai_models_metadata.json (`reasoning_model_parameter_rules`) and
 * tests/fixtures/errors/openai_error_examples.json; the reasons below quote those error messages so the UI
 * can show the user what the API would have said.
 */
import { CHAT_PARAMS, type ChatParam, type ModelKind, type ParamSupport } from './types';

/** What the rules need to know about a model; `name` is the catalog's canonical snapshot name. */
export interface ParamContext {
  id: string;
  kind: ModelKind;
  known: boolean;
  name: string | null;
  /** Why an `embedding`/`other` model cannot take chat parameters. */
  notChatReason: string | null;
}

const ok: ParamSupport = { supported: true };
const no = (reason: string): ParamSupport => ({ supported: false, reason });
const when = (condition: string, reason: string): ParamSupport => ({
  supported: 'conditional',
  when: condition,
  reason,
});

// Error texts as the API returns them (fixture ids in brackets).
/** [400_unsupported_value_temperature] reported for o1-mini, o4-mini, gpt-5, gpt-5-mini, GPT-5.4. */
const TEMPERATURE_ERROR =
  "Unsupported value: 'temperature' does not support 0.01 with this model. Only the default (1) value is supported.";
/** [400_unsupported_parameter_max_tokens_reasoning_model] */
const MAX_TOKENS_ERROR =
  "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
/** [400_unsupported_value_system_role_o1_mini], recorded by pydantic-ai against the live API. */
const SYSTEM_ROLE_ERROR = "Unsupported value: 'messages[0].role' does not support 'system' with this model.";
/** [400_function_tools_with_reasoning_effort] */
const TOOLS_WITH_EFFORT_ERROR =
  "Function tools with reasoning_effort are not supported for gpt-5.6-luna in /v1/chat/completions. To use function tools, use /v1/responses or set reasoning_effort to 'none'.";
// Not in the fixtures: quoted from public issue reports, cited where used.
const TOP_P_ERROR = "Unsupported parameter: 'top_p' is not supported with this model.";
const STOP_ERROR = "Unsupported parameter: 'stop' is not supported with this model.";
const SEARCH_ERROR =
  'Model incompatible request arguments supplied: frequency_penalty, presence_penalty, temperature, top_p';

const REASONING_LIMITS = 'reasoning models reject it (platform.openai.com/docs/guides/reasoning#limitations)';
/** The condition under which GPT-5.1+ take sampling parameters; the request builder checks for it. */
export const WHEN_EFFORT_NONE = "reasoning_effort is 'none'";
const EFFORT_NONE = WHEN_EFFORT_NONE;
const EFFORT_NONE_REASON =
  "GPT-5.1 and later take it only with reasoning_effort 'none' (platform.openai.com/docs/guides/latest-model#gpt-5-1-parameter-compatibility); otherwise: ";

/** gpt-5 family minor version from a canonical name ('gpt-5-2025-08-07' → 0, 'gpt-5.4-mini-…' → 4), else null. */
function gpt5Minor(name: string): number | null {
  const m = /^gpt-5(?:\.(\d+))?(?:-|$)/.exec(name);
  return m ? Number(m[1] ?? 0) : null;
}

/** o1-mini and o1-preview predate developer messages and reasoning_effort (both arrived with o1-2024-12-17). */
const isO1Legacy = (name: string): boolean => /^o1-(mini|preview)/.test(name);

/** gpt-5.1-chat-latest and later chat aliases: the catalog lists no reasoning tokens, yet they take reasoning_effort. */
const isGpt5xChat = (name: string): boolean => /^gpt-5\.\d+-chat/.test(name);

/**
 * The `reasoning_effort` values a model accepts, from the API's own "Supported values are: …" errors.
 * Unknown ids get the common low/medium/high; their `reasoning_effort` is only ever conditional.
 */
export function reasoningEffortsFor(ctx: ParamContext): readonly string[] {
  if (!ctx.known) return ctx.kind === 'chat' ? ['low', 'medium', 'high'] : [];
  const name = ctx.name ?? '';
  // "Unsupported value: 'high' is not supported with the 'gpt-5.1-chat-latest' model. Supported values are:
  // 'medium'." (github.com/Laisky/one-api/issues/266; the same for gpt-5.2-chat: egoist/chatwise-releases#1257)
  if (ctx.kind === 'chat' && isGpt5xChat(name)) return ['medium'];
  if (ctx.kind !== 'reasoning' || isO1Legacy(name)) return [];
  const minor = gpt5Minor(name);
  // gpt-5 introduced 'minimal'; gpt-5.1 replaced it with 'none' ([400_unsupported_value_reasoning_effort]:
  // "Supported values are: 'none', 'low', 'medium', and 'high'"); gpt-5.2 added 'xhigh'
  // (brainlid/langchain#419); the spec's enum ends with 'max', which Marker-Inc-Korea/AutoRAG#1193 offers on
  // gpt-5.6 (and vercel/ai on gpt-6-sol/luna). Thin evidence: a 400 here names the supported values.
  if (minor === 0) return ['minimal', 'low', 'medium', 'high'];
  if (minor === 1) return ['none', 'low', 'medium', 'high'];
  if (minor !== null && minor >= 6) return ['none', 'low', 'medium', 'high', 'xhigh', 'max'];
  if (minor !== null) return ['none', 'low', 'medium', 'high', 'xhigh'];
  return ['low', 'medium', 'high'];
}

function allUnsupported(reason: string): Record<ChatParam, ParamSupport> {
  const refused = no(reason);
  return Object.fromEntries(CHAT_PARAMS.map((p) => [p, refused])) as Record<ChatParam, ParamSupport>;
}

function allSupported(): Record<ChatParam, ParamSupport> {
  return Object.fromEntries(CHAT_PARAMS.map((p) => [p, ok])) as Record<ChatParam, ParamSupport>;
}

/** The parameter table for one model. */
export function paramsFor(ctx: ParamContext): Record<ChatParam, ParamSupport> {
  if (ctx.kind === 'embedding' || ctx.kind === 'other') {
    return allUnsupported(ctx.notChatReason ?? `${ctx.id} is not a chat model.`);
  }
  const params = allSupported();
  const efforts = reasoningEffortsFor(ctx);

  if (!ctx.known) {
    // Local servers (Ollama, LM Studio, vLLM, older builds) all know max_tokens; many ignore or reject the rest.
    params.max_completion_tokens = when(
      'the server implements it',
      'Newer OpenAI-compatible servers accept max_completion_tokens; older ones only know max_tokens.',
    );
    params.reasoning_effort = when(
      "the server's model reasons",
      'Some OpenAI-compatible servers pass reasoning_effort to reasoning models (e.g. gpt-oss); others ignore or reject it.',
    );
    return params;
  }

  const name = ctx.name ?? '';
  if (ctx.kind === 'chat') {
    if (efforts.length === 0) params.reasoning_effort = no(`${ctx.id} is not a reasoning model.`);
    if (/-search-preview/.test(name)) {
      // vercel/ai#5647, ChatGPTNextWeb/NextChat#6569; 'n': pydantic/pydantic-ai#1418.
      for (const p of ['temperature', 'top_p', 'frequency_penalty', 'presence_penalty'] as const) {
        params[p] = no(`Search models reject sampling parameters: "${SEARCH_ERROR}"`);
      }
      params.n = no('Search models reject it: "Model incompatible request argument supplied: n"');
      params.tools = no('The model catalog lists no function calling for search models.');
    }
    return params;
  }

  // Reasoning models.
  params.max_tokens = no(MAX_TOKENS_ERROR);
  const minor = gpt5Minor(name);
  if (efforts.includes('none')) {
    params.temperature = when(EFFORT_NONE, EFFORT_NONE_REASON + TEMPERATURE_ERROR);
    // top_p: brainlid/langchain#419 (gpt-5.2).
    params.top_p = when(EFFORT_NONE, EFFORT_NONE_REASON + TOP_P_ERROR);
    params.logprobs = when(EFFORT_NONE, `${EFFORT_NONE_REASON}no log probabilities.`);
  } else {
    params.temperature = no(TEMPERATURE_ERROR);
    params.top_p = no(TOP_P_ERROR);
    params.logprobs = no(`Reasoning models return no log probabilities: ${REASONING_LIMITS}.`);
  }
  params.frequency_penalty = no(`Not with reasoning: ${REASONING_LIMITS}.`);
  params.presence_penalty = no(`Not with reasoning: ${REASONING_LIMITS}.`);

  if (efforts.length === 0) {
    params.reasoning_effort = no(
      `${ctx.id} has a fixed reasoning effort: reasoning_effort arrived with o1-2024-12-17.`,
    );
  }
  if (isO1Legacy(name)) {
    // Azure's reasoning docs: "o1-mini/o1-preview: no system/developer messages"; they also launched without
    // function calling and structured outputs (the scraped catalog's feature list for o1-preview is wrong here).
    params.system_message = no(`${SYSTEM_ROLE_ERROR} Put the instructions in the first user message.`);
    params.tools = no(`${ctx.id} does not support function calling; o1 (2024-12-17) and later do.`);
    params.response_format = no(
      `${ctx.id} does not support structured outputs; o1 (2024-12-17) and later do.`,
    );
  }
  // o3 and o4-mini (crewAIInc/crewAI#2738, langgenius/dify#18971), gpt-5 (huggingface/smolagents#1662),
  // gpt-5.1 (smolagents#1868), up to gpt-5.4 (BerriAI/litellm#28650, which restores stop from gpt-5.5 on).
  if (/^o3-\d{4}|^o4-mini/.test(name) || (minor !== null && minor <= 4)) params.stop = no(STOP_ERROR);
  if (name === 'gpt-5.6-luna') params.tools = when(EFFORT_NONE, TOOLS_WITH_EFFORT_ERROR);
  return params;
}
