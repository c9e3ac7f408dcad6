import { newId } from '../chat/ids';
import type { ToolCall } from '../chat/types';
import type { MockResult } from '../tools/mock';
import type { ChatState } from './chat.svelte';
import type { ToolsState } from './tools.svelte';

/** The lazy boundary of the mock runner (its worker starts per call). */
const loadMockRunner = () => import('../tools/mock-runner');

/** A mock's run for one call: running, or how it went. */
export type MockState = { running: true } | (MockResult & { running: false });

/**
 * Answers tool calls with the tools' mocks: one call at a time on request ("Run mock"), or, with
 * "Auto-run tools", the whole loop: call → mocks → the next request, until the model answers in text,
 * a mock cannot answer, the user presses Stop (during a request or during the mocks), or the step limit
 * is reached. Each step is a run of its own, in the conversation and in the saved runs.
 */
export class ToolLoop {
  /** Per call id: the last mock run. */
  mocks = $state.raw<Record<string, MockState>>({});
  /** Where the auto-run loop stands (or why it stopped), for the status line. */
  status = $state<string | null>(null);
  /** Steps taken by the current loop (a step = one round of results sent). */
  step = $state(0);
  /** True while mocks run between two requests of the loop. */
  busy = $state(false);

  #chat: ChatState;
  #tools: ToolsState;
  #loopId = '';

  constructor(chat: ChatState, tools: ToolsState) {
    this.#chat = chat;
    this.#tools = tools;
    chat.onRunEnd(this.#afterRun);
  }

  /** Runs the mock of the tool a call names, and puts its result in the call's result box. */
  runMock = async (call: ToolCall, signal?: AbortSignal): Promise<MockResult> => {
    this.mocks = { ...this.mocks, [call.id]: { running: true } };
    let result = await this.#mock(call, signal);
    if (result.ok && result.content.trim() === '') {
      result = {
        ok: false,
        ms: result.ms,
        error: 'The mock returned an empty result: return something, e.g. {}.',
      };
    }
    this.mocks = { ...this.mocks, [call.id]: { ...result, running: false } };
    if (result.ok) this.#chat.setToolResult(call.id, result.content);
    return result;
  };

  async #mock(call: ToolCall, signal?: AbortSignal): Promise<MockResult> {
    const spec = this.#tools.mockFor(call.name);
    if (!this.#tools.toolNamed(call.name)) {
      return { ok: false, ms: 0, error: `${call.name} is not one of your enabled tools, so it has no mock.` };
    }
    let args: unknown;
    try {
      args = JSON.parse(call.arguments);
    } catch {
      return { ok: false, ms: 0, error: 'Its arguments are not valid JSON, so the mock cannot run.' };
    }
    try {
      const runner = await loadMockRunner();
      return await runner.runMock(spec, args, signal ? { signal } : {});
    } catch (err) {
      return { ok: false, ms: 0, error: `The mock runner could not load (${String(err)}).` };
    }
  }

  #afterRun = async (ended: { end: string; auto: boolean }): Promise<void> => {
    if (!ended.auto) {
      this.step = 0;
      this.#loopId = newId();
      this.status = null;
    }
    // The cards of earlier calls are no longer waiting: their mock results are done with.
    this.mocks = {};
    const calls = this.#chat.pendingToolCalls;
    if (!this.#tools.autoRun || calls.length === 0) {
      if (ended.auto && calls.length === 0 && ended.end === 'done') {
        this.status = `Auto-run finished in ${this.step} step${this.step === 1 ? '' : 's'}.`;
      }
      return;
    }
    if (ended.end !== 'done') {
      this.status = `Auto-run stopped: the run ${ended.end === 'stopped' ? 'was stopped' : 'did not finish'}.`;
      return;
    }
    if (this.step >= this.#tools.maxSteps) {
      this.status = `Auto-run stopped after ${this.step} steps (the step limit): the model is still calling tools. Submit the results yourself, or raise the limit.`;
      return;
    }
    // The conversation is held while the mocks run, so nothing can come between the calls and their
    // results; Stop aborts the mocks.
    const controller = new AbortController();
    this.#chat.holdFor(() => controller.abort());
    this.busy = true;
    this.status = `Auto-run step ${this.step + 1} of at most ${this.#tools.maxSteps}: running ${calls.length} mock${calls.length === 1 ? '' : 's'}…`;
    let results: MockResult[];
    try {
      results = await Promise.all(calls.map((c) => this.runMock(c, controller.signal)));
    } finally {
      this.busy = false;
      this.#chat.holdFor(null);
    }
    if (controller.signal.aborted) {
      this.status = 'Auto-run stopped before the results were sent.';
      return;
    }
    const failed = calls.filter((_, i) => !results[i]!.ok);
    if (failed.length) {
      this.status = `Auto-run paused: no result for ${failed.map((c) => c.name).join(', ')} (see the call). Type it, then Submit tool results.`;
      return;
    }
    this.step += 1;
    const problem = await this.#chat.submitToolResults({ id: this.#loopId, step: this.step });
    if (problem) {
      this.step -= 1;
      this.status = `Auto-run paused: ${problem}`;
    }
  };
}
