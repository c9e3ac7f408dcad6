/**
 * The embeddings lab's math off the main thread. The work is `createEmbeddingsHandler`'s
 * (src/lib/embeddings/worker-protocol.ts), with WebAssembly SIMD kernels when this worker may compile them;
 * this file only connects it to the worker's messages. Each reply carries its request's id, and its arrays
 * are transferred.
 */
import { createSimdKernels } from '../lib/embeddings/simd';
import { createEmbeddingsHandler, type EmbeddingsRequest } from '../lib/embeddings/worker-protocol';

const handle = createEmbeddingsHandler({ simd: createSimdKernels() });

self.onmessage = async (event: MessageEvent<EmbeddingsRequest>) => {
  const reply = await handle(event.data);
  if (reply) self.postMessage(reply.response, { transfer: reply.transfer });
};
