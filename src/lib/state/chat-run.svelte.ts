import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import type { AssembledToolCall, ChatAssembler } from '../chat/assemble';
import type { RetryWait, RunEvents, RunOutcome } from '../api/chat-run';
import type { ApiProblem } from '../api/problems';
import type { LeftOut } from '../chat/request';
import type { AnswerMetrics, RunEnd } from '../chat/types';

/** `submitted`: sent, nothing back yet; `waiting`: a retry counts down; `streaming`: chunks arrive. */
export type RunStatus = 'submitted' | 'waiting' | 'streaming' | RunEnd;

/** Coalesces updates to one per frame; tests and Node get a timer. */
const nextFrame: (fn: () => void) => void =
  typeof requestAnimationFrame === 'function'
    ? (fn) => requestAnimationFrame(() => fn())
    : (fn) => setTimeout(fn, 16);

/**
 * One request of the chat playground while it runs: its status, the text as it arrives (updated at
 * most once per frame, however fast chunks come), the retry countdown and the stall notice. Its
 * `events` are handed to `runChat`; `stop` aborts it.
 */
export class ChatRun {
  readonly id: string;
  readonly body: ChatCompletionCreateParams;
  readonly leftOut: readonly LeftOut[];
  readonly startedAt = Date.now();
  readonly controller = new AbortController();

  status = $state<RunStatus>('submitted');
  /** Each choice's text so far. */
  texts = $state.raw<string[]>([]);
  refusals = $state.raw<(string | null)[]>([]);
  /** The first choice's tool calls as far as they arrived (arguments may be incomplete JSON). */
  toolCalls = $state.raw<AssembledToolCall[]>([]);
  attempt = $state(1);
  attempts = $state(1);
  retry = $state.raw<RetryWait | null>(null);
  /** Seconds left before the retry; ticks while `status` is `waiting`. */
  retryIn = $state(0);
  /** Milliseconds of silence so far, while the stream is stalled and the notice is not dismissed. */
  stalledFor = $state<number | null>(null);
  chunkCount = $state(0);
  problem = $state.raw<ApiProblem | null>(null);
  outcome = $state.raw<RunOutcome | null>(null);
  /** What the answer shows beneath it, once the run ended (null when it never reached the network). */
  metrics = $state.raw<AnswerMetrics | null>(null);

  #assembler: ChatAssembler | null = null;
  #frame = false;
  #chunks = 0;
  #ticker: ReturnType<typeof setInterval> | null = null;

  constructor(id: string, body: ChatCompletionCreateParams, leftOut: readonly LeftOut[]) {
    this.id = id;
    this.body = body;
    this.leftOut = leftOut;
  }

  get running(): boolean {
    return this.status === 'submitted' || this.status === 'waiting' || this.status === 'streaming';
  }

  /** Stops the run (or cancels a waiting retry). What arrived is kept. */
  stop = (): void => {
    this.controller.abort();
  };

  /** Hides the stall notice; it comes back if the silence goes on. */
  keepWaiting = (): void => {
    this.stalledFor = null;
  };

  readonly events: RunEvents = {
    onAttempt: (attempt, of) => {
      this.attempt = attempt;
      this.attempts = of;
      this.status = 'submitted';
      this.retry = null;
      this.#stopTicker();
    },
    onRetryWait: (wait) => {
      this.retry = wait;
      this.status = 'waiting';
      this.problem = wait.problem;
      this.#tick();
      this.#ticker = setInterval(this.#tick, 250);
    },
    onResponse: () => {
      this.problem = null;
    },
    onChunk: (_chunk, _t, _visible, assembler) => {
      this.#assembler = assembler;
      this.#chunks++;
      this.status = 'streaming';
      if (this.#frame) return;
      this.#frame = true;
      nextFrame(this.#flush);
    },
    onStall: (silentMs) => {
      this.stalledFor = silentMs;
    },
    onResume: () => {
      this.stalledFor = null;
    },
  };

  /** Records how the run ended; the final text replaces whatever the last frame showed. */
  settle(outcome: RunOutcome, metrics: AnswerMetrics | null): void {
    this.#stopTicker();
    this.outcome = outcome;
    this.metrics = metrics;
    this.texts = outcome.assembled.choices.map((c) => c.content);
    this.refusals = outcome.assembled.choices.map((c) => c.refusal);
    this.toolCalls = outcome.assembled.choices[0]?.toolCalls ?? [];
    this.chunkCount = outcome.chunks.length;
    this.problem = outcome.problem;
    this.stalledFor = null;
    this.retry = null;
    this.status = outcome.end;
  }

  #flush = (): void => {
    this.#frame = false;
    if (!this.running || !this.#assembler) return;
    const { choices } = this.#assembler.result();
    this.texts = choices.map((c) => c.content);
    this.refusals = choices.map((c) => c.refusal);
    this.toolCalls = choices[0]?.toolCalls ?? [];
    this.chunkCount = this.#chunks;
  };

  #tick = (): void => {
    if (!this.retry) return;
    this.retryIn = Math.max(0, Math.ceil((this.retry.until - Date.now()) / 1000));
  };

  #stopTicker(): void {
    if (this.#ticker !== null) clearInterval(this.#ticker);
    this.#ticker = null;
  }
}
