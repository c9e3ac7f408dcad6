import OpenAI, { type APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { encodeBase64, formatFloat32 } from './embeddings.ts';
import { clientFor, readFixtureJson, useServer } from './helpers.ts';

const { session } = useServer();

const norm = (v: number[]) => Math.hypot(...v);
const cosine = (a: number[], b: number[]) =>
  a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0) / (norm(a) * norm(b));

async function failure(promise: Promise<unknown>): Promise<APIError> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error as APIError,
  );
}

describe('embeddings', () => {
  it('decodes to the same vectors as base64 (the SDK default) and as float', async () => {
    const s = await session();
    const client = clientFor(s);
    const input = ['The cat sat on the mat.', 'Stock markets fell sharply.'];
    const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-small', input });
    const viaFloat = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input,
      encoding_format: 'float',
    });
    const [sent] = await s.requests();
    expect((sent?.body as { encoding_format?: string }).encoding_format).toBe('base64');
    expect(viaBase64.data).toHaveLength(2);
    viaBase64.data.forEach((item, i) => {
      const float = viaFloat.data[i]!.embedding;
      expect(item.index).toBe(i);
      expect(item.embedding).toHaveLength(1536);
      // JSON floats are printed at float32 precision: reading them back as float32 gives the base64 values.
      expect(item.embedding).toEqual(float.map((x) => Math.fround(x)));
      expect(norm(item.embedding)).toBeCloseTo(1, 5);
    });
    expect(viaBase64.model).toBe('text-embedding-3-small');
    expect(viaBase64.usage.prompt_tokens).toBe(10);
    expect(viaBase64.usage.total_tokens).toBe(10);
  });

  it('is deterministic', async () => {
    const s = await session();
    const client = clientFor(s);
    const a = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'same words' });
    const b = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'same words' });
    expect(a.data[0]!.embedding).toEqual(b.data[0]!.embedding);
    expect(a.data[0]!.embedding).toHaveLength(3072);
  });

  it('honours dimensions by shortening and renormalising, as text-embedding-3 does', async () => {
    const s = await session();
    const client = clientFor(s);
    const full = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'shorten me' });
    const short = await client.embeddings.create({
      model: 'text-embedding-3-large',
      input: 'shorten me',
      dimensions: 256,
    });
    const vector = short.data[0]!.embedding;
    expect(vector).toHaveLength(256);
    expect(norm(vector)).toBeCloseTo(1, 5);
    expect(cosine(vector, full.data[0]!.embedding.slice(0, 256))).toBeCloseTo(1, 5);
  });

  it('ranks texts that share words above unrelated ones', async () => {
    const s = await session();
    const { data } = await clientFor(s).embeddings.create({
      model: 'text-embedding-3-small',
      input: [
        'How do I bake sourdough bread?',
        'A simple sourdough bread recipe to bake at home',
        'Quarterly revenue grew in the semiconductor sector',
      ],
    });
    const [query, related, unrelated] = data.map((d) => d.embedding) as [number[], number[], number[]];
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
  });

  it('accepts token arrays', async () => {
    const s = await session();
    const result = await clientFor(s).embeddings.create({
      model: 'text-embedding-ada-002',
      input: [[1, 2, 3], [4]],
    });
    expect(result.data.map((d) => d.embedding.length)).toEqual([1536, 1536]);
    expect(result.usage.prompt_tokens).toBe(4);
  });

  it('rejects dimensions on ada-002 like the API', async () => {
    const s = await session();
    const error = await failure(
      clientFor(s).embeddings.create({ model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toBe('400 This model does not support specifying dimensions.');
    expect(error.param).toBe('dimensions');
  });

  it('rejects an empty input like the API', async () => {
    const s = await session();
    for (const input of ['', ['ok', '']]) {
      const error = await failure(clientFor(s).embeddings.create({ model: 'text-embedding-3-small', input }));
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.error).toEqual({
        message:
          "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
    }
  });

  it('answers an unknown model with the recorded 404', async () => {
    const s = await session();
    const recorded = readFixtureJson<{ errors: { id: string; body?: { error: object } }[] }>(
      'errors/openai_error_examples.json',
    ).errors.find((e) => e.id === '404_model_not_found_embeddings');
    const error = await failure(
      clientFor(s).embeddings.create({ model: 'nonexistent', input: ['Hello, world!'] }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.error).toEqual(recorded?.body?.error);
  });

  it('refuses a chat model', async () => {
    const s = await session();
    const error = await failure(clientFor(s).embeddings.create({ model: 'gpt-4o', input: 'x' }));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it('encodes exactly like the real API (the recorded float/base64 twin)', () => {
    const twin = readFixtureJson<{
      float_response: { data: { embedding: number[] }[] };
      base64_response: { data: { embedding: string }[] };
    }>('embeddings/openai-node_float_base64_twin.json');
    const floats = twin.float_response.data[0]!.embedding;
    expect(encodeBase64(Float32Array.from(floats))).toBe(twin.base64_response.data[0]!.embedding);
    // Each recorded float is the shortest decimal of its float32, which is how the server prints them.
    expect(floats.map(formatFloat32)).toEqual(floats.map(String));
  });
});
