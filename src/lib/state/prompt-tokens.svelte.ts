import type { PromptMessage, PromptTool, PromptToolChoice } from '../tokens/count';
import { TokenCounter, type CountResult } from '../tokens/counter';

/** Typing pauses shorter than this do not start a count. */
const SETTLE_MS = 120;

/**
 * The live prompt-token count: counted in a Web Worker a moment after the conversation stops changing,
 * so typing never waits on the tokenizer. The last count stays shown (marked stale) until the next one.
 */
export class PromptTokens {
  result = $state.raw<CountResult | null>(null);
  error = $state<string | null>(null);
  /** True while the shown count is older than the conversation. */
  stale = $state(false);

  #counter: TokenCounter;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(counter = new TokenCounter()) {
    this.#counter = counter;
  }

  /** Counts `messages` (and the tools) for `model` once they stop changing. */
  update(
    model: string,
    messages: readonly PromptMessage[],
    tools: readonly PromptTool[] = [],
    toolChoice?: PromptToolChoice,
  ): void {
    this.stale = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#counter.count(model, messages, tools, toolChoice).then(
        (result) => {
          if (!result) return; // a newer count is on its way
          this.result = result;
          this.error = null;
          this.stale = false;
        },
        (err: unknown) => {
          this.error = err instanceof Error ? err.message : String(err);
          this.stale = false;
        },
      );
    }, SETTLE_MS);
  }

  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#counter.dispose();
  }
}
