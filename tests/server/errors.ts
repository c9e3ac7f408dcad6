import { readFixtureJson } from './fixtures.ts';
import { extraErrors } from './extra-errors.ts';

/** The `error` object of every API error body. */
export interface ApiErrorDetail {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** A status and the body the API sends with it. */
export interface ApiError {
  status: number;
  body: { error: ApiErrorDetail };
}

interface ErrorExample {
  id: string;
  status: number;
  body?: { error: ApiErrorDetail };
  message_examples?: string[];
}

/** Every scriptable error: the fixture's real bodies, then the extra table. */
export function loadErrorCatalog(): Map<string, ApiError> {
  const { errors } = readFixtureJson<{ errors: ErrorExample[] }>('errors/openai_error_examples.json');
  const catalog = new Map<string, ApiError>();
  for (const example of errors) {
    if (example.body) {
      catalog.set(example.id, { status: example.status, body: example.body });
    } else if (example.message_examples?.[0]) {
      // Only the messages were reported; every real TPM 429 body around them has this shape.
      catalog.set(example.id, {
        status: example.status,
        body: {
          error: {
            message: example.message_examples[0],
            type: 'tokens',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
      });
    }
  }
  for (const [id, error] of Object.entries(extraErrors)) catalog.set(id, error);
  return catalog;
}

function invalidRequest(
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null,
): ApiError {
  return { status, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

/**
 * The real API hides all but the first 8 and last 4 characters of a wrong key
 * ("sk-PMafP***…***E873"); a short key keeps less so that most of it stays hidden.
 */
export function maskApiKey(key: string): string {
  if (key.length > 12) return key.slice(0, 8) + '*'.repeat(key.length - 12) + key.slice(-4);
  if (key.length > 4) return key.slice(0, 2) + '*'.repeat(key.length - 4) + key.slice(-2);
  return '*'.repeat(key.length);
}

const API_REFERENCE = 'Please check the API reference: https://platform.openai.com/docs/api-reference.';

/** The errors the server produces itself, worded as the real API words them. */
export const apiErrors = {
  missingKey: (): ApiError =>
    invalidRequest(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    ),
  invalidKey: (key: string): ApiError =>
    invalidRequest(
      401,
      `Incorrect API key provided: ${maskApiKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      null,
      'invalid_api_key',
    ),
  invalidUrl: (method: string, path: string): ApiError =>
    invalidRequest(404, `Invalid URL (${method} ${path})`),
  unparsableJson: (): ApiError =>
    invalidRequest(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
    ),
  missingModel: (): ApiError => invalidRequest(400, 'you must provide a model parameter'),
  modelNotFound: (model: string): ApiError =>
    invalidRequest(
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      null,
      'model_not_found',
    ),
  /** `GET /models/{id}` words it differently from the endpoints that use a model. */
  retrieveModelNotFound: (model: string): ApiError =>
    invalidRequest(404, `The model '${model}' does not exist`, 'model', 'model_not_found'),
  notChatModel: (): ApiError =>
    invalidRequest(
      404,
      'This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?',
      'model',
    ),
  notEmbeddingModel: (): ApiError =>
    invalidRequest(403, 'You are not allowed to generate embeddings from this model'),
  reasoningMaxTokens: (): ApiError =>
    invalidRequest(
      400,
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'max_tokens',
      'unsupported_parameter',
    ),
  reasoningTemperature: (value: unknown): ApiError =>
    invalidRequest(
      400,
      `Unsupported value: 'temperature' does not support ${String(value)} with this model. Only the default (1) value is supported.`,
      'temperature',
      'unsupported_value',
    ),
  dimensionsUnsupported: (): ApiError =>
    invalidRequest(400, 'This model does not support specifying dimensions.', 'dimensions'),
  /** The API's generic answer for a value it rejects without a specific message (e.g. an empty input). */
  invalidPath: (path: string, param: string | null = null): ApiError =>
    invalidRequest(400, `'${path}' is invalid. ${API_REFERENCE}`, param),
  schema: (message: string, param: string | null, code: string | null): ApiError =>
    invalidRequest(400, message, param, code),
  serverError: (requestId: string): ApiError => ({
    status: 500,
    body: {
      error: {
        message: `The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if you keep seeing this error. (Please include the request ID ${requestId} in your email.)`,
        type: 'server_error',
        param: null,
        code: null,
      },
    },
  }),
};
