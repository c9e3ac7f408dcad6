import { chatChunks, chatCompletion, completionMeta, planChat, type ChatRequestBody } from './chat.ts';
import { apiErrors } from './errors.ts';
import type { Exchange } from './http.ts';
import { isChatModel, isReasoningModel, servesModel } from './models.ts';
import type { ValidationResult } from './openapi.ts';
import type { Session } from './sessions.ts';
import { DONE, sseBlock, writeBlocks } from './sse.ts';
import type { RecordedRequest } from './types.ts';

/** `POST /chat/completions` without a scenario: the checks the real API makes, in its order, then a generated answer. */
export async function answerChat(
  ex: Exchange,
  session: Session,
  record: RecordedRequest,
  check: ValidationResult,
  chunkDelayMs: number,
): Promise<void> {
  const body = record.body;
  if (typeof body !== 'object' || body === null || !('model' in body) || body.model == null) {
    ex.error(apiErrors.missingModel());
    return;
  }
  if (check.problem) {
    ex.error(apiErrors.schema(check.problem.message, check.problem.param, check.problem.code));
    return;
  }
  const request = body as ChatRequestBody;
  if (!servesModel(session.models, request.model)) {
    ex.error(apiErrors.modelNotFound(request.model));
    return;
  }
  if (!isChatModel(request.model)) {
    ex.error(apiErrors.notChatModel());
    return;
  }
  if (isReasoningModel(request.model)) {
    if (request.max_tokens != null) {
      ex.error(apiErrors.reasoningMaxTokens());
      return;
    }
    if (request.temperature != null && request.temperature !== 1) {
      ex.error(apiErrors.reasoningTemperature(request.temperature));
      return;
    }
  }
  const plan = planChat(request);
  const meta = completionMeta(request);
  if (!request.stream) {
    ex.json(200, chatCompletion(request, plan, meta));
    return;
  }
  ex.startStream();
  const blocks = [...chatChunks(request, plan, meta).map(sseBlock), DONE];
  if (await writeBlocks(ex, blocks, { chunkDelayMs })) ex.res.end();
}
