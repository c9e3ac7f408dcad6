/**
 * OpenAI token prices, transcribed by hand from pydantic/genai-prices (prices/providers/openai.yml,
 * commit 47df840a, MIT), whose maintainers check each model against https://developers.openai.com/api/docs/pricing
 * and record the date (`prices_checked`). Our copy is tests/fixtures/models/openai_models_metadata.json;
 * tests/unit/models-prices.test.ts holds every row of this table to that file.
 *
 * Why not the `@pydantic/genai-prices` package itself: it bundles every provider (~830 kB, ~90 kB gzip) for
 * the ~30 OpenAI rows we need, it exposes no per-model check date (which the UI must show), and it carries
 * the gpt-4o-2024-05-13 error corrected below. Why not gpt-tokenizer's `price_data`: it is visibly wrong
 * (gpt-4o, gpt-4.1 and gpt-5 all show 10/30).
 *
 * Deliberate differences from genai-prices, each tested:
 * - gpt-4o-2024-05-13 has its own row at its launch price 5/15 (genai-prices gives it gpt-4o's 2.5/10).
 * - Fine-tuned ids (`ft:…`) never match: fine-tuned inference is priced above the base model, and
 *   genai-prices' `ft:gpt-4-0` prefix would give them the base price.
 */
import type { ModelPrice } from './types';

export { formatPricePerMTok } from '../format';

/** One price in a model's history, USD per 1M tokens. */
export interface PricePoint {
  /** First day this price applied ('YYYY-MM-DD'); null = since the model launched. */
  from: string | null;
  input: number;
  cached: number | null;
  output: number | null;
  /** genai-prices `tiers`: above this many prompt tokens the whole request is billed at these prices. */
  long?: { above: number; input: number; cached: number | null; output: number | null };
}

/** A row of the price table: the ids it matches and its price history, oldest first. */
export interface PriceEntry {
  ids: readonly string[];
  /** genai-prices `starts_with` matches. */
  prefixes?: readonly string[];
  history: readonly PricePoint[];
  checkedOn: string | null;
  /** Overrides {@link PRICES_SOURCE}'s description for rows that do not come from genai-prices. */
  source?: string;
}

const PRICING_URL = 'https://developers.openai.com/api/docs/pricing';
const GENAI_PRICES = `pydantic/genai-prices, checked against ${PRICING_URL}`;

/** Shorthand for a single-price history. */
const since = (input: number, cached: number | null, output: number | null): PricePoint[] => [
  { from: null, input, cached, output },
];

/**
 * The price table. Id lists are genai-prices' `matches` (Azure spellings like `gpt-35-turbo` and `gpt-5-4`
 * included), lower case.
 */
