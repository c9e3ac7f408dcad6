import { describe, expect, it } from 'vitest';
import { memoryBackend, type StorageBackend } from '../../src/lib/storage';
import { makeApp, unopenableBackend } from './helpers';

const secret = (apiKey: string) => ({ kind: 'secret', v: 1, savedAt: 1, data: { apiKey } });

describe('Credentials', () => {
  it('erases a stored key that no opt-in covers (e.g. its settings record was lost)', async () => {
    const backend = memoryBackend([['secret:apiKey', secret('sk-stranded')]]);
    const { app } = await makeApp({ backend });
    expect(app.credentials.apiKey).toBe('');
    expect(app.credentials.stored).toBe(false);
    expect(await backend.get('secret:apiKey')).toBeUndefined();
  });

  it('erases a stranded key even when its record is unreadable, and writes nothing when there is none', async () => {
    const garbage = memoryBackend([['secret:apiKey', 'not a record']]);
    await makeApp({ backend: garbage });
    expect(await garbage.get('secret:apiKey')).toBeUndefined();

    const clean = memoryBackend();
    let deletes = 0;
    const counting: StorageBackend = { ...clean, delete: (key) => (deletes++, clean.delete(key)) };
    await makeApp({ backend: counting });
    expect(deletes).toBe(0);
  });

  it('leaves storage matching the last state when writes overlap (typing, then unticking)', async () => {
    const { app, backend } = await makeApp();
    app.credentials.apiKey = 'sk-first';
    await app.credentials.setRemember(true);
    // Several keystrokes start writes; unticking starts a delete before they have finished.
    app.credentials.apiKey = 'sk-first-2';
    app.credentials.apiKey = 'sk-first-23';
    await app.credentials.setRemember(false);
    expect(await backend.get('secret:apiKey')).toBeUndefined();
    expect(app.credentials.stored).toBe(false);
    expect(app.credentials.apiKey).toBe('sk-first-23');
  });

  it('does not claim a copy is saved when the key could only be kept in this tab', async () => {
    const broken = unopenableBackend('x');
    const { app } = await makeApp({ backend: broken });
    app.credentials.apiKey = 'sk-memory-only';
    await app.credentials.setRemember(true);
    expect(app.credentials.stored).toBe(false);
  });

  it('when storage refuses to delete, Forget says so and does not claim the copy is gone', async () => {
    const inner = memoryBackend();
    let refuse = false;
    const backend: StorageBackend = {
      ...inner,
      delete: (key) =>
        refuse ? Promise.reject(new DOMException('denied', 'UnknownError')) : inner.delete(key),
    };
    const { app } = await makeApp({ backend });
    app.credentials.apiKey = 'sk-sticky';
    await app.credentials.setRemember(true);
    expect(app.credentials.stored).toBe(true);
    expect(app.storage.notices).toEqual([]);
    refuse = true;
    await app.credentials.forget();
    expect(app.credentials.apiKey).toBe('');
    expect(app.credentials.stored).toBe(true);
    expect(app.storage.notices.map((n) => n.message).join(' ')).toMatch(/could not delete saved data/);
    expect(await inner.get('secret:apiKey')).toMatchObject({ data: { apiKey: 'sk-sticky' } });
  });
});
