/**
 * How much of a model's context a prompt takes, and what a request may cost, before it is sent.
 */
import { formatTokenCount } from '../format';
// Not the models barrel: it carries the catalog (gpt-tokenizer's model list), which the first load must not.
import { costOf } from '../models/cost';
import type { Cost, ModelInfo } from '../models/types';

/** From this share of the input budget on, the meter warns. */
export const WARN_FRACTION = 0.8;

/** `unknown` when the model's context window is not known (local servers). */
export type BudgetLevel = 'ok' | 'warn' | 'over' | 'unknown';

/** The context meter's state. */
export interface ContextBudget {
  /** Tokens the prompt may take; null when unknown. */
  limit: number | null;
  /** The prompt's tokens. */
  used: number;
  /** used / limit (above 1 when over); null when the limit is unknown. */
  fraction: number | null;
  level: BudgetLevel;
  /** The numbers in words, e.g. '12,345 of 128,000 tokens (10 %)'. */
  message: string;
}

/** The cost of the next request: the prompt alone, and the prompt with the longest answer it may get. */
export interface CostRange {
  min: Cost;
  /** null when nothing bounds the answer (no max tokens set and the model's output limit unknown). */
  max: Cost | null;
}

const tokens = formatTokenCount;

/** A token bound the caller may have left empty or invalid: only a non-negative count counts. */
function bound(n: number | null): number | null {
  return n !== null && Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

function percent(used: number, limit: number): string {
  if (used > 0 && used / limit < 0.005) return '<1 %';
  const rounded = Math.round((used / limit) * 100);
  // Never show 100 % while there is still room.
  return `${used < limit ? Math.min(rounded, 99) : rounded} %`;
}

/**
 * The input budget of `model` for a prompt of `promptTokens` and an answer of up to `maxTokens`: the model's
 * input cap where the catalog gives one (gpt-5: 272,000), and the context window less the tokens reserved for
 * the answer (`maxTokens`; nothing when it is not set, as the API then lets the answer take what is left),
 * whichever is lower. Warns from {@link WARN_FRACTION} of it; `over` means the API would refuse the request.
 */
export function contextBudget(
  model: ModelInfo,
  promptTokens: number,
  maxTokens: number | null,
): ContextBudget {
  const used = Math.max(0, Math.floor(promptTokens));
  const reserved = bound(maxTokens) ?? 0;
  const window = model.contextWindow;
  const windowRoom = window === null ? null : Math.max(0, window - reserved);
  const caps = [model.maxInputTokens, windowRoom].filter((n): n is number => n !== null);
  if (caps.length === 0) {
    return {
      limit: null,
      used,
      fraction: null,
      level: 'unknown',
      message: `${tokens(used)} tokens; the context window of ${model.id} is unknown`,
    };
  }
  const limit = Math.min(...caps);
  const fraction = limit > 0 ? used / limit : used > 0 ? Number.POSITIVE_INFINITY : 0;
  const level = used > limit ? 'over' : fraction >= WARN_FRACTION ? 'warn' : 'ok';

  if (limit === 0 && window !== null) {
    return {
      limit,
      used,
      fraction,
      level,
      message: `max tokens ${tokens(reserved)} leaves no room for the prompt in the ${tokens(window)}-token context window`,
    };
  }
  // Say where the limit comes from when it is not simply the context window.
  const why =
    limit === model.maxInputTokens && limit !== windowRoom
      ? ` — the input limit of ${model.id}`
      : reserved > 0 && window !== null
        ? ` — the ${tokens(window)}-token context window less ${tokens(reserved)} for the answer`
        : '';
  const over = level === 'over' ? `, ${tokens(used - limit)} over` : '';
  return {
    limit,
    used,
    fraction,
    level,
    message: `${tokens(used)} of ${tokens(limit)} tokens (${percent(used, limit)})${over}${why}`,
  };
}

/**
 * The cost of sending `promptTokens`, from the prompt alone (`min`) to the prompt plus the longest answer
 * (`max`): `maxOutputTokens` when set, else the model's output limit; either way no more than the context
 * window leaves. Prices, cached-token and long-context rules are `costOf`'s.
 */
export function costRange(model: ModelInfo, promptTokens: number, maxOutputTokens: number | null): CostRange {
  const prompt = Math.max(0, Math.floor(promptTokens));
  const min = costOf(model, { prompt_tokens: prompt, completion_tokens: 0 });
  let answer = bound(maxOutputTokens) ?? model.maxOutputTokens;
  if (answer === null) return { min, max: null };
  if (model.contextWindow !== null) answer = Math.min(answer, Math.max(0, model.contextWindow - prompt));
  return { min, max: costOf(model, { prompt_tokens: prompt, completion_tokens: answer }) };
}
