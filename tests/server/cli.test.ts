import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

describe('npm run test-server', () => {
  it('prints the base URL and key to paste, serves them, and closes cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner; got: ${output}`)), 15_000);
        child.stdout.on('data', () => {
          if (output.includes('API key:')) {
            clearTimeout(timer);
            resolve(output);
          }
        });
      });
      const baseURL = /Base URL: (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(banner)?.[1];
      const key = /API key: +(\S+)/.exec(banner)?.[1];
      expect(key).toBe('sk-sandpit-demo');
      expect(baseURL).toBeDefined();
      const response = await fetch(`${baseURL}/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
