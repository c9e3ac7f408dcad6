import type { Cost, ModelInfo, Usage } from './types';

const valid = (n: number | undefined): boolean => n === undefined || (Number.isFinite(n) && n >= 0);

/**
 * What one request cost, from the `usage` the API returned. Cached prompt tokens are billed at the cached
 * price (the full input price when the model has no cached price); reasoning tokens are already inside
 * `completion_tokens`, so they are not added again; above a long-context threshold (gpt-5.4: 272,000 prompt
 * tokens) the whole request is billed at the tier's prices, as OpenAI bills "the full session".
 */
export function costOf(info: ModelInfo, usage: Usage): Cost {
  const price = info.price;
  const cachedTokens = usage.prompt_tokens_details?.cached_tokens ?? 0;
  if (!price || !valid(usage.prompt_tokens) || !valid(usage.completion_tokens) || !valid(cachedTokens)) {
    return { known: false };
  }
  const tier =
    price.longContext && usage.prompt_tokens > price.longContext.aboveInputTokens ? price.longContext : price;
  const cached = Math.min(cachedTokens, usage.prompt_tokens);
  const output = tier.outputPerMTok;
  // Completion tokens on a model with no output price (embeddings) mean we do not know what was billed.
  if (output === null && usage.completion_tokens > 0) return { known: false };
  const perMTok =
    (usage.prompt_tokens - cached) * tier.inputPerMTok +
    cached * (tier.cachedInputPerMTok ?? tier.inputPerMTok) +
    usage.completion_tokens * (output ?? 0);
  return { usd: perMTok / 1_000_000, known: true };
}