export const PRICE_TABLE: readonly PriceEntry[] = [
  {
    ids: ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'],
    history: since(2.5, 1.25, 10),
    checkedOn: '2025-07-04',
  },
  {
    // The fixture's caveat: genai-prices maps this snapshot to gpt-4o's price, but it was listed at 5/15.
    ids: ['gpt-4o-2024-05-13'],
    history: since(5, null, 15),
    checkedOn: null,
    source: `OpenAI's listed price for this snapshot (e.g. openrouter.ai/openai/gpt-4o-2024-05-13); pydantic/genai-prices maps it to gpt-4o's price by mistake`,
  },
  {
    ids: [
      'gpt-4o-mini',
      'gpt-4o-mini-2024-07-18',
      'gpt-4o-mini-search-preview',
      'gpt-4o-mini-search-preview-2025-03-11',
    ],
    history: since(0.15, 0.075, 0.6),
    checkedOn: '2025-07-04',
  },
  { ids: ['gpt-4.1', 'gpt-4.1-2025-04-14'], history: since(2, 0.5, 8), checkedOn: '2025-07-04' },
  {
    ids: ['gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14'],
    history: since(0.4, 0.1, 1.6),
    checkedOn: '2025-07-04',
  },
  {
    ids: ['gpt-4.1-nano', 'gpt-4.1-nano-2025-04-14'],
    history: since(0.1, 0.025, 0.4),
    checkedOn: '2025-07-04',
  },
  {
    ids: ['o1', 'o1-2024-12-17', 'o1-preview', 'o1-preview-2024-09-12'],
    history: since(15, 7.5, 60),
    checkedOn: '2025-07-04',
  },
  { ids: ['o1-mini', 'o1-mini-2024-09-12'], history: since(1.1, 0.55, 4.4), checkedOn: '2025-07-04' },
  {
    // OpenAI cut o3's price by 80 % on 2025-06-10; the history lets old runs keep the price they were billed at.
    ids: ['o3', 'o3-2025-04-16'],
    history: [
      { from: null, input: 10, cached: 0.5, output: 40 },
      { from: '2025-06-10', input: 2, cached: 0.5, output: 8 },
    ],
    checkedOn: '2025-07-12',
  },
  {
    ids: ['o3-mini', 'o3-mini-2025-01-31', 'o3-mini-high'],
    history: since(1.1, 0.55, 4.4),
    checkedOn: '2025-07-04',
  },
  { ids: ['o3-pro', 'o3-pro-2025-06-10'], history: since(20, null, 80), checkedOn: null },
  {
    ids: ['o4-mini', 'o4-mini-2025-04-16', 'o4-mini-high'],
    history: since(1.1, 0.275, 4.4),
    checkedOn: '2025-07-04',
  },
  {
    // genai-prices maps gpt-5-chat-latest here too; OpenAI's pricing page lists it at gpt-5's price.
    ids: ['gpt-5', 'gpt-5-2025-08-07', 'gpt-5-chat', 'gpt-5-chat-latest', 'gpt-5-codex'],
    history: since(1.25, 0.125, 10),
    checkedOn: '2025-11-13',
  },
  { ids: ['gpt-5-mini', 'gpt-5-mini-2025-08-07'], history: since(0.25, 0.025, 2), checkedOn: '2025-11-13' },
  {
    ids: ['gpt-5-nano'],
    prefixes: ['gpt-5-nano-'],
    history: since(0.05, 0.005, 0.4),
    checkedOn: '2025-11-13',
  },
  { ids: ['gpt-5-pro', 'gpt-5-pro-2025-10-06'], history: since(15, null, 120), checkedOn: '2025-11-13' },
  {
    ids: [
      'gpt-5.1',
      'gpt-5.1-2025-11-13',
      'gpt-5.1-codex',
      'gpt-5.1-codex-max',
      'gpt-5.1-chat',
      'gpt-5.1-chat-latest',
      'gpt-5-1',
      'gpt-5-1-2025-11-13',
      'gpt-5-1-codex',
      'gpt-5-1-codex-max',
      'gpt-5-1-chat',
      'gpt-5-1-chat-latest',
    ],
    history: since(1.25, 0.125, 10),
    checkedOn: '2025-11-13',
  },
  {
    ids: [
      'gpt-5.2',
      'gpt-5.2-2025-12-11',
      'gpt-5-2',
      'gpt-5-2-2025-12-11',
      'gpt-5.2-chat',
      'gpt-5.2-chat-latest',
      'gpt-5-2-chat',
      'gpt-5-2-chat-latest',
      'gpt-5.2-codex',
      'gpt-5-2-codex',
    ],
    history: since(1.75, 0.175, 14),
    checkedOn: '2025-12-11',
  },
  {
    ids: ['gpt-5.4', 'gpt-5.4-2026-03-05', 'gpt-5-4', 'gpt-5-4-2026-03-05'],
    history: [
      {
        from: null,
        input: 2.5,
        cached: 0.25,
        output: 15,
        long: { above: 272000, input: 5, cached: 0.5, output: 22.5 },
      },
    ],
    checkedOn: '2026-03-06',
  },
  {
    ids: ['gpt-5.4-mini', 'gpt-5.4-mini-2026-03-17', 'gpt-5-4-mini', 'gpt-5-4-mini-2026-03-17'],
    history: since(0.75, 0.075, 4.5),
    checkedOn: '2026-03-18',
  },
  {
    ids: ['gpt-5.4-nano', 'gpt-5.4-nano-2026-03-17', 'gpt-5-4-nano', 'gpt-5-4-nano-2026-03-17'],
    history: since(0.2, 0.02, 1.25),
    checkedOn: '2026-03-18',
  },
  {
    ids: [
      'gpt-5.5',
      'gpt-5.5-2026-04-23',
      'gpt-5.5-2026-04-24',
      'gpt-5-5',
      'gpt-5-5-2026-04-23',
      'gpt-5-5-2026-04-24',
      'gpt-5.5-chat',
      'gpt-5.5-chat-latest',
      'gpt-5-5-chat',
      'gpt-5-5-chat-latest',
      'gpt-5.5-codex',
      'gpt-5-5-codex',
    ],
    history: since(5, 0.5, 30),
    checkedOn: '2026-04-24',
  },
  {
    ids: ['gpt-3.5-turbo', 'gpt-35-turbo', 'gpt-3.5-turbo-0125'],
    history: since(0.5, null, 1.5),
    checkedOn: '2025-07-04',
  },
  { ids: ['gpt-4', 'gpt-4-0314', 'gpt-4-0613'], history: since(30, null, 60), checkedOn: '2025-07-04' },
  {
    ids: [
      'gpt-4-turbo',
      'gpt-4-turbo-2024-04-09',
      'gpt-4-turbo-0125-preview',
      'gpt-4-0125-preview',
      'gpt-4-1106-preview',
      'gpt-4-turbo-preview',
    ],
    history: since(10, null, 30),
    checkedOn: '2025-07-04',
  },
  { ids: ['chatgpt-4o-latest'], history: since(5, null, 15), checkedOn: null },
  { ids: ['text-embedding-3-small'], history: since(0.02, null, null), checkedOn: '2025-07-04' },
  { ids: ['text-embedding-3-large'], history: since(0.13, null, null), checkedOn: '2025-07-04' },
  {
    ids: ['text-embedding-ada', 'text-embedding-ada-002', 'text-embedding-ada-002-v2'],
    history: since(0.1, null, null),
    checkedOn: '2025-07-04',
  },
];

