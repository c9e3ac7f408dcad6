import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import ConnectionPanel from '../../src/components/connection/ConnectionPanel.svelte';
import Harness from './Harness.svelte';
import { makeApp } from './helpers';

async function renderPanel(options: Parameters<typeof makeApp>[0] = {}) {
  const made = await makeApp(options);
  render(Harness, { app: made.app, component: ConnectionPanel });
  return { ...made, user: userEvent.setup() };
}

describe('ConnectionPanel', () => {
  it('names every control as the issue and the tests expect', async () => {
    await renderPanel();
    expect(screen.getByLabelText('API key')).toHaveAttribute('type', 'password');
    expect(screen.getByRole('textbox', { name: 'Base URL' })).toHaveValue('https://api.openai.com/v1');
    expect(screen.getByRole('checkbox', { name: 'Remember key on this device' })).not.toBeChecked();
    expect(screen.getByRole('button', { name: 'Forget key' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Test connection' })).toBeEnabled();
    expect(screen.getByRole('status')).toHaveTextContent('');
  });

  it('shows and hides the key', async () => {
    const { user } = await renderPanel();
    const key = screen.getByLabelText('API key');
    await user.type(key, 'sk-visible');
    await user.click(screen.getByRole('button', { name: 'Show key' }));
    expect(key).toHaveAttribute('type', 'text');
    expect(screen.getByRole('button', { name: 'Hide key' })).toBeInTheDocument();
  });

  it('says at once that an https page cannot call http on another machine, next to the base URL', async () => {
    const { user } = await renderPanel();
    const baseUrl = screen.getByRole('textbox', { name: 'Base URL' });
    await user.clear(baseUrl);
    await user.type(baseUrl, 'http://10.0.0.5:8000/v1');
    expect(baseUrl).toHaveAttribute('aria-invalid', 'true');
    expect(baseUrl).toHaveAccessibleDescription(/Blocked: an https page cannot call http\./);
    expect(baseUrl).toHaveAccessibleDescription(/mixed content/);
  });

  it('presets fill the base URL and show which one is active', async () => {
    const { app, user } = await renderPanel();
    const presets = screen.getByRole('group', { name: 'Base URL presets' });
    await user.click(within(presets).getByRole('button', { name: 'Ollama' }));
    expect(app.settings.baseURL).toBe('http://localhost:11434/v1');
    expect(within(presets).getByRole('button', { name: 'Ollama' })).toHaveAttribute('aria-current', 'true');
    expect(within(presets).getByRole('button', { name: 'OpenAI' })).not.toHaveAttribute('aria-current');
    expect(screen.getByRole('textbox', { name: 'Base URL' })).toHaveValue('http://localhost:11434/v1');
  });

  it('warns, without blocking, about a path that lacks /v1', async () => {
    const { user } = await renderPanel();
    const baseUrl = screen.getByRole('textbox', { name: 'Base URL' });
    await user.clear(baseUrl);
    await user.type(baseUrl, 'http://localhost:11434');
    expect(baseUrl).not.toHaveAttribute('aria-invalid');
    expect(baseUrl).toHaveAccessibleDescription(/expect the path to end in \/v1/);
  });

  it('without a key, Test connection explains next to the key field and sends nothing', async () => {
    const { user } = await renderPanel();
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(screen.getByRole('status')).toHaveTextContent('Connection failed: No API key.');
    expect(screen.getByLabelText('API key')).toHaveAccessibleDescription(/Paste your key/);
  });

  it('remembers the key only with the opt-in, and Forget removes every copy', async () => {
    const { app, backend, user } = await renderPanel();
    await user.type(screen.getByLabelText('API key'), 'sk-remember-me');
    expect(await backend.keys()).not.toContain('secret:apiKey');

    await user.click(screen.getByRole('checkbox', { name: 'Remember key on this device' }));
    await screen.findByText('A copy of the key is saved on this device.');
    expect(await backend.get('secret:apiKey')).toMatchObject({ data: { apiKey: 'sk-remember-me' } });
    expect(await backend.get('settings:default')).toMatchObject({ data: { rememberKey: true } });
    expect(JSON.stringify(await backend.get('settings:default'))).not.toContain('sk-remember-me');

    await user.click(screen.getByRole('button', { name: 'Forget key' }));
    await expect.poll(() => backend.keys()).not.toContain('secret:apiKey');
    expect(app.credentials.apiKey).toBe('');
    expect(screen.getByLabelText('API key')).toHaveValue('');
    expect(screen.getByRole('checkbox', { name: 'Remember key on this device' })).not.toBeChecked();
    expect(JSON.stringify(app.credentials)).not.toContain('sk-');
  });

  it('restores a remembered key into a new page', async () => {
    const first = await makeApp();
    first.app.credentials.apiKey = 'sk-from-last-time';
    await first.app.credentials.setRemember(true);
    const { app } = await makeApp({ backend: first.backend });
    expect(app.credentials.apiKey).toBe('sk-from-last-time');
    expect(app.credentials.stored).toBe(true);
  });
});
