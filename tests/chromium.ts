import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

/**
 * How every browser test and benchmark launches Chromium: the binary named by SANDPIT_CHROMIUM, else
 * Debian's /usr/bin/chromium when present, else Playwright's own; with the flags this sandboxed,
 * offline machine needs (no sandbox as root, no GPU, no background network traffic).
 */
export function chromiumLaunchOptions(): LaunchOptions {
  const fromEnv = process.env.SANDPIT_CHROMIUM;
  const executablePath = fromEnv || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  return {
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
