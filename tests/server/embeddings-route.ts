import { countTokens } from './chat.ts';
import { embeddingsResponseText, embedText, inputText } from './embeddings.ts';
import { apiErrors } from './errors.ts';
import type { Exchange } from './http.ts';
import { acceptsDimensions, embeddingDimensions, isEmbeddingModel, servesModel } from './models.ts';
import type { ValidationResult } from './openapi.ts';
import type { Session } from './sessions.ts';
import type { RecordedRequest } from './types.ts';

interface EmbeddingsBody {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
}

/** The inputs as a list: one string, strings, one token array, or token arrays. */
function inputsOf(input: EmbeddingsBody['input']): (string | number[])[] {
  if (typeof input === 'string') return [input];
  if (input.every((item) => typeof item === 'number')) return [input as number[]];
  return input as (string | number[])[];
}

/** `POST /embeddings` without a scenario: the real checks, then deterministic bag-of-words vectors. */
export function answerEmbeddings(
  ex: Exchange,
  session: Session,
  record: RecordedRequest,
  check: ValidationResult,
): void {
  const body = record.body;
  if (typeof body !== 'object' || body === null || !('model' in body) || body.model == null) {
    ex.error(apiErrors.missingModel());
    return;
  }
  if (check.problem) {
    // The API answers every malformed `input` with the same generic message.
    const onInput = check.problem.param?.startsWith('input') ?? false;
    ex.error(
      onInput
        ? apiErrors.invalidPath('$.input')
        : apiErrors.schema(check.problem.message, check.problem.param, check.problem.code),
    );
    return;
  }
  const request = body as EmbeddingsBody;
  if (!servesModel(session.models, request.model)) {
    ex.error(apiErrors.modelNotFound(request.model));
    return;
  }
  if (!isEmbeddingModel(request.model)) {
    ex.error(apiErrors.notEmbeddingModel());
    return;
  }
  const inputs = inputsOf(request.input);
  if (inputs.some((input) => input.length === 0)) {
    ex.error(apiErrors.invalidPath('$.input'));
    return;
  }
  const full = embeddingDimensions(request.model);
  if (request.dimensions !== undefined) {
    if (!acceptsDimensions(request.model)) {
      ex.error(apiErrors.dimensionsUnsupported());
      return;
    }
    if (request.dimensions > full) {
      ex.error(
        apiErrors.schema(
          `Invalid 'dimensions': integer above maximum value. Expected a value <= ${full}, but got ${request.dimensions} instead.`,
          'dimensions',
          'integer_above_max_value',
        ),
      );
      return;
    }
  }
  const texts = inputs.map(inputText);
  const vectors = texts.map((text) => embedText(text, full, request.dimensions ?? full));
  const tokens = inputs.reduce(
    (sum, input, i) =>
      sum + (typeof input === 'string' ? Math.max(1, countTokens(texts[i] ?? '')) : input.length),
    0,
  );
  ex.text(
    200,
    embeddingsResponseText(vectors, request.encoding_format ?? 'float', request.model, tokens),
    'application/json',
  );
}
