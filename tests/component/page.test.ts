import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../src/App.svelte';
import ProblemMessage from '../../src/components/connection/ProblemMessage.svelte';
import { CORS_SETTINGS } from '../../src/lib/api/problems';
import { makeApp, unopenableBackend } from './helpers';

describe('App', () => {
  it('applies the theme to the document and saves it', async () => {
    const { app, backend } = await makeApp();
    render(App, { app });
    const user = userEvent.setup();
    expect(screen.getByRole('radio', { name: 'System' })).toBeChecked();
    await user.click(screen.getByRole('radio', { name: 'Dark' }));
    expect(document.documentElement.dataset.theme).toBe('dark');
    await expect
      .poll(async () => backend.get('settings:default'), { timeout: 2000 })
      .toMatchObject({
        data: { theme: 'dark' },
      });
  });

  it('shows storage problems as alerts that can be dismissed', async () => {
    const broken = unopenableBackend('blocked');
    const { app } = await makeApp({ backend: broken });
    expect(app.storage.mode).toBe('memory');
    render(App, { app });
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('This browser is not letting Sandpit save anything (Error: blocked)');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Dismiss this storage notice' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('invites a first visitor to connect before any model is listed', async () => {
    const { app } = await makeApp();
    render(App, { app });
    const models = screen.getByRole('region', { name: 'Models' });
    expect(models).toHaveTextContent('Paste a key and choose Test connection');
  });
});

describe('ProblemMessage', () => {
  it('shows the cause, the fix, each server’s CORS setting, the API’s message and the request id', () => {
    render(ProblemMessage, {
      id: 'p',
      problem: {
        kind: 'cors',
        field: 'baseURL',
        title: 'The server does not allow this page (CORS)',
        cause: 'localhost:11434 answered without CORS headers.',
        fix: 'Enable CORS on the server.',
        corsSettings: [
          { server: 'Ollama', setting: CORS_SETTINGS.Ollama },
          { server: 'vLLM', setting: CORS_SETTINGS.vLLM },
        ],
        status: 400,
        apiMessage: 'raw message',
        requestId: 'req_123',
      },
    });
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items[0]).toMatch(/^Ollama: .*OLLAMA_ORIGINS/);
    expect(items[1]).toMatch(/^vLLM: .*--allowed-origins/);
    expect(screen.getByText(/The API said \(400\):/).closest('p')).toHaveTextContent(
      'The API said (400): raw message',
    );
    expect(screen.getByText('req_123')).toBeInTheDocument();
  });
});
