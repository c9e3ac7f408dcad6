import { costOf } from '../models/cost';
import type { ModelInfo } from '../models/types';
import type { Assembled } from './assemble';
import type { AnswerMetrics } from './types';

/** What {@link measureAnswer} needs of a finished run. */
export interface MeasuredRun {
  assembled: Assembled;
  timings: { firstTokenMs: number | null; totalMs: number };
  requestId: string | null;
  attempts: number;
  chunkCount: number;
  streamed: boolean;
}

/**
 * The numbers shown beneath an answer. Output speed counts completion tokens from the first token to
 * the end, so it measures generation, not the wait for the first token.
 */
export function measureAnswer(run: MeasuredRun, model: ModelInfo | null): AnswerMetrics {
  const reported = run.assembled.usage;
  const usage = reported
    ? {
        prompt: reported.prompt_tokens,
        completion: reported.completion_tokens,
        total: reported.total_tokens ?? reported.prompt_tokens + reported.completion_tokens,
        cached: reported.prompt_tokens_details?.cached_tokens ?? null,
        reasoning: reported.completion_tokens_details?.reasoning_tokens ?? null,
      }
    : null;
  const generatingMs =
    run.timings.firstTokenMs !== null ? run.timings.totalMs - run.timings.firstTokenMs : null;
  const tokensPerSecond =
    usage && generatingMs !== null && generatingMs > 0 && run.streamed
      ? (usage.completion / generatingMs) * 1000
      : null;
  const cost = reported && model ? costOf(model, reported) : null;
  return {
    ttftMs: run.timings.firstTokenMs,
    totalMs: run.timings.totalMs,
    tokensPerSecond,
    usage,
    costUsd: cost?.known ? cost.usd : null,
    finishReasons: run.assembled.choices.map((c) => c.finishReason),
    systemFingerprint: run.assembled.systemFingerprint,
    requestId: run.requestId,
    model: run.assembled.model,
    attempts: run.attempts,
    streamed: run.streamed,
    chunkCount: run.chunkCount,
  };
}
