import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costOf, describeModel, formatPricePerMTok, PRICES_SOURCE, type Usage } from '../../src/lib/models';
import { findPrice, PRICE_TABLE } from '../../src/lib/models/prices';

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

type Tiered = { base: number; tiers: { start: number; price: number }[] };
type Amount = number | Tiered;
interface Prices {
  input_mtok: Amount;
  cache_read_mtok?: Amount;
  output_mtok?: Amount;
}
type Match = { equals: string } | { starts_with: string };
interface FixturePrice {
  source_model_id: string;
  matches: Match | { or: Match[] };
  prices: Prices | { constraint?: { start_date: string }; prices: Prices }[];
  prices_checked: string | null;
}
interface FixtureModel {
  id: string;
  prices_usd_per_1M_tokens: FixturePrice;
}
interface StreamIndexEntry {
  file: string;
  usage: Usage & { completion_tokens_details?: { reasoning_tokens?: number } };
}

const models = fixture<{ models: FixtureModel[] }>('models/openai_models_metadata.json').models;
const streams = fixture<StreamIndexEntry[]>('sse/index.json');
const usageOf = (file: string): StreamIndexEntry['usage'] => {
  const found = streams.find((s) => s.file === file);
  if (!found) throw new Error(`no stream ${file}`);
  return found.usage;
};

/** The fixture's documented caveat: this snapshot is not at gpt-4o's price. */
const CAVEAT_IDS = new Set(['gpt-4o-2024-05-13']);

const base = (a: Amount | undefined): number | null =>
  a === undefined ? null : typeof a === 'number' ? a : a.base;
const tier = (a: Amount | undefined) => (a === undefined || typeof a === 'number' ? undefined : a.tiers[0]);

/** The price in effect now, in our shape, from a genai-prices record (history: the latest start_date wins). */
function expectedPrice(p: FixturePrice) {
  const current = Array.isArray(p.prices)
    ? [...p.prices]
        .sort((a, b) => (a.constraint?.start_date ?? '').localeCompare(b.constraint?.start_date ?? ''))
        .at(-1)?.prices
    : p.prices;
  if (!current) throw new Error('empty price history');
  const longInput = tier(current.input_mtok);
  return {
    inputPerMTok: base(current.input_mtok),
    cachedInputPerMTok: base(current.cache_read_mtok),
    outputPerMTok: base(current.output_mtok),
    longContext: longInput
      ? {
          aboveInputTokens: longInput.start,
          inputPerMTok: longInput.price,
          cachedInputPerMTok: tier(current.cache_read_mtok)?.price ?? null,
          outputPerMTok: tier(current.output_mtok)?.price ?? null,
        }
      : null,
    checkedOn: p.prices_checked,
  };
}

const matchesOf = (p: FixturePrice): Match[] => ('or' in p.matches ? p.matches.or : [p.matches]);
const equalsIds = (p: FixturePrice): string[] =>
  matchesOf(p).flatMap((m) => ('equals' in m ? [m.equals] : []));

