/**
 * Limits of POST /v1/embeddings (CreateEmbeddingRequest in openai/openai-openapi). A module of its own,
 * so that code on the first load can use them without the catalog (which carries gpt-tokenizer's model
 * list).
 */
export const EMBEDDING_LIMITS: {
  maxInputTokens: 8192;
  maxInputsPerRequest: 2048;
  maxTokensPerRequest: 300000;
} = {
  maxInputTokens: 8192,
  maxInputsPerRequest: 2048,
  maxTokensPerRequest: 300000,
};
