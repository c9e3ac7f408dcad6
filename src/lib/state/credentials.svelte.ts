import { secretRecord, type RecordStore } from '../storage';
import type { SettingsState } from './settings.svelte';

const SECRET_ID = 'apiKey';

/** The longest key the storage schema accepts; the input carries it as `maxlength`. */
export const MAX_KEY_LENGTH = 4096;

/**
 * The API key. Held in memory; written to storage only while the user has opted in to remembering
 * it, and removed from storage the moment they opt out or forget it. Never part of settings.
 */
export class Credentials {
  #apiKey = $state('');
  /** True only while a copy is known to be in the browser's storage (not merely in this tab). */
  #stored = $state(false);
  /** Bumped on every change, so a check can tell whether it was made with the current key. */
  #version = $state(0);
  #store: RecordStore;
  #settings: SettingsState;
  /**
   * Storage writes of the key, one after another: each reads the key and the opt-in when it runs, so
   * the last one leaves storage (and `stored`) matching the latest state, whatever order they finish in.
   */
  #writes: Promise<unknown> = Promise.resolve();

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
    if (this.#settings.rememberKey) void this.#sync();
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

  /**
   * Reads the remembered key back if the user opted in. Without the opt-in, any stored copy (left by
   * a settings record that was lost or unreadable) is erased: nothing may keep the key unasked.
   */
  restore = async (): Promise<void> => {
    if (!this.#settings.rememberKey) {
      // A read on every start, and a delete only in the rare case there is something to remove.
      if (await this.#store.has(secretRecord, SECRET_ID)) await this.#sync();
      return;
    }
    const secret = await this.#store.get(secretRecord, SECRET_ID);
    if (!secret) return;
    this.#apiKey = secret.apiKey;
    this.#stored = true;
    this.#version++;
  };

  /** Turns remembering on (stores the key now) or off (removes the stored copy, keeps it in memory). */
  setRemember = async (remember: boolean): Promise<void> => {
    this.#settings.rememberKey = remember;
    await Promise.all([this.#settings.save(), this.#sync()]);
  };

  /** Removes the key from memory and from storage, and turns remembering off. */
  forget = async (): Promise<void> => {
    this.#apiKey = '';
    this.#version++;
    this.#settings.rememberKey = false;
    await Promise.all([this.#settings.save(), this.#sync()]);
  };

  /** Keeps the key out of anything that serialises this object by accident. */
  toJSON(): string {
    return '[API key not serialised]';
  }

  /** Brings storage in line with the current key and opt-in. */
  #sync(): Promise<void> {
    const run = async () => {
      const key = this.#apiKey;
      if (this.#settings.rememberKey && key) {
        this.#stored = (await this.#store.put(secretRecord, { apiKey: key }, SECRET_ID)) === 'saved';
      } else if (await this.#store.delete(secretRecord, SECRET_ID)) {
        this.#stored = false;
      }
    };
    const next = this.#writes.then(run, run);
    this.#writes = next;
    return next;
  }
}
