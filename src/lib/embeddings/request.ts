import type { EmbeddingCreateParams } from 'openai/resources/embeddings';

/**
 * The one function that builds an embeddings request body: the SDK call, the saved run and the code
 * export all use it. Vectors come back as base64 (4 bytes a value instead of ~10 characters of JSON)
 * and are decoded straight into a `Float32Array`; `dimensions` goes only when set (text-embedding-3).
 */
export function buildEmbeddingsRequest(parts: {
  model: string;
  dimensions: number | null;
  texts: readonly string[];
}): EmbeddingCreateParams {
  return {
    model: parts.model,
    input: [...parts.texts],
    encoding_format: 'base64',
    ...(parts.dimensions !== null && { dimensions: parts.dimensions }),
  };
}
