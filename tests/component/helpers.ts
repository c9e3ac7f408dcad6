import { createAppState, type AppState } from '../../src/lib/state/app.svelte';
import { memoryBackend, type StorageBackend } from '../../src/lib/storage';

/** A backend whose IndexedDB refuses to open (as in some private windows), with this error message. */
export function unopenableBackend(message: string): StorageBackend {
  return { ...memoryBackend(), kind: 'indexeddb', keys: () => Promise.reject(new Error(message)) };
}

/** Where the page is served from in these tests. */
export const HTTPS_PAGE = { protocol: 'https:', origin: 'https://sandpit.example' };

/** The app's own state, over an in-memory backend the test can read directly. */
export async function makeApp(
  options: { backend?: StorageBackend; location?: { protocol: string; origin: string } } = {},
): Promise<{ app: AppState; backend: StorageBackend }> {
  const backend = options.backend ?? memoryBackend();
  const app = await createAppState({
    location: options.location ?? HTTPS_PAGE,
    storeOptions: { backend: () => backend, persist: async () => true },
  });
  return { app, backend };
}
