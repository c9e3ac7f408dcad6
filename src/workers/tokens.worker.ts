/**
 * Counts prompt tokens off the main thread. The work is `createCountHandler`'s (src/lib/tokens/handler.ts);
 * this file only connects it to the worker's messages. Each reply carries its request's id.
 */
import { createCountHandler, createEncoderLoader, type TokenRequest } from '../lib/tokens/handler';

const handle = createCountHandler(createEncoderLoader());

self.onmessage = async (event: MessageEvent<TokenRequest>) => {
  self.postMessage(await handle(event.data));
};
