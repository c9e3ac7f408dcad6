import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium';

/**
 * Run before the end-to-end suite so `npm ci && npm test` works on a fresh machine: when no Chromium
 * is found, install Debian's (as root, where apt-get exists) or else Playwright's own.
 */
function hasBrowser(): boolean {
  const path = chromiumLaunchOptions().executablePath ?? chromium.executablePath();
  return existsSync(path);
}

if (!hasBrowser()) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.error('No Chromium found: installing Debian’s chromium package.');
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    console.error('No Chromium found: installing Playwright’s own.');
    execFileSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
  }
  if (!hasBrowser()) {
    console.error('Still no Chromium. Install one (e.g. apt-get install chromium) or set SANDPIT_CHROMIUM.');
    process.exit(1);
  }
}
