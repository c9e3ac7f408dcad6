import {
  DEFAULT_SETTINGS,
  settingsRecord,
  type RecordStore,
  type Settings,
  type WriteOutcome,
} from '../storage';

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

  /**
   * Saves every change as it happens. The record is tiny and IndexedDB keeps writes in order, so each
   * keystroke is written at once: a debounced write still pending when the page reloads is lost (the
   * browser does not finish it during unload), a write already started is not. The values as loaded
   * are not a change. Returns the function that stops it.
   */
  autosave = (): (() => void) =>
    $effect.root(() => {
      let first = true;
      $effect(() => {
        this.snapshot();
        if (first) {
          first = false;
          return;
        }
        void this.save();
      });
    });
}
