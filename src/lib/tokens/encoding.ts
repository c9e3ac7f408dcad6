/**
 * Which tokenizer a model id uses. The table is tiktoken's own (openai/tiktoken, tiktoken/model.py: an
 * exact-name map, then a prefix map), restricted to the two encodings of today's chat and embeddings models.
 * Kept as plain data so the main thread can ask without loading a tokenizer.
 */

/** The encodings this playground counts with. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/**
 * `exact: true` when the model is known to use `encoding`; `false` for ids we cannot place (local servers,
 * custom deployments, legacy completion models): the count is then an o200k_base estimate, and says so.
 */
export interface EncodingChoice {
  encoding: EncodingName;
  exact: boolean;
}

/** The encoding estimates are made with: the one of every current OpenAI model. */
export const FALLBACK_ENCODING: EncodingName = 'o200k_base';

const EXACT: Readonly<Record<string, EncodingName>> = {
  o1: 'o200k_base',
  o3: 'o200k_base',
  'o4-mini': 'o200k_base',
  'gpt-5': 'o200k_base',
  'gpt-4.1': 'o200k_base',
  'gpt-4o': 'o200k_base',
  'gpt-4': 'cl100k_base',
  'gpt-3.5-turbo': 'cl100k_base',
  'gpt-3.5': 'cl100k_base',
  'gpt-35-turbo': 'cl100k_base',
  'davinci-002': 'cl100k_base',
  'babbage-002': 'cl100k_base',
  'text-embedding-ada-002': 'cl100k_base',
  'text-embedding-3-small': 'cl100k_base',
  'text-embedding-3-large': 'cl100k_base',
};

// Matched longest first, so the order here does not matter. `gpt-3.5-` is not in tiktoken's table; it
// covers ids gpt-tokenizer's catalog lists (gpt-3.5-0301), all of the cl100k_base family.
const PREFIXES: readonly (readonly [string, EncodingName])[] = (
  [
    ['o1-', 'o200k_base'],
    ['o3-', 'o200k_base'],
    ['o4-mini-', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['gpt-4.5-', 'o200k_base'],
    ['gpt-4.1-', 'o200k_base'],
    ['chatgpt-4o-', 'o200k_base'],
    ['gpt-4o-', 'o200k_base'],
    ['gpt-4-', 'cl100k_base'],
    ['gpt-3.5-', 'cl100k_base'],
    ['gpt-35-turbo-', 'cl100k_base'],
  ] as const
)
  .slice()
  .sort((a, b) => b[0].length - a[0].length);

function lookup(key: string): EncodingName | undefined {
  if (Object.hasOwn(EXACT, key)) return EXACT[key];
  return PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1];
}

/**
 * The encoding a model id uses. Dated snapshots resolve through the prefixes (gpt-4o-2024-08-06); fine-tunes
 * (`ft:<base>:<org>:<suffix>:<job>`) through their base model, which also places `ft:gpt-4.1-mini-…` on
 * o200k_base where tiktoken's `ft:gpt-4` prefix would say cl100k_base. Anything else is an o200k_base estimate.
 */
export function encodingForModel(model: string): EncodingChoice {
  const key = model.trim().toLowerCase();
  const base = /^ft:([^:]+)/.exec(key)?.[1] ?? key;
  const encoding = lookup(base);
  return encoding ? { encoding, exact: true } : { encoding: FALLBACK_ENCODING, exact: false };
}
