import { describe, expect, inject, it } from 'vitest';
import { createSession, type Session } from '../server/control';
import { testConnection } from '../../src/lib/api/connection';
import { ConnectionState } from '../../src/lib/state/connection.svelte';
import { HTTPS_PAGE, makeApp } from './helpers';

const server = { url: inject('testServerUrl') };

/** A fresh app pointed at a session of the test server. */
async function appFor(session: Session) {
  const { app } = await makeApp();
  app.settings.baseURL = session.baseURL;
  app.credentials.apiKey = session.key;
  return app;
}

describe('ConnectionState against the test server', () => {
  it('connects, announces the model count, and marks itself stale when a setting changes', async () => {
    const session = await createSession(server.url);
    const app = await appFor(session);
    const running = app.connection.test();
    expect(app.connection.status).toBe('checking');
    expect(app.connection.announcement).toBe('Testing the connection…');
    await running;
    expect(app.connection.status).toBe('connected');
    expect(app.connection.announcement).toBe('Connected: 14 models available.');
    expect(app.connection.requestId).toMatch(/^req_/);
    expect(app.connection.stale).toBe(false);
    app.settings.project = 'proj_other';
    expect(app.connection.stale).toBe(true);
  });

  it('the newest check wins: a slow earlier answer never overwrites a newer one', async () => {
    const slow = await createSession(server.url);
    const fast = await createSession(server.url, { models: ['gpt-4o-mini'] });
    await slow.queue({ kind: 'delay', ms: 600 });
    const { app } = await makeApp();
    // The real connection code, made deaf to cancellation: the first answer really arrives late.
    const connection = new ConnectionState(app.settings, app.credentials, HTTPS_PAGE, async () => {
      return (config, env) => testConnection(config, { ...env, signal: undefined });
    });
    app.settings.baseURL = slow.baseURL;
    app.credentials.apiKey = slow.key;
    const first = connection.test();
    await expect.poll(() => slow.requests().then((r) => r.length)).toBeGreaterThan(0);

    app.settings.baseURL = fast.baseURL;
    app.credentials.apiKey = fast.key;
    await connection.test();
    expect(connection.models.map((m) => m.id)).toEqual(['gpt-4o-mini']);
    await first;
    // The slow check did finish, with 14 models; its answer was dropped.
    expect((await slow.requests()).filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(connection.status).toBe('connected');
    expect(connection.models.map((m) => m.id)).toEqual(['gpt-4o-mini']);
    expect(connection.stale).toBe(false);
  });

  it('Cancel stops a running check and goes back to idle', async () => {
    const session = await createSession(server.url);
    await session.queue({ kind: 'delay', ms: 2000 });
    const app = await appFor(session);
    const running = app.connection.test();
    await expect.poll(() => session.requests().then((r) => r.length)).toBeGreaterThan(0);
    app.connection.cancel();
    expect(app.connection.status).toBe('idle');
    await running;
    expect(app.connection.status).toBe('idle');
    expect(app.connection.problem).toBeNull();
  });

  it('a failure replaces the model list with the problem', async () => {
    const session = await createSession(server.url);
    const app = await appFor(session);
    await app.connection.test();
    expect(app.connection.models).toHaveLength(14);
    app.credentials.apiKey = 'sk-revoked-key-9999';
    await app.connection.test();
    expect(app.connection.status).toBe('failed');
    expect(app.connection.models).toEqual([]);
    expect(app.connection.problem).toMatchObject({ kind: 'invalid-key', field: 'apiKey' });
    expect(app.connection.announcement).toBe('Connection failed: Invalid API key.');
  });
});
