import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium';

/**
 * Run before the suites so `npm ci && npm test` works on a fresh machine: when no Chromium is found,
 * install Debian's (as root, where apt-get exists) or else Playwright's own; the code-export tests also
 * run the exported programs with `curl` and `python3`, installed the same way when missing.
 */
function hasBrowser(): boolean {
  const path = chromiumLaunchOptions().executablePath ?? chromium.executablePath();
  return existsSync(path);
}

function hasCommand(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function aptInstall(packages: string[]): void {
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');

const missing = ['curl', 'python3'].filter((name) => !hasCommand(name));
if (missing.length) {
  if (!canApt) {
    console.error(
      `The code-export tests need ${missing.join(' and ')}: install them, then run the tests again.`,
    );
    process.exit(1);
  }
  console.error(`Installing ${missing.join(' and ')} for the code-export tests.`);
  aptInstall(missing);
}

if (!hasBrowser()) {
  if (canApt) {
    console.error('No Chromium found: installing Debian’s chromium package.');
    aptInstall(['chromium']);
  } else {
    console.error('No Chromium found: installing Playwright’s own.');
    execFileSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
  }
  if (!hasBrowser()) {
    console.error('Still no Chromium. Install one (e.g. apt-get install chromium) or set SANDPIT_CHROMIUM.');
    process.exit(1);
  }
}
