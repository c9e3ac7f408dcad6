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
  /** Chunks that carried text (or a tool-call delta). */
  visibleChunks: number;
  streamed: boolean;
}

const count = (n: unknown): number | null =>
  Number.isSafeInteger(n) && (n as number) >= 0 ? (n as number) : null;

/** Below this, a generation time says more about timers than about the model. */
const MIN_GENERATING_MS = 50;

/**
 * The numbers shown beneath an answer. Output speed counts the visible completion tokens from the
 * first token to the end, so it measures generation, not the wait (or the reasoning) before it.
 */
export function measureAnswer(run: MeasuredRun, model: ModelInfo | null): AnswerMetrics {
  // Servers that only resemble the API send odd usage; anything that is not a count is left out, so a
  // saved run (and the draft that shows it) always validates.
  const reported = run.assembled.usage;
  const prompt = count(reported?.prompt_tokens);
  const completion = count(reported?.completion_tokens);
  const usage =
    reported && prompt !== null && completion !== null
      ? {
          prompt,
          completion,
          total: count(reported.total_tokens) ?? prompt + completion,
          cached: count(reported.prompt_tokens_details?.cached_tokens),
          reasoning: count(reported.completion_tokens_details?.reasoning_tokens),
        }
      : null;
  // Speed of the visible answer: reasoning tokens are generated before the first visible token, so
  // they are not part of this stretch of time.
  const generatingMs =
    run.timings.firstTokenMs !== null ? run.timings.totalMs - run.timings.firstTokenMs : null;
  const visibleTokens = usage ? usage.completion - (usage.reasoning ?? 0) : null;
  const tokensPerSecond =
    run.streamed &&
    visibleTokens !== null &&
    visibleTokens > 0 &&
    run.visibleChunks >= 2 &&
    generatingMs !== null &&
    generatingMs >= MIN_GENERATING_MS
      ? (visibleTokens / generatingMs) * 1000
      : null;
  const cost = usage && model ? costOf(model, reported!) : null;
  return {
    ttftMs: run.timings.firstTokenMs,
    totalMs: run.timings.totalMs,
    tokensPerSecond,
    usage,
    costUsd: cost?.known && Number.isFinite(cost.usd) ? cost.usd : null,
    finishReasons: run.assembled.choices.map((c) => c.finishReason),
    systemFingerprint: run.assembled.systemFingerprint,
    requestId: run.requestId,
    model: run.assembled.model,
    attempts: run.attempts,
    streamed: run.streamed,
    chunkCount: run.chunkCount,
  };
}
