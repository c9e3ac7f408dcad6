import { parseArgs } from 'node:util';
import { startTestServer } from './server.ts';

/**
 * `npm run test-server [-- --port 8787 --host 127.0.0.1]`: the test server for a person trying the
 * app without a real key. Generated answers stream slowly enough to be seen arriving.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    'chunk-delay': { type: 'string', default: '30' },
    quiet: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
const chunkDelayMs = Number(values['chunk-delay']);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
if (!Number.isFinite(chunkDelayMs) || chunkDelayMs < 0) {
  console.error(`--chunk-delay must be a number of milliseconds, got ${values['chunk-delay']}`);
  process.exit(2);
}

const server = await startTestServer({ port, host: values.host, quiet: values.quiet, chunkDelayMs });
console.log(`Sandpit test server listening on ${server.url}`);
console.log('');
console.log(`  Base URL: ${server.url}/v1`);
console.log(`  API key:  ${server.defaultKey}`);
console.log('');
console.log('Paste both into the app. Press Ctrl+C to stop.');

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: closing the test server`);
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
