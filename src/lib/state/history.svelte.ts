import { setupFromRequest } from '../chat/from-request';
import { newId } from '../chat/ids';
import type { ChatMessage } from '../chat/types';
import {
  buildSearchIndex,
  entryFor,
  facets,
  HistoryStore,
  search,
  type HistoryEntry,
  type HistoryFilters,
  type HistoryPatch,
  type RunData,
  type SavedRun,
} from '../history';
import type { RecordStore } from '../storage';
import type { AppState } from './app.svelte';

/** The lazy boundary of import and export (file parsing, vector encoding). */
const loadTransfer = () => import('../history/transfer');

/**
 * Indexes a run just saved while the History is not open: writes its entry alone (opening the history
 * would read the list, and a backfill could read the run's body again, megabytes for an embeddings run).
 */
export async function indexRun(store: RecordStore, run: RunData): Promise<void> {
  const entry = run.recordKind === 'run' ? entryFor('run', run.data) : entryFor('embeddings-run', run.data);
  await new HistoryStore(store).add(entry);
}

/** How many rows the list shows before "Show more": thousands of rows would slow every keystroke. */
export const PAGE = 100;

/**
 * The history of saved runs: listed from the compact index (never every run's body), searched and
 * filtered as you type, renamed, tagged, starred, annotated, deleted with undo, opened or forked into
 * the playground (the original is kept), exported and imported.
 */
export class HistoryState {
  entries = $state.raw<HistoryEntry[]>([]);
  loaded = $state(false);
  query = $state('');
  filters = $state.raw<HistoryFilters>({});
  /** Ids ticked for Compare and Export. */
  selected = $state.raw<string[]>([]);
  shown = $state(PAGE);
  /** The last deletion, until it is undone or another replaces it. */
  deleted = $state.raw<{ title: string; undo: () => Promise<unknown> } | null>(null);
  notice = $state.raw<{ ok: boolean; text: string; undo?: () => void } | null>(null);
  /** The runs Compare shows (2 to 4), once read. */
  compared = $state.raw<SavedRun[] | null>(null);

