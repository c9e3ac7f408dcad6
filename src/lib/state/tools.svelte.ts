import { newId } from '../chat/ids';
import type { FunctionTool, SchemaEntry, ToolChoice, ToolEntry, ToolsSetup } from '../chat/types';
import { toolsDraftRecord, type RecordStore, type ToolDraft, type ToolsDraft } from '../storage';
import type { FormatParse, ToolParse } from '../tools/definitions';
import type * as Kit from '../tools/kit';
import type { MockSpec } from '../tools/mock';
import { saveOnChange } from './autosave.svelte';

type Toolkit = typeof Kit;

/** The lazy boundary of the tools helpers (parser, lint, validator). */
const loadKit = (): Promise<Toolkit> => import('../tools/kit');

export const DEFAULT_TOOLS_DRAFT: Readonly<ToolsDraft> = Object.freeze({
  tools: [],
  selected: null,
  parallel: true,
  autoRun: false,
  maxSteps: 5,
  schemaText: '',
});

/** A tool the user can see: its draft, what its text parses to, and the name to call it by. */
export interface ToolView {
  draft: ToolDraft;
  parse: ToolParse | null;
  /** The function name when the text parses, else "Tool N". */
  label: string;
}

/**
 * Function tools and the structured-output schema, as edited: one JSON text per tool (in the API's
 * `tools` format), `tool_choice`, `parallel_tool_calls`, each tool's mock, the auto-run switch, and
 * the `json_schema` response format's text. Parsing, the strict-mode lint and validation come from a
 * lazily loaded kit; until it has loaded nothing can be checked, so Send waits for it.
 */
export class ToolsState {
  tools = $state.raw<ToolDraft[]>([]);
  selected = $state<string | null>(null);
  choice = $state.raw<ToolChoice | undefined>(undefined);
  parallel = $state(true);
  autoRun = $state(false);
  maxSteps = $state(5);
  schemaText = $state('');
  /** Why the last import could not be used, or what it added. */
  importNote = $state<{ ok: boolean; text: string } | null>(null);

  #store: RecordStore;
  #kit = $state.raw<Toolkit | null>(null);
  #loading: Promise<Toolkit> | null = null;

  constructor(store: RecordStore, draft: ToolsDraft = DEFAULT_TOOLS_DRAFT) {
    this.#store = store;
    this.tools = draft.tools;
    this.selected = draft.selected;
    this.choice = draft.choice;
    this.parallel = draft.parallel;
    this.autoRun = draft.autoRun;
    this.maxSteps = draft.maxSteps;
    this.schemaText = draft.schemaText;
  }

  static async load(store: RecordStore): Promise<ToolsState> {
    return new ToolsState(store, (await store.get(toolsDraftRecord)) ?? DEFAULT_TOOLS_DRAFT);
  }

  /** The kit once loaded (components use its validator and lint). */
  get kit(): Toolkit | null {
    return this.#kit;
  }

  /** Loads the kit (once); the returned promise rejects if it cannot load. */
  ready = (): Promise<Toolkit> => {
    this.#loading ??= loadKit().then(
      (kit) => (this.#kit = kit),
      (err: unknown) => {
        this.#loading = null;
        throw err;
      },
    );
    return this.#loading;
  };

  /** True when a tool is enabled: the request then needs the kit (as it does for a JSON schema format). */
  get inUse(): boolean {
    return this.tools.some((t) => t.enabled);
  }

  readonly views: ToolView[] = $derived.by(() => {
    const kit = this.#kit;
    return this.tools.map((draft, i) => {
      const parse = kit ? kit.parseTool(draft.text) : null;
      return { draft, parse, label: parse?.ok ? parse.name : `Tool ${i + 1}` };
    });
  });

  readonly format: FormatParse | null = $derived(
    this.#kit ? this.#kit.parseResponseFormat(this.schemaText) : null,
  );

  /** The tools part of the next request (undefined when no tool is enabled). */
  readonly setup: ToolsSetup | undefined = $derived.by(() => {
    const enabled = this.views.filter((v) => v.draft.enabled);
    if (enabled.length === 0) return undefined;
    return { tools: enabled.map(entryOf), choice: this.choice, parallel: this.parallel };
  });

  /** The schema part of the next request, null until the kit has parsed it. */
  readonly schema: SchemaEntry | null = $derived.by(() => {
    const format = this.format;
    if (!format) return null;
    if (format.ok) return { ok: true, format: format.format };
    return { ok: false, message: firstProblem(format.problems) };
  });

  /** The enabled tool a call names, if there is one. */
  toolNamed(name: string): FunctionTool | null {
    for (const view of this.views) {
      if (view.draft.enabled && view.parse?.ok && view.parse.name === name) return view.parse.tool;
    }
    return null;
  }

