import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import { API_PORT, API_SERVER, APP_PORT, APP_URL } from './tests/e2e/env';

/** The browser: SANDPIT_CHROMIUM if set, else Debian's Chromium when present, else Playwright's own. */
function chromiumPath(): string | undefined {
  const fromEnv = process.env.SANDPIT_CHROMIUM;
  if (fromEnv) return fromEnv;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: APP_URL,
    trace: 'retain-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `npx tsx tests/server/cli.ts --port ${API_PORT}`,
      url: `${API_SERVER}/v1/models`,
      ignoreHTTPSErrors: true,
      reuseExistingServer: !process.env.CI,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `npx vite preview --base /sandpit/ --port ${APP_PORT} --strictPort --host 127.0.0.1`,
      url: APP_URL,
      reuseExistingServer: !process.env.CI,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