  readonly #index = $derived(buildSearchIndex(this.entries));
  readonly visible: HistoryEntry[] = $derived(search(this.#index, this.query, this.filters));
  readonly facets = $derived(facets(this.entries));

  #app: AppState;
  #store: HistoryStore;

  constructor(app: AppState, store: RecordStore) {
    this.#app = app;
    this.#store = new HistoryStore(store);
  }

  /** Reads the list (indexing runs saved before the history existed, once). */
  load = async (): Promise<void> => {
    await this.#store.backfill();
    this.entries = await this.#store.list();
    this.loaded = true;
  };

  /** Indexes a run that was just saved, and shows it first. */
  added = async (run: RunData): Promise<void> => {
    const entry = run.recordKind === 'run' ? entryFor('run', run.data) : entryFor('embeddings-run', run.data);
    await this.#store.add(entry);
    this.entries = [entry, ...this.entries.filter((e) => e.id !== entry.id)];
  };

  update = async (id: string, patch: HistoryPatch): Promise<void> => {
    const entry = await this.#store.update(id, patch);
    if (entry) this.entries = this.entries.map((e) => (e.id === id ? entry : e));
  };

  toggleSelected = (id: string, on: boolean): void => {
    const others = this.selected.filter((s) => s !== id);
    this.selected = on ? [...others, id] : others;
  };

  /** Reads the 2 to 4 selected runs for Compare. */
  compare = async (): Promise<void> => {
    if (this.selected.length < 2 || this.selected.length > 4) return;
    this.compared = await this.#store.load(this.selected);
  };

  /** Deletes a run and its entry; Undo puts both back. */
  remove = async (id: string): Promise<void> => {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) return;
    const removal = await this.#store.remove(id);
    this.entries = this.entries.filter((e) => e.id !== id);
    this.selected = this.selected.filter((s) => s !== id);
    this.deleted = {
      title: entry.name ?? entry.title,
      undo: async () => {
        await removal.undo();
        this.deleted = null;
        this.entries = await this.#store.list();
      },
    };
  };

  /**
   * Fills the playground from a saved run. `fork` restores the setup (the request), ready to send again;
   * `open` also puts the answer back. Either way the saved run stays as it was.
   */
  open = async (id: string, mode: 'open' | 'fork'): Promise<boolean> => {
    const run = await this.#store.get(id);
    if (!run) {
      this.notice = {
        ok: false,
        text: 'That run could not be read: it may have been deleted in another tab.',
      };
      return false;
    }
    if (run.recordKind === 'embeddings-run') {
      const { data } = run;
      const text = data.items.map((i) => (i.label ? `${i.label}\t${i.text}` : i.text)).join('\n');
      const lab = await this.#app.loadLab();
      const undo = this.#app.keepSetup();
      if (!lab.restore({ text, model: data.model, dimensions: data.dimensions })) return this.#busy();
      this.notice = {
        ok: true,
        text: `Put the run's ${data.items.length} texts, model and dimensions in the Embeddings tab: Embed runs them again (the cache answers what it has).`,
        undo,
      };
      return true;
    }
    const setup = setupFromRequest(run.data.request);
    const messages: ChatMessage[] = [...setup.messages];
    const first = run.data.choices[0];
    if (mode === 'open' && first) {
      const data = run.data;
      messages.push({
        id: newId(),
        role: 'assistant',
        content: first.content,
        // The answer as it was: its text rendered, its details and the run to inspect.
        answer: {
          runId: data.id,
          choices: data.choices.map((c) => c.content),
          choice: 0,
          end: data.end,
          refusal: first.refusal,
          metrics: data.metrics,
        },
        ...(first.toolCalls?.length && {
          toolCalls: first.toolCalls.map((c) => ({
            id: c.id ?? `call_${newId()}`,
            name: c.name,
            arguments: c.arguments,
          })),
        }),
      });
    }
    const { chat, tools } = this.#app;
    const undo = this.#app.keepSetup();
    // A tool that comes back under a name the panel already has keeps that tool's mock (a plain lookup,
    // not state).
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const mocks = new Map(
      tools.views.flatMap((v) => (v.parse?.ok ? [[v.parse.name, v.draft.mock] as const] : [])),
    );
    if (!chat.restore({ ...setup, messages })) return this.#busy();
    tools.restore({
      tools: setup.tools.map((text) => ({ text, mock: mocks.get(toolName(text)) })),
      choice: setup.choice,
      parallel: setup.parallel,
      schemaText: setup.schemaText || tools.schemaText,
    });
    const what = mode === 'open' ? 'Opened' : 'Forked';
    this.notice = {
      ok: true,
      text: `${what} “${this.#title(id)}” in the chat${mode === 'fork' ? ': change it and send it again' : ''}. The saved run is kept as it was.`,
      undo,
    };
    return true;
  };

  /** Downloads the selected runs, or all of them, as one versioned JSON file. */
  exportFile = async (): Promise<{ name: string; text: string } | null> => {
    const ids = this.selected.length ? this.selected : this.entries.map((e) => e.id);
    try {
      const transfer = await loadTransfer();
      const runs = await this.#store.load(ids);
      const text = transfer.exportRuns(runs, { secret: this.#app.credentials.apiKey });
      this.notice = { ok: true, text: `Exported ${runs.length} run${runs.length === 1 ? '' : 's'}.` };
      return { name: transfer.exportFileName(), text };
    } catch (err) {
      this.notice = {
        ok: false,
        text: `Nothing was exported: ${(err instanceof Error ? err.message : String(err)).replace(/^Nothing was exported:\s*/, '')}`,
      };
      return null;
    }
  };

  /** Imports a file of runs: every record checked, duplicates and bad records skipped with the reason. */
  importFile = async (text: string, name: string): Promise<void> => {
    const transfer = await loadTransfer();
    // The ids as stored now (another tab may have added some), so nothing is ever overwritten.
    const stored = (await this.#store.list()).map((e) => e.id);
    // A plain set of ids for the check, not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const result = transfer.parseImport(text, new Set(stored));
    if (!result.ok) {
      this.notice = { ok: false, text: `${name} was not imported: ${result.reason}` };
      return;
    }
    await this.#store.saveAll(result.runs);
    this.entries = await this.#store.list();
    const skipped = result.skipped.map((s) => `#${s.index + 1}${s.id ? ` (${s.id})` : ''}: ${s.reason}`);
    const n = result.runs.length;
    this.notice = {
      ok: skipped.length === 0,
      text:
        `Imported ${n} run${n === 1 ? '' : 's'} from ${name}.` +
        (skipped.length ? ` Skipped ${skipped.length}: ${skipped.join('; ')}.` : ''),
    };
  };

  #title(id: string): string {
    const entry = this.entries.find((e) => e.id === id);
    return entry ? (entry.name ?? entry.title) : id;
  }

  #busy(): false {
    this.notice = { ok: false, text: 'Stop the request on its way first, then open the run again.' };
    return false;
  }
}

/** The function name of a tool's JSON text ('' when it does not parse). */
function toolName(text: string): string {
  try {
    const tool = JSON.parse(text) as { function?: { name?: unknown } };
    return typeof tool.function?.name === 'string' ? tool.function.name : '';
  } catch {
    return '';
  }
}
