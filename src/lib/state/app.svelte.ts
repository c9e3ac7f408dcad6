import { getContext, setContext } from 'svelte';
import type { PageLocation } from '../api/base-url';
import { RecordStore, type RecordStoreOptions } from '../storage';
import { ChatState } from './chat.svelte';
import { ConnectionState } from './connection.svelte';
import type { EmbeddingsState } from './embeddings.svelte';
import type { RunData } from '../history/entry';
import type { HistoryState } from './history.svelte';
import { Credentials } from './credentials.svelte';
import { SettingsState } from './settings.svelte';
import { StorageStatus } from './storage-status.svelte';
import type { SetupSharing } from './sharing.svelte';
import { ToolLoop } from './tool-loop.svelte';
import { ToolsState } from './tools.svelte';

/** Everything the page shares: one instance, provided to components through context. */
export class AppState {
  readonly storage: StorageStatus;
  readonly settings: SettingsState;
  readonly credentials: Credentials;
  readonly connection: ConnectionState;
  readonly chat: ChatState;
  readonly tools: ToolsState;
  readonly loop: ToolLoop;
  /** Share links, once {@link loadSharing} has loaded them. */
  sharing = $state.raw<SetupSharing | null>(null);
  #store: RecordStore;
  #embeddings = $state.raw<EmbeddingsState | null>(null);
  #loadingLab: Promise<EmbeddingsState> | null = null;
  #loadingHistory: Promise<HistoryState> | null = null;
  /** The history once loaded (new runs go straight into its list). */
  #history: HistoryState | null = null;

  constructor(parts: {
    storage: StorageStatus;
    settings: SettingsState;
    credentials: Credentials;
    connection: ConnectionState;
    chat: ChatState;
    loop: ToolLoop;
    store: RecordStore;
  }) {
    this.storage = parts.storage;
    this.settings = parts.settings;
    this.credentials = parts.credentials;
    this.connection = parts.connection;
    this.chat = parts.chat;
    this.tools = parts.chat.tools;
    this.loop = parts.loop;
    this.#store = parts.store;
    // Every saved run is indexed for the history (its code loads with the first run).
    this.chat.onRunSaved((data) => this.#index({ recordKind: 'run', data }));
  }

  /**
   * The playground as it stands (chat, tools, the lab's inputs), and the function that puts it back: an
   * opened run or share link replaces it, and its notice offers Undo.
   */
  keepSetup = (): (() => void) => {
    const chat = this.chat.snapshot();
    const tools = this.tools.snapshot();
    const lab = this.#embeddings;
    const labSetup = lab && {
      text: lab.text,
      model: lab.model,
      dimensions: lab.dimensions,
      query: lab.query,
    };
    return () => {
      this.chat.restore(chat);
      this.chat.composer = chat.composer;
      this.tools.restore(tools);
      this.tools.autoRun = tools.autoRun;
      this.tools.maxSteps = tools.maxSteps;
      if (lab && labSetup) lab.restore(labSetup);
    };
  };

  /** Loads share links (compression, validation): on a page opened from a link, or on Share link. */
  loadSharing = async (): Promise<SetupSharing> => {
    const { SetupSharing } = await import('./sharing.svelte');
    this.sharing ??= new SetupSharing(this);
    return this.sharing;
  };

  /** The history of saved runs: its state and index load with the History section, not with the page. */
  loadHistory = (): Promise<HistoryState> => {
    this.#loadingHistory ??= import('./history.svelte')
      .then(async (m) => {
        const history = new m.HistoryState(this, this.#store);
        await history.load();
        this.#history = history;
        return history;
      })
      .catch((err: unknown) => {
        this.#loadingHistory = null;
        throw err;
      });
    return this.#loadingHistory;
  };

  /** Adds a saved run to the history: to the open list, or as an entry alone when the list is not open. */
  #index(run: RunData): void {
    const open = this.#history;
    const indexed = open
      ? open.added(run)
      : import('./history.svelte').then((m) => m.indexRun(this.#store, run));
    indexed.catch(this.#notIndexed);
  }

  // The run itself is saved; only its history entry is missing, and the history adds entries for the
  // runs it finds without one when it is next read (on the next page load).
  #notIndexed = (err: unknown): void => {
    this.storage.report({
      kind: 'write-failed',
      message: 'A run was saved but could not be added to the History; it will be listed after a reload.',
      detail: err instanceof Error ? err.message : String(err),
    });
  };

  /** True once the embeddings lab has loaded. */
  get labLoaded(): boolean {
    return this.#embeddings !== null;
  }

  /** The embeddings lab, once {@link loadLab} has loaded it (its components mount only then). */
  get embeddings(): EmbeddingsState {
    if (!this.#embeddings) throw new Error('The embeddings lab is used before loadLab() resolved');
    return this.#embeddings;
  }

  /**
   * Loads the embeddings lab's state and its saved draft, the first time its tab opens: the first
   * load of the page does not carry it. From then on the draft is saved as it changes.
   */
  loadLab = (): Promise<EmbeddingsState> => {
    this.#loadingLab ??= import('./embeddings.svelte')
      .then((m) => m.EmbeddingsState.load(this.#store, this.connection))
      .then((lab) => {
        this.#embeddings = lab;
        lab.autosave();
        lab.onRunSaved((data) => this.#index({ recordKind: 'embeddings-run', data }));
        return lab;
      })
      .catch((err: unknown) => {
        this.#loadingLab = null;
        throw err;
      });
    return this.#loadingLab;
  };
}

/**
 * Opens storage, loads the settings and (with the opt-in) the key, and wires the state together.
 * The outside world is passed in, so tests can give their own location and storage.
 */
export async function createAppState(env: {
  location: PageLocation;
  storeOptions?: Omit<RecordStoreOptions, 'onProblem'>;
}): Promise<AppState> {
  const storage = new StorageStatus();
  const store = await RecordStore.open({ ...env.storeOptions, onProblem: storage.report });
  storage.mode = store.mode;
  const settings = await SettingsState.load(store);
  const credentials = new Credentials(store, settings);
  await credentials.restore();
  const connection = new ConnectionState(settings, credentials, env.location);
  const tools = await ToolsState.load(store);
  const chat = await ChatState.load(store, connection, tools);
  const loop = new ToolLoop(chat, tools);
  return new AppState({ storage, settings, credentials, connection, chat, loop, store });
}

const KEY = Symbol('sandpit-app');

/** Provides the app state to every component below the caller. */
export function setAppContext(app: AppState): AppState {
  return setContext(KEY, app);
}

/** The app state provided by `App.svelte`. */
export function getAppContext(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('getAppContext() called outside <App>');
  return app;
}
