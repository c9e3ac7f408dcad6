import { describe, expect, it } from 'vitest';
import {
  EmbeddingsMath,
  EmbeddingsMathError,
  type EmbeddingsWorker,
} from '../../src/lib/embeddings/math-client';
import {
  normalizeRows,
  pack,
  pca2d,
  rank,
  similarityMatrix,
  type Matrix,
} from '../../src/lib/embeddings/math';
import {
  createEmbeddingsHandler,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
} from '../../src/lib/embeddings/worker-protocol';

/** A worker that records what it is sent, and answers when the test says so. */
class FakeWorker implements EmbeddingsWorker {
  onmessage: EmbeddingsWorker['onmessage'] = null;
  onerror: EmbeddingsWorker['onerror'] = null;
  readonly sent: EmbeddingsRequest[] = [];
  readonly transfers: Transferable[][] = [];
  terminated = false;

  postMessage(message: EmbeddingsRequest, transfer: Transferable[]): void {
    // What postMessage does: the transferred buffers leave the sender.
    this.sent.push(structuredClone(message, { transfer: transfer as ArrayBuffer[] }));
    this.transfers.push(transfer);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(response: EmbeddingsResponse): void {
    this.onmessage?.({ data: response } as MessageEvent<EmbeddingsResponse>);
  }
  /** Answers request `index` with the real handler. */
  async answer(index = this.sent.length - 1): Promise<void> {
    const reply = await createEmbeddingsHandler()(this.sent[index]!);
    if (reply) this.reply(reply.response);
  }
  fail(message = ''): void {
    this.onerror?.({ message } as ErrorEvent);
  }
}

function setup(options: { mainThreadMax?: number; throwOnStart?: boolean } = {}) {
  const workers: FakeWorker[] = [];
  const math = new EmbeddingsMath({
    mainThreadMax: options.mainThreadMax ?? 0,
    createWorker: () => {
      if (options.throwOnStart) throw new Error('blocked by policy');
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
  });
  return { math, workers };
}

function vectors(n: number, dims = 6, seed = 1): Float32Array[] {
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return Array.from({ length: n }, () => Float32Array.from({ length: dims }, next));
}

/** Lets promise callbacks run. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('EmbeddingsMath', () => {
  it('starts its worker on the first call and sends copies, so the caller keeps its arrays', async () => {
    const { math, workers } = setup();
    expect(workers).toHaveLength(0);
    const m = normalizeRows(pack(vectors(5)));
    const before = m.data.slice();
    const result = math.similarity(m);
    expect(workers).toHaveLength(1);
    const [worker] = workers;
    const sent = worker!.sent[0]!;
    expect(sent).toMatchObject({ id: 1, op: 'similarity', matrix: { rows: 5, dims: 6 } });
    // The copy's buffer was transferred; the caller's array is untouched and usable.
    expect(worker!.transfers[0]).toHaveLength(1);
    expect(worker!.transfers[0]![0]).not.toBe(m.data.buffer);
    expect(m.data).toEqual(before);
    await worker!.answer();
    const answer = await result;
    expect(answer).toMatchObject({ unitLength: true });
    expect(Array.from(answer!.matrix)).toEqual(Array.from(similarityMatrix(m)));
    expect([...answer!.order].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('settles an older request of the same operation with null and sends only the newest', async () => {
    const { math, workers } = setup();
    const first = math.project(vectors(4), 'pca');
    const second = math.project(vectors(4, 6, 2), 'pca');
    const third = math.project(vectors(4, 6, 3), 'pca', { seed: 9 });
    expect(await first).toBeNull();
    expect(await second).toBeNull();
    const worker = workers[0]!;
    // The first is being computed (and told to stop, should it be a UMAP layout); the second was replaced
    // in the queue before it was sent.
    expect(worker.sent).toEqual([expect.objectContaining({ id: 1, op: 'project' }), { id: 1, op: 'cancel' }]);
    expect(worker.transfers[1]).toEqual([]);
    await worker.answer(0); // the late answer to the first request reaches nobody…
    await settled();
    expect(worker.sent).toHaveLength(3); // …and lets the newest go
    expect(worker.sent[2]).toMatchObject({ id: 3, op: 'project', method: 'pca', seed: 9 });
    await worker.answer(2);
    const result = await third;
    expect(result!.points).toEqual(pca2d(pack(vectors(4, 6, 3)), { seed: 9 }).points);
  });

  it('stops a UMAP layout that a newer map replaces, in the real handler', async () => {
    const worker = new FakeWorker();
    const math = new EmbeddingsMath({ mainThreadMax: 0, createWorker: () => worker });
    const handle = createEmbeddingsHandler();
    const umap = math.project(vectors(40, 16), 'umap');
    const running = handle(worker.sent[0]!); // the worker starts the layout…
    const pca = math.project(vectors(40, 16), 'pca'); // …and is told to stop it
    expect(worker.sent[1]).toEqual({ id: 1, op: 'cancel' });
    expect(await handle(worker.sent[1]!)).toBeNull();
    const stopped = (await running)!.response;
    expect(stopped).toEqual({ id: 1, error: 'UMAP was cancelled by a newer request.' });
    worker.reply(stopped);
    expect(await umap).toBeNull();
    await settled();
    worker.reply((await handle(worker.sent[2]!))!.response);
    expect(await pca).toMatchObject({ method: 'pca' });
  });

  it('keeps the operations apart: a new ranking does not cancel a similarity matrix', async () => {
    const { math, workers } = setup();
    const vs = vectors(6);
    const similarity = math.similarity(vs);
    const ranking = math.rank(vs, vs[2]!, 3);
    const worker = workers[0]!;
    expect(worker.sent.map((r) => r.op)).toEqual(['similarity', 'rank']);
    await worker.answer(1);
    await worker.answer(0);
    expect(await ranking).toEqual(rank(pack(vs), vs[2]!, 3));
    expect(await similarity).not.toBeNull();
  });

  it('sends the texts to rank against once, then only the queries', async () => {
    const { math, workers } = setup();
    const vs = vectors(8);
    const first = math.rank(vs, vs[0]!);
    const worker = workers[0]!;
    expect(worker.sent[0]).toHaveProperty('matrix');
    await worker.answer(0);
    await first;
    const second = math.rank(vs, vs[1]!, 2);
    expect(worker.sent[1]).not.toHaveProperty('matrix');
    expect(worker.sent[1]!.op === 'rank' && worker.sent[1]!.corpus).toBe(
      worker.sent[0]!.op === 'rank' && worker.sent[0]!.corpus,
    );
    // The worker that got the texts can answer the query alone (one handler, as in the real worker).
    const handler = createEmbeddingsHandler();
    await handler(worker.sent[0]!);
    worker.reply((await handler(worker.sent[1]!))!.response);
    expect(await second).toEqual(rank(pack(vs), vs[1]!, 2));
    // New vectors: a new corpus, sent again.
    void math.rank(vectors(8, 6, 5), vs[1]!);
    expect(worker.sent[2]).toHaveProperty('matrix');
  });

  it('rejects with the worker’s message when it cannot compute, and goes on', async () => {
    const { math, workers } = setup();
    const failed = math.project(vectors(2), 'umap');
    const worker = workers[0]!;
    await worker.answer();
    const error = await failed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingsMathError);
    expect(error).toMatchObject({
      reason: 'compute',
      message: 'UMAP needs at least 3 texts (this set has 2); use PCA for fewer.',
    });
    const next = math.project(vectors(3), 'pca');
    await worker.answer();
    expect(await next).toMatchObject({ method: 'pca' });
  });

  it('resends the texts after a failed ranking', async () => {
    const { math, workers } = setup();
    const vs = vectors(5);
    const failed = math.rank(vs, new Float32Array(3));
    const worker = workers[0]!;
    await worker.answer();
    await expect(failed).rejects.toMatchObject({ reason: 'compute', message: /query has 3 dimensions/ });
    void math.rank(vs, vs[0]!);
    expect(worker.sent[1]).toHaveProperty('matrix');
  });

  it('reports a worker that never started, then one that stopped, and starts a new one', async () => {
    const { math, workers } = setup();
    const first = math.similarity(vectors(3));
    workers[0]!.fail();
    await expect(first).rejects.toMatchObject({ reason: 'start', message: /could not start/ });
    expect(workers[0]!.terminated).toBe(true);

    const second = math.similarity(vectors(3));
    expect(workers).toHaveLength(2);
    await workers[1]!.answer();
    await second;
    const ranking = math.rank(vectors(3), vectors(1)[0]!);
    const projection = math.project(vectors(3));
    workers[1]!.fail('out of memory');
    await expect(ranking).rejects.toMatchObject({ reason: 'crash', message: /stopped \(out of memory\)/ });
    await expect(projection).rejects.toMatchObject({ reason: 'crash' });
    void math.similarity(vectors(3));
    expect(workers).toHaveLength(3);
  });

  it('rejects when the worker cannot be created at all', async () => {
    const { math } = setup({ throwOnStart: true });
    await expect(math.similarity(vectors(3))).rejects.toMatchObject({
      reason: 'start',
      message: /could not start \(blocked by policy\)/,
    });
  });

  it('rejects vectors of different lengths before sending anything', async () => {
    const { math, workers } = setup();
    const mixed = [new Float32Array(4), new Float32Array(5)];
    await expect(math.similarity(mixed)).rejects.toMatchObject({ reason: 'compute', message: /dimensions/ });
    expect(workers[0]!.sent).toHaveLength(0);
  });

  it('disposes: pending calls settle with null, the worker stops, a later call starts another', async () => {
    const { math, workers } = setup();
    const pending = math.similarity(vectors(3));
    const ranking = math.rank(vectors(3), vectors(1)[0]!);
    math.dispose();
    expect(await pending).toBeNull();
    expect(await ranking).toBeNull();
    expect(workers[0]!.terminated).toBe(true);
    await workers[0]!.answer(0); // too late: ignored
    void math.rank(vectors(3), vectors(1)[0]!);
    expect(workers).toHaveLength(2);
    expect(workers[1]!.sent[0]).toHaveProperty('matrix'); // the new worker has no texts yet
  });

  it('computes small inputs on the main thread with the same functions, and UMAP always in the worker', async () => {
    const { math, workers } = setup({ mainThreadMax: 64 });
    const m: Matrix = pack(vectors(10));
    const similarity = await math.similarity(m);
    expect(Array.from(similarity!.matrix)).toEqual(Array.from(similarityMatrix(m)));
    expect(await math.rank(m, vectors(1)[0]!, 4)).toEqual(rank(m, vectors(1)[0]!, 4));
    expect((await math.project(m, 'pca'))!.points).toEqual(pca2d(m).points);
    expect(workers).toHaveLength(0);
    void math.project(m, 'umap');
    expect(workers).toHaveLength(1);
  });

  it('lets a main-thread answer supersede a request still in the worker', async () => {
    const { math, workers } = setup({ mainThreadMax: 4 });
    const big = math.similarity(vectors(10));
    const small = math.similarity(vectors(3));
    expect(await big).toBeNull();
    expect(await small).not.toBeNull();
    await workers[0]!.answer(); // the worker's late answer changes nothing
    expect(await small).not.toBeNull();
  });
});
