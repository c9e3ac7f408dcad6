import { test as base, expect, type Page } from '@playwright/test';
import { createSession, type Session } from '../server/control';
import type { SessionOptions } from '../server/types';
import { API_SERVER, APP_URL } from './env';

/** Watches the page for what must never happen, and fails the test when it does. */
interface Guard {
  /** Console errors matching this are expected in this test (e.g. the browser's own CORS report). */
  allowConsoleError(pattern: RegExp): void;
  /** Requests may also go to URLs starting with this (besides the app and the session's base URL). */
  allowRequestsTo(prefix: string): void;
}

interface Fixtures {
  /** A fresh session of the test server, with its own scenarios, key and request log. */
  api: Session;
  /** Opens a new test-server session with options (e.g. `cors: false`). */
  newSession: (options?: SessionOptions) => Promise<Session>;
  guard: Guard;
}

export const test = base.extend<Fixtures>({
  newSession: async ({ guard }, use) => {
    const sessions: Session[] = [];
    await use(async (options) => {
      const session = await createSession(API_SERVER, options);
      sessions.push(session);
      guard.allowRequestsTo(session.baseURL);
      return session;
    });
    await Promise.all(sessions.map((s) => s.dispose()));
  },

  api: async ({ newSession }, use) => {
    await use(await newSession());
  },

  guard: [
    async ({ page }, use) => {
      const allowedErrors: RegExp[] = [];
      const allowedPrefixes: string[] = [APP_URL];
      const consoleErrors: string[] = [];
      const pageErrors: string[] = [];
      const strayRequests: string[] = [];

      await page.addInitScript(() => {
        // Collected outside the page's CSP (init scripts are injected by the browser driver).
        const w = window as unknown as { __cspViolations: string[] };
        w.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text());
      });
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      page.on('request', (req) => {
        const url = req.url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return;
        if (!allowedPrefixes.some((p) => url.startsWith(p))) strayRequests.push(url);
      });

      await use({
        allowConsoleError: (pattern) => void allowedErrors.push(pattern),
        allowRequestsTo: (prefix) => void allowedPrefixes.push(prefix),
      });

      const csp = consoleErrors.filter((t) => /Content[- ]Security[- ]Policy/i.test(t));
      const violations = page.isClosed()
        ? []
        : await page.evaluate(
            () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
          );
      expect(csp, 'Content-Security-Policy violations in the console').toEqual([]);
      expect(violations, 'securitypolicyviolation events').toEqual([]);
      expect(pageErrors, 'uncaught errors in the page').toEqual([]);
      const unexpected = consoleErrors.filter((t) => !allowedErrors.some((re) => re.test(t)));
      expect(unexpected, 'unexpected console errors').toEqual([]);
      expect(strayRequests, 'requests to hosts other than the app and the configured base URL').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Fills the connection form and presses "Test connection". */
export async function connect(page: Page, { key, baseURL }: { key: string; baseURL: string }): Promise<void> {
  await page.getByRole('textbox', { name: 'API key' }).fill(key);
  await page.getByRole('textbox', { name: 'Base URL' }).fill(baseURL);
  await page.getByRole('button', { name: 'Test connection' }).click();
}

/** Everything stored in IndexedDB and localStorage, as text, to search for what must not be there. */
export async function dumpBrowserStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const out: unknown[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i)!;
      out.push([k, localStorage.getItem(k)]);
    }
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i)!;
      out.push([k, sessionStorage.getItem(k)]);
    }
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(info.name!);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      for (const storeName of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(storeName, 'readonly');
        const store = tx.objectStore(storeName);
        const [keys, values] = await Promise.all([
          new Promise<IDBValidKey[]>(
            (r) => (store.getAllKeys().onsuccess = (e) => r((e.target as IDBRequest).result)),
          ),
          new Promise<unknown[]>(
            (r) => (store.getAll().onsuccess = (e) => r((e.target as IDBRequest).result)),
          ),
        ]);
        out.push([info.name, storeName, keys, values]);
      }
      db.close();
    }
    return JSON.stringify(out);
  });
}
