import { getContext, setContext } from 'svelte';
import type { PageLocation } from '../api/base-url';
import { RecordStore, type RecordStoreOptions } from '../storage';
import { ChatState } from './chat.svelte';
import { ConnectionState } from './connection.svelte';
import { EmbeddingsState } from './embeddings.svelte';
import { Credentials } from './credentials.svelte';
import { SettingsState } from './settings.svelte';
import { StorageStatus } from './storage-status.svelte';

/** Everything the page shares: one instance, provided to components through context. */
export class AppState {
  readonly storage: StorageStatus;
  readonly settings: SettingsState;
  readonly credentials: Credentials;
  readonly connection: ConnectionState;
  readonly chat: ChatState;
  readonly embeddings: EmbeddingsState;

  constructor(parts: {
    storage: StorageStatus;
    settings: SettingsState;
    credentials: Credentials;
    connection: ConnectionState;
    chat: ChatState;
    embeddings: EmbeddingsState;
  }) {
    this.storage = parts.storage;
    this.settings = parts.settings;
    this.credentials = parts.credentials;
    this.connection = parts.connection;
    this.chat = parts.chat;
    this.embeddings = parts.embeddings;
  }
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
  const chat = await ChatState.load(store, connection);
  const embeddings = await EmbeddingsState.load(store, connection);
  return new AppState({ storage, settings, credentials, connection, chat, embeddings });
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
