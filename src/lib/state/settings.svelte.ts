import {
  DEFAULT_SETTINGS,
  settingsRecord,
  type RecordStore,
  type Settings,
  type WriteOutcome,
} from '../storage';
import { saveOnChange } from './autosave.svelte';

export type Theme = Settings['theme'];

/** The longest values the settings schema accepts; the inputs carry them as `maxlength`. */
export const SETTINGS_LIMITS = { baseURL: 2048, organization: 256, project: 256 } as const;

/** Connection and page settings, saved as they change. The key is not here: see `Credentials`. */
export class SettingsState {
  baseURL = $state(DEFAULT_SETTINGS.baseURL);
  organization = $state(DEFAULT_SETTINGS.organization);
  project = $state(DEFAULT_SETTINGS.project);
  rememberKey = $state(DEFAULT_SETTINGS.rememberKey);
  theme = $state<Theme>(DEFAULT_SETTINGS.theme);

  #store: RecordStore;

  constructor(store: RecordStore, initial: Settings = DEFAULT_SETTINGS) {
    this.#store = store;
    this.baseURL = initial.baseURL;
    this.organization = initial.organization;
    this.project = initial.project;
    this.rememberKey = initial.rememberKey;
    this.theme = initial.theme;
  }

  /** Loads saved settings, falling back to the defaults when there are none or they are unreadable. */
  static async load(store: RecordStore): Promise<SettingsState> {
    return new SettingsState(store, (await store.get(settingsRecord)) ?? DEFAULT_SETTINGS);
  }

  /** A plain copy, safe to store or clone. */
  snapshot(): Settings {
    return {
      baseURL: this.baseURL,
      organization: this.organization,
      project: this.project,
      rememberKey: this.rememberKey,
      theme: this.theme,
    };
  }

  save = (): Promise<WriteOutcome> => this.#store.put(settingsRecord, this.snapshot());

  /** Saves every change as it happens (see `saveOnChange`); returns the function that stops it. */
  autosave = (): (() => void) =>
    saveOnChange(
      () => this.snapshot(),
      () => this.save(),
    );
}
