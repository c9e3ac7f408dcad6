import { WHEN_EFFORT_NONE } from '../models/params';
import type { ChatParam, ModelInfo, ParamSupport } from '../models/types';
import type { ParamName, ParamValues } from './types';

/** A numeric parameter's control: its range and the value the API uses when it is not sent. */
export interface NumberSpec {
  name: 'temperature' | 'top_p' | 'frequency_penalty' | 'presence_penalty' | 'max_tokens' | 'seed' | 'n';
  label: string;
  min: number;
  /** null = no upper bound (max tokens uses the model's limit when known). */
  max: number | null;
  step: number;
  /** The API's default; null = none (the parameter has no default value to show). */
  apiDefault: number | null;
  slider: boolean;
  help: string;
}

/** The numeric parameters, in the order the panel shows them. */
export const NUMBER_PARAMS: readonly NumberSpec[] = [
  {
    name: 'temperature',
    label: 'Temperature',
    min: 0,
    max: 2,
    step: 0.01,
    apiDefault: 1,
    slider: true,
    help: 'Randomness of each token pick. 0 for extraction and classification (the most repeatable); 0.7–1 for writing.',
  },
  {
    name: 'max_tokens',
    label: 'Max tokens',
    min: 1,
    max: null,
    step: 1,
    apiDefault: null,
    slider: false,
    help: 'Caps the answer’s length, and with it its cost. An answer cut here ends with finish_reason “length”.',
  },
  {
    name: 'top_p',
    label: 'Top P',
    min: 0,
    max: 1,
    step: 0.01,
    apiDefault: 1,
    slider: true,
    help: 'Samples only from the most likely tokens whose probabilities add up to P (nucleus sampling).',
  },
  {
    name: 'frequency_penalty',
    label: 'Frequency penalty',
    min: -2,
    max: 2,
    step: 0.01,
    apiDefault: 0,
    slider: true,
    help: 'Positive values make a token less likely the more often it already appeared: less repetition.',
  },
  {
    name: 'presence_penalty',
    label: 'Presence penalty',
    min: -2,
    max: 2,
    step: 0.01,
    apiDefault: 0,
    slider: true,
    help: 'Positive values make any token that already appeared less likely: more new topics.',
  },
  {
    name: 'seed',
    label: 'Seed',
    min: -9_007_199_254_740_991,
    max: 9_007_199_254_740_991,
    step: 1,
    apiDefault: null,
    slider: false,
    help: 'Best effort at repeatable answers: the same seed and parameters usually give the same answer while system_fingerprint stays the same.',
  },
  {
    name: 'n',
    label: 'Choices (n)',
    min: 1,
    max: 8,
    step: 1,
    apiDefault: 1,
    slider: false,
    help: 'How many answers to generate. Output tokens are billed for each; the prompt once.',
  },
];

/** The API's limit on stop sequences. */
export const MAX_STOP_SEQUENCES = 4;

/** Whether the control for a parameter is enabled for a model, and why not when it is not. */
export interface ParamAvailability {
  enabled: boolean;
  /** Why it is disabled, or the condition under which it is accepted. */
  reason: string | null;
}

/** Which catalog entry decides a playground parameter. */
function catalogParam(name: ParamName, model: ModelInfo): ChatParam {
  return name === 'max_tokens' ? model.maxTokensParam : name;
}

/**
 * Whether a parameter may be sent to a model, given the other values. Without model facts
 * (the catalog not loaded yet, or no model chosen) everything is allowed.
 */
export function availability(
  name: ParamName,
  model: ModelInfo | null,
  values: ParamValues,
): ParamAvailability {
  if (!model) return { enabled: true, reason: null };
  if (name === 'reasoning_effort' && model.reasoningEfforts.length === 0) {
    const support = model.params.reasoning_effort;
    return { enabled: false, reason: support.supported === true ? null : support.reason };
  }
  return fromSupport(model.params[catalogParam(name, model)], values);
}

function fromSupport(support: ParamSupport, values: ParamValues): ParamAvailability {
  if (support.supported === true) return { enabled: true, reason: null };
  if (support.supported === false) return { enabled: false, reason: support.reason };
  if (support.when === WHEN_EFFORT_NONE) {
    // GPT-5.1 and later default to reasoning effort 'none', so unset counts as 'none'.
    return values.reasoning_effort === undefined || values.reasoning_effort === 'none'
      ? { enabled: true, reason: null }
      : { enabled: false, reason: `Only with reasoning effort “none”. ${support.reason}` };
  }
  // Other conditions depend on the server (local models): allowed, with the caveat shown.
  return { enabled: true, reason: support.reason };
}

/** Whether the system prompt and system/developer messages may be sent to this model. */
export function systemMessagesAllowed(model: ModelInfo | null): ParamAvailability {
  if (!model) return { enabled: true, reason: null };
  const support = model.params.system_message;
  return support.supported === false
    ? { enabled: false, reason: support.reason }
    : { enabled: true, reason: null };
}

/** Advice that applies to the current values: shown next to the parameters, never enforced. */
export function adviceFor(values: ParamValues, model: ModelInfo | null, conversationText: string): string[] {
  const advice: string[] = [];
  if (values.temperature !== undefined && values.top_p !== undefined) {
    advice.push(
      'Temperature and Top P are both set: change one or the other, not both (OpenAI’s advice), so you can tell which one made the difference.',
    );
  }
  if (values.response_format === 'json_object' && !/json/i.test(conversationText)) {
    advice.push(
      'JSON mode needs the word “JSON” in the messages (for example “Answer in JSON”); the API rejects the request otherwise.',
    );
  }
  if (values.max_tokens !== undefined && model?.kind === 'reasoning' && values.max_tokens < 1000) {
    advice.push(
      'On a reasoning model, Max tokens also counts the hidden reasoning tokens: a low limit can leave no room for the visible answer.',
    );
  }
  if (
    values.max_tokens !== undefined &&
    model?.maxOutputTokens &&
    values.max_tokens > model.maxOutputTokens
  ) {
    advice.push(
      `Max tokens is above ${model.id}’s output limit of ${model.maxOutputTokens.toLocaleString('en-US')} tokens; the API will reject it.`,
    );
  }
  if ((values.n ?? 1) > 1 && values.seed === undefined && values.temperature === 0) {
    advice.push('With temperature 0, the n choices will likely be the same answer.');
  }
  return advice;
}

/** What `finish_reason` means, and what to do about it. */
export function explainFinishReason(reason: string | null): string {
  switch (reason) {
    case 'stop':
      return 'The model finished its answer (or met a stop sequence).';
    case 'length':
      return 'Cut off at the max tokens limit (or the context window): raise Max tokens to get the rest.';
    case 'content_filter':
      return 'Content was withheld by the content filter.';
    case 'tool_calls':
      return 'The model asked to call a tool; send the tool’s result to continue.';
    case 'function_call':
      return 'The model asked to call a function (legacy form).';
    case null:
      return 'No finish reason: the answer did not end normally.';
    default:
      return `Reported by the server: “${reason}”.`;
  }
}
