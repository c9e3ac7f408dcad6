import type { HistoryEntry } from '../storage/history-records';

/** Narrows the history; an absent filter lets everything through. */
export interface HistoryFilters {
  kind?: HistoryEntry['kind'];
  /** The model exactly as the run asked for it. */
  model?: string;
  /** A tag, ignoring case. */
  tag?: string;
  /** true = starred runs only; false = runs that are not starred. */
  starred?: boolean;
}

/** Entries with their searchable text lowercased once, so each search is a single pass of `includes`. */
export interface SearchIndex {
  readonly entries: readonly HistoryEntry[];
  readonly haystacks: readonly string[];
  /** Each entry's tags lowercased, for the tag filter. */
  readonly tags: readonly (readonly string[])[];
}

// Between fields, so that a word never matches across the end of one field and the start of the next.
const SEPARATOR = '\u0000';

/** Builds the index once per list of entries (a `$derived` of the list); see {@link search}. */
export function buildSearchIndex(entries: readonly HistoryEntry[]): SearchIndex {
  const haystacks = new Array<string>(entries.length);
  const tags = new Array<string[]>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    tags[i] = e.tags.map((t) => t.toLowerCase());
    haystacks[i] = [e.title, e.name ?? '', e.tags.join(SEPARATOR), e.note, e.model]
      .join(SEPARATOR)
      .toLowerCase();
  }
  return { entries, haystacks, tags };
}

/** The words of a query, lowercased; quotes are not special. */
export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The entries that match every word of the query (ignoring case, anywhere in the title, name, tags, note
 * or model) and every filter, in the index's order.
 */
export function search(index: SearchIndex, query: string, filters: HistoryFilters = {}): HistoryEntry[] {
  const words = queryWords(query);
  const tag = filters.tag?.toLowerCase();
  const out: HistoryEntry[] = [];
  const { entries, haystacks, tags } = index;
  outer: for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (filters.kind !== undefined && e.kind !== filters.kind) continue;
    if (filters.model !== undefined && e.model !== filters.model) continue;
    if (filters.starred !== undefined && e.starred !== filters.starred) continue;
    if (tag !== undefined && !tags[i]!.includes(tag)) continue;
    const haystack = haystacks[i]!;
    for (const word of words) if (!haystack.includes(word)) continue outer;
    out.push(e);
  }
  return out;
}

/** The models and tags that occur in the history, most used first, for the filter menus. */
export function facets(entries: readonly HistoryEntry[]): { models: string[]; tags: string[] } {
  const models = new Map<string, number>();
  const tags = new Map<string, { tag: string; n: number }>();
  for (const e of entries) {
    models.set(e.model, (models.get(e.model) ?? 0) + 1);
    for (const t of e.tags) {
      const key = t.toLowerCase();
      const seen = tags.get(key);
      if (seen) seen.n++;
      else tags.set(key, { tag: t, n: 1 });
    }
  }
  const byUse = <T>(list: [T, number][]) =>
    list.sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).map(([k]) => k);
  return {
    models: byUse([...models]),
    tags: byUse([...tags.values()].map(({ tag, n }): [string, number] => [tag, n])),
  };
}