const BY_ID = new Map(PRICE_TABLE.flatMap((entry) => entry.ids.map((id) => [id, entry] as const)));

function findEntry(id: string): PriceEntry | undefined {
  const key = id.trim().toLowerCase();
  if (key.startsWith('ft:')) return undefined;
  return BY_ID.get(key) ?? PRICE_TABLE.find((entry) => entry.prefixes?.some((p) => key.startsWith(p)));
}

/**
 * The price of `id` as it stood on `on` (default: today), or null when the table has no row for it.
 * Matching is exact (case-insensitive): an unlisted snapshot gets no price rather than a guessed one.
 */
export function findPrice(id: string, on: Date = new Date()): ModelPrice | null {
  const entry = findEntry(id);
  if (!entry) return null;
  const day = on.toISOString().slice(0, 10);
  const point = entry.history.filter((p) => p.from === null || p.from <= day).at(-1) ?? entry.history[0];
  if (!point) return null;
  return {
    inputPerMTok: point.input,
    cachedInputPerMTok: point.cached,
    outputPerMTok: point.output,
    longContext: point.long
      ? {
          aboveInputTokens: point.long.above,
          inputPerMTok: point.long.input,
          cachedInputPerMTok: point.long.cached,
          outputPerMTok: point.long.output,
        }
      : null,
    source: entry.source ?? GENAI_PRICES,
    checkedOn: entry.checkedOn,
  };
}

/** Where the prices come from, for the "prices as of …" line; `checkedOn` is the newest check in the table. */
export const PRICES_SOURCE: { name: string; url: string; checkedOn: string } = {
  name: 'pydantic/genai-prices',
  url: PRICING_URL,
  checkedOn: PRICE_TABLE.reduce(
    (newest, e) => (e.checkedOn !== null && e.checkedOn > newest ? e.checkedOn : newest),
    '',
  ),
};