describe('prices equal the fixture (pydantic/genai-prices)', () => {
  it.each(models.map((m) => [m.id, m.prices_usd_per_1M_tokens] as const))('%s', (id, p) => {
    const price = describeModel(id).price;
    expect(price).not.toBeNull();
    expect(price).toMatchObject(expectedPrice(p));
    expect(price?.source).toBe(
      'pydantic/genai-prices, checked against https://developers.openai.com/api/docs/pricing',
    );
  });

  it('every id genai-prices matches has the same price here, except the documented caveat', () => {
    let checked = 0;
    for (const m of models) {
      for (const id of equalsIds(m.prices_usd_per_1M_tokens)) {
        if (CAVEAT_IDS.has(id)) continue;
        expect(findPrice(id), id).toMatchObject(expectedPrice(m.prices_usd_per_1M_tokens));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(90);
  });

  it('the table holds nothing the fixture does not (apart from the caveat row)', () => {
    const fixtureIds = new Set(models.flatMap((m) => equalsIds(m.prices_usd_per_1M_tokens)));
    for (const entry of PRICE_TABLE) {
      for (const id of entry.ids) if (!CAVEAT_IDS.has(id)) expect(fixtureIds.has(id), id).toBe(true);
    }
  });

  it('gpt-4o-2024-05-13 is 5/15, not gpt-4o’s 2.5/10 as genai-prices has it', () => {
    const gpt4o = models.find((m) => m.id === 'gpt-4o')?.prices_usd_per_1M_tokens;
    expect(gpt4o && equalsIds(gpt4o)).toContain('gpt-4o-2024-05-13');
    const price = describeModel('gpt-4o-2024-05-13').price;
    expect(price).toMatchObject({
      inputPerMTok: 5,
      cachedInputPerMTok: null,
      outputPerMTok: 15,
      checkedOn: null,
    });
    expect(price?.source).toContain('openrouter.ai/openai/gpt-4o-2024-05-13');
  });

  it('prefix matches: gpt-5-nano-<date>; never fine-tuned ids (genai-prices’ ft:gpt-4-0)', () => {
    expect(findPrice('gpt-5-nano-2025-08-07')?.inputPerMTok).toBe(0.05);
    expect(findPrice('ft:gpt-4-0613:org::abc')).toBeNull();
    expect(describeModel('ft:gpt-4-0613:org::abc').price).toBeNull();
  });

  it('o3: the price in effect on a date (cut on 2025-06-10), today’s by default', () => {
    expect(findPrice('o3', new Date('2025-06-09T12:00:00Z'))).toMatchObject({
      inputPerMTok: 10,
      outputPerMTok: 40,
    });
    expect(findPrice('o3', new Date('2025-06-10T00:00:00Z'))).toMatchObject({
      inputPerMTok: 2,
      outputPerMTok: 8,
    });
    expect(describeModel('o3').price).toMatchObject({
      inputPerMTok: 2,
      cachedInputPerMTok: 0.5,
      outputPerMTok: 8,
    });
    expect(describeModel('o3').price?.checkedOn).toBe('2025-07-12');
  });

  it('gpt-5.4 has a long-context tier above 272,000 prompt tokens', () => {
    expect(describeModel('gpt-5.4').price?.longContext).toEqual({
      aboveInputTokens: 272000,
      inputPerMTok: 5,
      cachedInputPerMTok: 0.5,
      outputPerMTok: 22.5,
    });
    expect(describeModel('gpt-5.4-mini').price?.longContext).toBeNull();
  });

  it('embeddings have an input price only', () => {
    expect(describeModel('text-embedding-3-small').price).toMatchObject({
      inputPerMTok: 0.02,
      cachedInputPerMTok: null,
      outputPerMTok: null,
    });
  });

  it('models without a row, fine-tunes and unknown ids have no price', () => {
    for (const id of ['gpt-4.5-preview', 'whisper-1', 'ft:gpt-4o-mini-2024-07-18:org::abc', 'llama3.1:8b']) {
      expect(describeModel(id).price, id).toBeNull();
    }
  });

  it('PRICES_SOURCE names genai-prices and the newest check date in the fixture', () => {
    const newest = models
      .map((m) => m.prices_usd_per_1M_tokens.prices_checked)
      .filter((d): d is string => d !== null)
      .sort()
      .at(-1);
    expect(PRICES_SOURCE).toEqual({
      name: 'pydantic/genai-prices',
      url: 'https://developers.openai.com/api/docs/pricing',
      checkedOn: newest,
    });
    expect(PRICES_SOURCE.checkedOn).toBe('2026-04-24');
  });
});

describe('costOf', () => {
  it('the vercel-ai stream on gpt-4.1-nano: 16 prompt + 300 completion tokens', () => {
    const usage = usageOf('vercel-ai__openai-text.chunks.jsonl');
    expect(usage).toMatchObject({ prompt_tokens: 16, completion_tokens: 300 });
    const cost = costOf(describeModel('gpt-4.1-nano-2025-04-14'), usage);
    expect(cost.known).toBe(true);
    // 16 × $0.10 + 300 × $0.40 per 1M
    if (cost.known) expect(cost.usd).toBeCloseTo(0.0001216, 12);
  });

  it('reasoning tokens are inside completion_tokens and not billed twice (gpt-5-nano, 64 of 78)', () => {
    const usage = usageOf('vercel-ai__azure-model-router.chunks.jsonl');
    expect(usage.completion_tokens_details?.reasoning_tokens).toBe(64);
    const cost = costOf(describeModel('gpt-5-nano-2025-08-07'), usage);
    // 15 × $0.05 + 78 × $0.40 per 1M
    expect(cost).toEqual({ known: true, usd: expect.closeTo(0.00003195, 12) as number });
  });

  it('every recorded gpt-4o tool-loop turn costs input × 2.50 + output × 10 per 1M', () => {
    for (const n of [1, 2, 3]) {
      const u = usageOf(`pydantic-ai__gpt-4o_tool_loop.${n}.sse`);
      const cost = costOf(describeModel('gpt-4o'), u);
      expect(cost).toEqual({
        known: true,
        usd: expect.closeTo((u.prompt_tokens * 2.5 + u.completion_tokens * 10) / 1e6, 12) as number,
      });
    }
  });

  it('cached prompt tokens are billed at the cached price', () => {
    const cost = costOf(describeModel('gpt-4o'), {
      prompt_tokens: 10_000,
      completion_tokens: 500,
      prompt_tokens_details: { cached_tokens: 8_000 },
    });
    // 2,000 × 2.50 + 8,000 × 1.25 + 500 × 10 = 20,000 per 1M
    expect(cost).toEqual({ known: true, usd: expect.closeTo(0.02, 12) as number });
  });

  it('without a cached price, cached tokens cost the full input price', () => {
    const usage = {
      prompt_tokens: 1_000,
      completion_tokens: 0,
      prompt_tokens_details: { cached_tokens: 1_000 },
    };
    expect(costOf(describeModel('gpt-3.5-turbo'), usage)).toEqual({
      known: true,
      usd: expect.closeTo(0.0005, 12) as number,
    });
  });

  it('gpt-5.4 above 272,000 prompt tokens bills the whole request at the long-context tier', () => {
    const info = describeModel('gpt-5.4');
    const long = costOf(info, {
      prompt_tokens: 300_000,
      completion_tokens: 1_000,
      prompt_tokens_details: { cached_tokens: 100_000 },
    });
    // 200,000 × 5 + 100,000 × 0.5 + 1,000 × 22.5 = 1,072,500 per 1M
    expect(long).toEqual({ known: true, usd: expect.closeTo(1.0725, 10) as number });
    const atThreshold = costOf(info, { prompt_tokens: 272_000, completion_tokens: 1_000 });
    // 272,000 × 2.5 + 1,000 × 15 = 695,000 per 1M
    expect(atThreshold).toEqual({ known: true, usd: expect.closeTo(0.695, 10) as number });
  });

  it('embeddings: input only', () => {
    const cost = costOf(describeModel('text-embedding-3-small'), {
      prompt_tokens: 1_000_000,
      completion_tokens: 0,
    });
    expect(cost).toEqual({ known: true, usd: expect.closeTo(0.02, 12) as number });
  });

  it('unknown price or unusable usage: known false', () => {
    expect(costOf(describeModel('llama3.1:8b'), { prompt_tokens: 10, completion_tokens: 10 })).toEqual({
      known: false,
    });
    expect(costOf(describeModel('gpt-4o'), { prompt_tokens: Number.NaN, completion_tokens: 1 })).toEqual({
      known: false,
    });
    expect(costOf(describeModel('gpt-4o'), { prompt_tokens: -1, completion_tokens: 1 })).toEqual({
      known: false,
    });
    expect(
      costOf(describeModel('text-embedding-3-small'), { prompt_tokens: 1, completion_tokens: 5 }),
    ).toEqual({
      known: false,
    });
  });

  it('cached tokens above the prompt count are clamped, and a null details object is fine', () => {
    const info = describeModel('gpt-4o');
    expect(
      costOf(info, {
        prompt_tokens: 100,
        completion_tokens: 0,
        prompt_tokens_details: { cached_tokens: 500 },
      }),
    ).toEqual({ known: true, usd: expect.closeTo(0.000125, 12) as number });
    expect(costOf(info, { prompt_tokens: 100, completion_tokens: 0, prompt_tokens_details: null })).toEqual({
      known: true,
      usd: expect.closeTo(0.00025, 12) as number,
    });
  });
});

describe('formatPricePerMTok', () => {
  it.each([
    [2.5, '$2.50'],
    [0.075, '$0.075'],
    [0.005, '$0.005'],
    [10, '$10.00'],
    [22.5, '$22.50'],
    [0.1, '$0.10'],
    [null, '—'],
    [Number.NaN, '—'],
  ] as const)('%s → %s', (p, text) => {
    expect(formatPricePerMTok(p)).toBe(text);
  });
});