  /** The mock of the enabled tool a call names. */
  mockFor(name: string): MockSpec {
    const view = this.views.find((v) => v.draft.enabled && v.parse?.ok && v.parse.name === name);
    if (!view) return { kind: 'none' };
    const mock = view.draft.mock;
    if (mock.kind === 'fixed') return { kind: 'fixed', reply: mock.reply };
    if (mock.kind === 'function') return { kind: 'function', code: mock.code };
    return { kind: 'none' };
  }

  snapshot(): ToolsDraft {
    return {
      tools: this.tools,
      selected: this.selected,
      ...(this.choice !== undefined && { choice: $state.snapshot(this.choice) }),
      parallel: this.parallel,
      autoRun: this.autoRun,
      maxSteps: this.maxSteps,
      schemaText: this.schemaText,
    };
  }

  autosave = (): (() => void) =>
    saveOnChange(
      () => this.snapshot(),
      (draft) => this.#store.put(toolsDraftRecord, draft),
    );

  /** Adds a tool from a template (the kit must have loaded) and selects it. */
  addTool = (templateId: string): void => {
    const template = this.#kit?.TOOL_TEMPLATES.find((t) => t.id === templateId);
    if (!template) return;
    this.#append([template.text]);
  };

  /** Adds the tools a JSON text holds: an array of tools, a request body with `tools`, or one tool. */
  importTools = (text: string, source: string): void => {
    const kit = this.#kit;
    if (!kit) return;
    const found = kit.splitToolsImport(text);
    if (!found.ok) {
      this.importNote = { ok: false, text: `${source} was not imported: ${found.message}` };
      return;
    }
    this.#append(found.texts);
    const n = found.texts.length;
    this.importNote = { ok: true, text: `Imported ${n} tool${n === 1 ? '' : 's'} from ${source}.` };
  };

  removeTool = (id: string): void => {
    const index = this.tools.findIndex((t) => t.id === id);
    if (index < 0) return;
    this.tools = this.tools.filter((t) => t.id !== id);
    if (this.selected === id) this.selected = (this.tools[index] ?? this.tools[index - 1])?.id ?? null;
  };

  setText = (id: string, text: string): void => this.#patch(id, { text });

  setEnabled = (id: string, enabled: boolean): void => this.#patch(id, { enabled });

  setMock = (id: string, mock: Partial<ToolDraft['mock']>): void => {
    const tool = this.tools.find((t) => t.id === id);
    if (tool) this.#patch(id, { mock: { ...tool.mock, ...mock } });
  };

  /** Turns strict mode on or off in the tool's JSON, keeping the rest of the text as written. */
  setStrict = (id: string, strict: boolean): void => {
    const tool = this.tools.find((t) => t.id === id);
    if (tool && this.#kit) {
      this.setText(id, this.#kit.setJsonProperty(tool.text, ['function', 'strict'], strict));
    }
  };

  /**
   * Replaces the tools and the schema (opening a saved run or a shared link). Auto-run is turned off: a
   * restored setup must not start paid requests by itself.
   */
  restore = (setup: {
    tools: readonly { text: string; enabled?: boolean; mock?: ToolDraft['mock'] | undefined }[];
    choice?: ToolChoice | undefined;
    parallel: boolean;
    schemaText: string;
  }): void => {
    this.tools = setup.tools.map((t) => ({
      id: newId(),
      text: t.text,
      enabled: t.enabled ?? true,
      mock: t.mock ?? { kind: 'none', reply: '', code: '' },
    }));
    this.selected = this.tools[0]?.id ?? null;
    this.choice = setup.choice;
    this.parallel = setup.parallel;
    this.schemaText = setup.schemaText;
    this.autoRun = false;
    this.importNote = null;
  };

  /** Starts the schema editor from a template. */
  useFormatTemplate = (templateId: string): void => {
    const template = this.#kit?.FORMAT_TEMPLATES.find((t) => t.id === templateId);
    if (template) this.schemaText = template.text;
  };

  #append(texts: string[]): void {
    const added = texts.map((text) => ({
      id: newId(),
      text,
      enabled: true,
      mock: { kind: 'none' as const, reply: '', code: '' },
    }));
    this.tools = [...this.tools, ...added];
    this.selected = added[0]?.id ?? this.selected;
  }

  #patch(id: string, patch: Partial<ToolDraft>): void {
    this.tools = this.tools.map((t) => (t.id === id ? { ...t, ...patch } : t));
  }
}

function entryOf(view: ToolView): ToolEntry {
  const { draft, parse } = view;
  if (!parse) return { id: draft.id, ok: false, label: view.label, message: 'still loading.' };
  if (parse.ok) return { id: draft.id, ok: true, tool: parse.tool };
  return { id: draft.id, ok: false, label: view.label, message: firstProblem(parse.problems) };
}

/** The first problem of a text that does not parse, with where it is. */
function firstProblem(problems: readonly { line: number; column: number; message: string }[]): string {
  const first = problems[0];
  return first ? `line ${first.line}, column ${first.column}: ${first.message}` : 'not valid.';
}
