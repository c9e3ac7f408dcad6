import { secretRecord, type RecordStore } from '../storage';
import type { SettingsState } from './settings.svelte';

const SECRET_ID = 'apiKey';

/**
 * The API key. Held in memory; written to storage only while the user has opted in to remembering
 * it, and removed from storage the moment they opt out or forget it. Never part of settings.
 */
export class Credentials {
  #apiKey = $state('');
  #stored = $state(false);
  /** Bumped on every change, so a check can tell whether it was made with the current key. */
  #version = $state(0);
  #store: RecordStore;
  #settings: SettingsState;

  constructor(store: RecordStore, settings: SettingsState) {
    this.#store = store;
    this.#settings = settings;
  }

  get apiKey(): string {
    return this.#apiKey;
  }

  set apiKey(value: string) {
    this.#apiKey = value.trim();
    this.#version++;
    if (this.#settings.rememberKey) void this.#persist();
  }

  get hasKey(): boolean {
    return this.#apiKey.length > 0;
  }

  /** Whether a copy of the key is kept in this browser's storage. */
  get stored(): boolean {
    return this.#stored;
  }

  get version(): number {
    return this.#version;
  }

  /** Reads the remembered key back, if the user opted in. */
  restore = async (): Promise<void> => {
    if (!this.#settings.rememberKey) return;
    const secret = await this.#store.get(secretRecord, SECRET_ID);
    if (!secret) return;
    this.#apiKey = secret.apiKey;
    this.#stored = true;
    this.#version++;
  };

  /** Turns remembering on (stores the key now) or off (removes the stored copy, keeps it in memory). */
  setRemember = async (remember: boolean): Promise<void> => {
    this.#settings.rememberKey = remember;
    await this.#settings.save();
    if (remember) await this.#persist();
    else await this.#erase();
  };

  /** Removes the key from memory and from storage, and turns remembering off. */
  forget = async (): Promise<void> => {
    this.#apiKey = '';
    this.#version++;
    this.#settings.rememberKey = false;
    await Promise.all([this.#settings.save(), this.#erase()]);
  };

  /** Keeps the key out of anything that serialises this object by accident. */
  toJSON(): string {
    return '[API key not serialised]';
  }

  async #persist(): Promise<void> {
    if (!this.#apiKey) {
      await this.#erase();
      return;
    }
    await this.#store.put(secretRecord, { apiKey: this.#apiKey }, SECRET_ID);
    this.#stored = true;
  }

  async #erase(): Promise<void> {
    await this.#store.delete(secretRecord, SECRET_ID);
    this.#stored = false;
  }
}
