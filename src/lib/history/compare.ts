import { diffWords } from 'diff';
import type { SavedRun } from './entry';

/** One run as Compare shows it. */
export interface ComparedRun {
  id: string;
  label: string;
  model: string;
  kind: string;
  /** The answer's text (or its tool calls), or what an embeddings run made. */
  output: string;
  latencyMs: number;
  tokens: number | null;
  costUsd: number | null;
}

/** A request parameter across the runs: its value in each (as JSON), and whether they differ. */
export interface ComparedParam {
  name: string;
  values: (string | null)[];
  differs: boolean;
}

/** A piece of a word-level diff against the first run's output. */
export interface DiffPart {
  value: string;
  added: boolean;
  removed: boolean;
}

const SUMMARISED = new Set(['messages', 'tools', 'input']);

/** What a request parameter shows as: its JSON, or a summary for the long ones (the full JSON still decides "differs"). */
function shown(name: string, value: unknown): string {
  if (name === 'messages' && Array.isArray(value))
    return `${value.length} message${value.length === 1 ? '' : 's'}`;
  if (name === 'input' && Array.isArray(value)) return `${value.length} text${value.length === 1 ? '' : 's'}`;
  if (name === 'tools' && Array.isArray(value)) {
    return value.map((t) => (t as { function?: { name?: string } }).function?.name ?? '?').join(', ');
  }
  return JSON.stringify(value);
}

function requestOf(run: SavedRun): Record<string, unknown> {
  if (run.recordKind === 'run') return run.data.request;
  const { model, dimensions, items } = run.data;
  return { model, ...(dimensions !== null && { dimensions }), input: items.map((i) => i.text) };
}

function outputOf(run: SavedRun): string {
  if (run.recordKind === 'embeddings-run') {
    const first = run.data.vectors[0];
    return `${run.data.items.length} texts embedded${first ? `, ${first.length} dimensions each` : ''}.`;
  }
  const choice = run.data.choices[0];
  if (!choice) return '';
  if (choice.refusal) return `Refusal: ${choice.refusal}`;
  const calls = (choice.toolCalls ?? []).map((c) => `${c.name}(${c.arguments})`).join('\n');
  return [choice.content, calls].filter(Boolean).join('\n');
}

/**
 * Lines up 2 to 4 saved runs: every request parameter any of them set (marked where they differ), each
 * answer, and the latency, tokens and cost of each.
 */
export function compareRuns(runs: readonly SavedRun[]): { runs: ComparedRun[]; params: ComparedParam[] } {
  const requests = runs.map(requestOf);
  const names = [...new Set(requests.flatMap((r) => Object.keys(r)))].filter((n) => n !== 'stream_options');
  const params = names.map((name) => {
    const raw = requests.map((r) => (name in r ? JSON.stringify(r[name]) : null));
    const values = requests.map((r, i) =>
      raw[i] !== null && SUMMARISED.has(name) ? shown(name, r[name]) : raw[i]!,
    );
    return { name, values, differs: raw.some((v) => v !== raw[0]) };
  });
  return {
    params,
    runs: runs.map((run) => ({
      id: run.entry.id,
      label: run.entry.name ?? run.entry.title,
      model: run.entry.model,
      kind: run.entry.kind,
      output: outputOf(run),
      latencyMs: run.entry.durationMs,
      tokens: run.entry.tokens,
      costUsd: run.entry.costUsd,
    })),
  };
}

/** The words of `text` against `base`: what it adds, what it lacks, what they share. */
export function wordDiff(base: string, text: string): DiffPart[] {
  // Long answers that differ everywhere could take seconds to diff: past 200 ms, show the text as is.
  const parts = diffWords(base, text, { timeout: 200 });
  if (!parts) return [{ value: text, added: false, removed: false }];
  return parts.map((part) => ({
    value: part.value,
    added: part.added === true,
    removed: part.removed === true,
  }));
}
