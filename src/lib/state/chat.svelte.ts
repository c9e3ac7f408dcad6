import type { RunOutcome } from '../api/chat-run';
import type * as ChatRunner from '../api/chat-runner';
import type { ApiProblem } from '../api/problems';
import { fieldForParam, type FieldRef, type SentParts } from '../chat/fields';
import { newId } from '../chat/ids';
import { loadMarkdown } from '../markdown/load';
import { buildChatRequest, messageParam, type BuiltRequest } from '../chat/request';
import type { PromptMessage, PromptToolChoice } from '../tokens/count';
import type {
  AnswerFormat,
  ChatMessage,
  FunctionTool,
  ChatSetup,
  ParamName,
  ParamValues,
  Role,
  ToolCall,
} from '../chat/types';
import type { ModelInfo } from '../models/types';
import { chatDraftRecord, runRecord, type ChatDraft, type ChatRunRecord, type RecordStore } from '../storage';
import { ChatRun } from './chat-run.svelte';
import { saveOnChange } from './autosave.svelte';
import type { ConnectionState } from './connection.svelte';
import type { ToolsState } from './tools.svelte';

type Runner = typeof ChatRunner;

/** The lazy boundary of the chat: the SDK, the run loop and the catalog load on first use. */
const loadRunner = (): Promise<Runner> => import('../api/chat-runner');

/** A cheap model for first steps that takes every sampling parameter. */
export const DEFAULT_MODEL = 'gpt-4o-mini';

export const DEFAULT_DRAFT: Readonly<ChatDraft> = Object.freeze({
  model: DEFAULT_MODEL,
  systemPrompt: '',
  messages: [],
  params: {},
  stream: true,
  stallSeconds: 30,
  maxRetries: 2,
  composer: '',
  composerRole: 'user',
});

/**
 * The chat playground: the conversation, the parameters, and the run in progress. Everything but the
 * run is saved as it changes; every run that ends is saved as a record of its own.
 */
export class ChatState {
  model = $state(DEFAULT_DRAFT.model);
  systemPrompt = $state(DEFAULT_DRAFT.systemPrompt);
  messages = $state.raw<ChatMessage[]>([]);
  params = $state.raw<ParamValues>({});
  stream = $state(DEFAULT_DRAFT.stream);
  stallSeconds = $state(DEFAULT_DRAFT.stallSeconds);
  maxRetries = $state(DEFAULT_DRAFT.maxRetries);
  composer = $state('');
  composerRole = $state<Role>('user');

  /** The latest run; it stays after it ends, for its details and the inspector. */
  run = $state.raw<ChatRun | null>(null);
  /** The assistant message the latest run produced, once it ended. */
  runMessageId = $state<string | null>(null);
  /** The saved record shown in the inspector. */
  inspected = $state.raw<ChatRunRecord | null>(null);
  /** Why the last Send could not go out (shown next to the controls at fault). */
  setupProblems = $state.raw<{ field: string; message: string }[]>([]);
  /** The control the last run's error points at (a 400's `param`, a model not found). */
  problemField = $state.raw<FieldRef | null>(null);

  /** Set once the user turns to the chat: from then on the SDK, the catalog and the tokenizer may load. */
  activated = $state(false);
  /** The results typed (or produced by a mock) for the pending tool calls, by call id. */
  toolResults = $state.raw<Record<string, string>>({});

  readonly tools: ToolsState;
  #store: RecordStore;
  #connection: ConnectionState;
  #afterRun: ((ended: { end: string; auto: boolean }) => Promise<void>) | null = null;
  #loopTag: { id: string; step: number } | null = null;
  #onSaved: ((record: ChatRunRecord) => void) | null = null;
  #describe = $state.raw<((id: string) => ModelInfo) | null>(null);
  #sending = $state(false);
  /** Set while work outside a run continues the conversation (the tool loop's mocks): how to stop it. */
  #hold = $state.raw<(() => void) | null>(null);

  constructor(
    store: RecordStore,
    connection: ConnectionState,
    tools: ToolsState,
    draft: ChatDraft = DEFAULT_DRAFT,
  ) {
    this.#store = store;
    this.#connection = connection;
    this.tools = tools;
    this.model = draft.model;
    this.systemPrompt = draft.systemPrompt;
    this.messages = draft.messages;
    this.params = draft.params;
    this.stream = draft.stream;
    this.stallSeconds = draft.stallSeconds;
    this.maxRetries = draft.maxRetries;
    this.composer = draft.composer;
    this.composerRole = draft.composerRole;
  }

  /** Loads the saved draft, or starts empty when there is none or it cannot be read. */
  static async load(store: RecordStore, connection: ConnectionState, tools: ToolsState): Promise<ChatState> {
    return new ChatState(store, connection, tools, (await store.get(chatDraftRecord)) ?? DEFAULT_DRAFT);
  }

  /** What the catalog (or the connection) knows about the chosen model; null until it has loaded. */
  readonly modelInfo: ModelInfo | null = $derived.by(() => {
    const id = this.model.trim();
    return this.#connection.models.find((m) => m.id === id) ?? this.#describe?.(id) ?? null;
  });

  get setup(): ChatSetup {
    return {
      model: this.model,
      systemPrompt: this.systemPrompt,
      messages: this.messages,
      params: this.params,
      stream: this.stream,
      ...(this.tools.setup && { tools: this.tools.setup }),
      ...(this.params.response_format === 'json_schema' && { schema: this.tools.schema }),
    };
  }

  /** The request the next Send would make, or why it cannot be sent. */
  readonly request: BuiltRequest = $derived(buildChatRequest(this.setup, this.modelInfo));

  /** True from Send until the run ends, including while the code that sends loads. */
  get running(): boolean {
    return this.#sending || this.#hold !== null || (this.run?.running ?? false);
  }

  /**
   * Holds the conversation as if a run were on its way (edits and Send wait; Stop shows) while something
   * else works for it, e.g. the mocks of an auto-run step; `stop` is what Stop then calls. null releases it.
   */
  holdFor = (stop: (() => void) | null): void => {
    this.#hold = stop;
  };

  /** The messages the prompt-token count covers: the conversation plus the message being written. */
  get promptMessages(): PromptMessage[] {
    const list: PromptMessage[] = this.systemPrompt.trim()
      ? [{ role: 'system', content: this.systemPrompt }]
      : [];
    // The messages as the request sends them (tool calls and results included).
    for (const m of this.messages) list.push(messageParam(m) as PromptMessage);
    if (this.composer.trim()) list.push({ role: this.composerRole, content: this.composer });
    return list;
  }

  /** The tools and tool choice the prompt-token count includes (the enabled tools that parse). */
  get promptTools(): { tools: FunctionTool[]; choice: PromptToolChoice | undefined } {
    const setup = this.tools.setup;
    const choice = setup?.choice;
    return {
      tools: setup?.tools.flatMap((e) => (e.ok ? [e.tool] : [])) ?? [],
      choice: typeof choice === 'object' ? { type: 'function', function: { name: choice.function } } : choice,
    };
  }

  snapshot(): ChatDraft {
    return {
      model: this.model,
      systemPrompt: this.systemPrompt,
      params: this.params,
      stream: this.stream,
      messages: this.messages,
      stallSeconds: this.stallSeconds,
      maxRetries: this.maxRetries,
      composer: this.composer,
      composerRole: this.composerRole,
    };
  }

  /** Saves every change as it happens (see `saveOnChange` for why there is no debounce). */
  autosave = (): (() => void) =>
    saveOnChange(
      () => this.snapshot(),
      (draft) => this.#store.put(chatDraftRecord, draft),
    );

  /** True when a saved draft holds anything worth counting and checking at once. */
  get hasContent(): boolean {
    return this.messages.length > 0 || this.systemPrompt.trim() !== '' || this.composer.trim() !== '';
  }

  /**
   * Replaces the playground's conversation and parameters (opening a saved run or a shared link). Refused
   * while an answer is on its way; returns whether it happened.
   */
  restore = (
    setup: Pick<ChatDraft, 'model' | 'systemPrompt' | 'messages' | 'params' | 'stream'>,
  ): boolean => {
    if (this.running) return false;
    this.model = setup.model;
    this.systemPrompt = setup.systemPrompt;
    this.messages = setup.messages;
    this.params = setup.params;
    this.stream = setup.stream;
    this.composer = '';
    this.toolResults = {};
    this.setupProblems = [];
    this.problemField = null;
    this.run = null;
    this.runMessageId = null;
    return true;
  };

  /** Loads the catalog and the SDK in the background, once the user turns to the chat. */
  activate = (): void => {
    if (this.activated) return;
    this.activated = true;
    loadRunner().then(
      (runner) => (this.#describe = runner.describeModel),
      // A failure shows when the user sends; nothing to do before that.
      () => undefined,
    );
    // The answer's renderer, so the first chunk does not wait for it (a failure shows in place).
    loadMarkdown().catch(() => undefined);
  };

  // While an answer is on its way the conversation it answers is fixed: an edit would put the
  // answer after the wrong message and point errors at the wrong turn.
  addMessage = (role: Role, content: string): string | null => {
    if (this.running) return null;
    const id = newId();
    this.messages = [...this.messages, { id, role, content }];
    return id;
  };

  updateMessage = (id: string, patch: Partial<Pick<ChatMessage, 'role' | 'content'>>): void => {
    if (this.running) return;
    this.messages = this.messages.map((m) => (m.id === id ? { ...m, ...patch } : m));
  };

  deleteMessage = (id: string): void => {
    if (this.running) return;
    this.messages = this.messages.filter((m) => m.id !== id);
  };

  /** Moves a message up (−1) or down (+1). */
  moveMessage = (id: string, by: -1 | 1): void => {
    const from = this.messages.findIndex((m) => m.id === id);
    const to = from + by;
    if (this.running || from < 0 || to < 0 || to >= this.messages.length) return;
    const next = [...this.messages];
    [next[from], next[to]] = [next[to]!, next[from]!];
    this.messages = next;
  };

  /** Makes another of an answer's n choices the one the conversation continues from. */
  selectChoice = (id: string, choice: number): void => {
    if (this.running) return;
    this.messages = this.messages.map((m) =>
      m.id === id && m.answer && choice < m.answer.choices.length
        ? {
            ...m,
            content: m.answer.choices[choice]!,
            answer: { ...m.answer, choice },
            // Each choice continues with its own calls (none for a choice that answered in text).
            ...(m.answer.choiceToolCalls && { toolCalls: m.answer.choiceToolCalls[choice] ?? [] }),
          }
        : m,
    );
  };

  setParam = <K extends ParamName>(name: K, value: ParamValues[K]): void => {
    this.params = { ...this.params, [name]: value };
  };

  /** Back to the API's default: the parameter is no longer sent. */
  resetParam = (name: ParamName): void => {
    const { [name]: _removed, ...rest } = this.params;
    this.params = rest;
  };

  /** Whether the last message is an answer that Regenerate may replace (never one the user wrote). */
  get canRegenerate(): boolean {
    return !this.running && this.messages.at(-1)?.answer !== undefined;
  }

  /** Adds the message being written (if any) and sends the conversation. */
  send = async (): Promise<void> => {
    if (this.running) return;
    if (this.composer.trim()) {
      this.addMessage(this.composerRole, this.composer);
      this.composer = '';
    }
    await this.#execute();
  };

  /** Asks again for the last answer, which is replaced. */
  regenerate = async (): Promise<void> => {
    if (!this.canRegenerate) return;
    this.messages = this.messages.slice(0, -1);
    await this.#execute();
  };

  /** After a run broke off or failed: drops its partial answer and asks again. */
  retry = async (): Promise<void> => {
    if (this.running) return;
    if (this.runMessageId) this.deleteMessage(this.runMessageId);
    await this.#execute();
  };

  stop = (): void => {
    this.#hold?.();
    this.run?.stop();
  };

  /**
   * The calls of the last assistant message that made calls and have no result yet. The API wants
   * one `tool` message per call right after the message that made them.
   */
  readonly pendingToolCalls: ToolCall[] = $derived.by(() => {
    const index = this.messages.findLastIndex((m) => m.role === 'assistant' && m.toolCalls?.length);
    if (index < 0) return [];
    const answered = this.messages.slice(index + 1).map((m) => m.toolCallId);
    return (this.messages[index]!.toolCalls ?? []).filter((c) => !answered.includes(c.id));
  });

  setToolResult = (callId: string, text: string): void => {
    this.toolResults = { ...this.toolResults, [callId]: text };
  };

  /** Why the pending calls cannot be answered yet (a result missing), or null. */
  get toolResultsProblem(): string | null {
    const missing = this.pendingToolCalls.filter((c) => (this.toolResults[c.id] ?? '').trim() === '');
    if (missing.length === 0) return null;
    return `Type the result of ${missing.map((c) => c.name).join(', ')} (or run its mock); a tool that returns nothing can answer "{}".`;
  }

  /**
   * Adds one `tool` message per pending call, with the result given for it, and sends the conversation.
   * `loop` tags the run as a step of an auto-run loop. Resolves to why nothing was sent, or null.
   */
  submitToolResults = async (loop?: { id: string; step: number }): Promise<string | null> => {
    const calls = this.pendingToolCalls;
    if (calls.length === 0) return 'No tool call is waiting for its result.';
    if (this.running) return 'A request is already on its way.';
    if (this.toolResultsProblem) return this.toolResultsProblem;
    const results = calls.map((c) => ({
      id: newId(),
      role: 'tool' as const,
      toolCallId: c.id,
      content: this.toolResults[c.id] ?? '',
    }));
    this.messages = [...this.messages, ...results];
    const { ...rest } = this.toolResults;
    for (const c of calls) delete rest[c.id];
    this.toolResults = rest;
    this.#loopTag = loop ?? null;
    const started = await this.#execute(loop !== undefined);
    return started ? null : (this.setupProblems[0]?.message ?? 'The request could not be sent.');
  };

  /** Called with every run once it is saved (the history indexes it). */
  onRunSaved(listener: (record: ChatRunRecord) => void): void {
    this.#onSaved = listener;
  }

  /** Called after every run ends (the tool loop continues the conversation from there). */
  onRunEnd(listener: (ended: { end: string; auto: boolean }) => Promise<void>): void {
    this.#afterRun = listener;
  }

  /** Shows a saved run in the inspector. */
  inspect = async (runId: string): Promise<void> => {
    this.inspected = (await this.#store.get(runRecord, runId)) ?? null;
  };

  /** Builds and sends the request; resolves to whether a run started. */
  async #execute(auto = false): Promise<boolean> {
    if (this.#sending) return false;
    this.#sending = true;
    const before = this.run;
    try {
      await this.#send();
    } finally {
      this.#sending = false;
      this.#loopTag = null;
    }
    // Only a run this call started (a setup problem starts none).
    const run = this.run;
    if (!run || run === before) return false;
    if (!run.running) await this.#afterRun?.({ end: run.status, auto });
    return true;
  }

  async #send(): Promise<void> {
    this.activated = true;
    // Tools and a JSON schema are parsed by the kit: the request cannot be judged before it is there.
    if (this.tools.inUse || this.params.response_format === 'json_schema') {
      try {
        await this.tools.ready();
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.setupProblems = [
          {
            field: 'messages',
            message: `The code that checks tools and schemas could not be loaded (${why}). Check your network connection and reload the page.`,
          },
        ];
        return;
      }
    }
    const first = this.request;
    if (!first.ok) {
      this.setupProblems = first.problems;
      return;
    }
    const request = this.#connection.requestConfig();
    let runner: Runner | null = null;
    let failure: ApiProblem | null = request.ok ? null : request.problem;
    if (!failure) {
      try {
        runner = await loadRunner();
        // The model's rules come from the catalog: the request is built with them, never without.
        this.#describe ??= runner.describeModel;
      } catch (err) {
        failure = loadProblem(err);
      }
    }
    const built = this.request;
    if (!built.ok) {
      this.setupProblems = built.problems;
      return;
    }
    this.setupProblems = [];
    this.problemField = null;
    const run = new ChatRun(newId(), built.body, built.leftOut);
    const model = this.modelInfo;
    const sent: SentParts = {
      systemPrompt: this.systemPrompt.trim() !== '',
      messages: this.messages,
      tools: (built.body.tools ?? []).flatMap((t, i) => {
        const entry = this.tools.setup?.tools.filter((e) => e.ok)[i];
        return entry && t.type === 'function' ? [{ id: entry.id, name: t.function.name }] : [];
      }),
      schema: built.body.response_format?.type === 'json_schema',
    };
    const loop = this.#loopTag;
    this.run = run;
    this.runMessageId = null;
    if (failure || !runner || !request.ok) {
      return this.#finish(run, failedOutcome(failure ?? loadProblem('')), { runner, model, sent, loop });
    }

    const { config, check } = request;
    let outcome: RunOutcome;
    try {
      outcome = await runner.runChat(runner.createClient({ ...config, maxRetries: 0 }), run.body, {
        signal: run.controller.signal,
        stallMs: this.stallSeconds * 1000,
        maxRetries: this.maxRetries,
        errorContext: {
          baseURL: config.baseURL,
          path: '/chat/completions',
          organization: config.organization,
          project: config.project,
        },
        network: { pageOrigin: this.#connection.pageOrigin, likelyServer: check.likelyServer },
        events: run.events,
      });
    } catch (err) {
      // runChat does not throw; if something under it ever does, the run must still end.
      outcome = failedOutcome(unexpectedProblem(err));
    }
    this.#finish(run, redactOutcome(outcome, config.apiKey), {
      runner,
      model,
      sent,
      baseURL: config.baseURL,
      loop,
    });
  }

  #finish(
    run: ChatRun,
    outcome: RunOutcome,
    at: {
      runner: Runner | null;
      /** The model as it was when the request was sent (the picker may have changed since). */
      model: ModelInfo | null;
      sent: SentParts;
      baseURL?: string;
      loop?: { id: string; step: number } | null;
    },
  ): void {
    const problem = outcome.problem;
    const ref =
      problem?.field === 'model'
        ? fieldForParam('model', { systemPrompt: false, messages: [] })
        : fieldForParam(problem?.param, at.sent);
    if (problem && ref) {
      this.problemField = ref;
      this.setupProblems = [{ field: ref.field, message: problem.apiMessage ?? problem.cause }];
    }
    const modelId = String(run.body.model);
    const model = at.model ?? at.runner?.describeModel(modelId) ?? null;
    const metrics =
      at.runner?.measureAnswer(
        {
          assembled: outcome.assembled,
          timings: outcome.timings,
          requestId: outcome.requestId,
          attempts: outcome.attempts,
          chunkCount: outcome.chunks.length,
          visibleChunks: outcome.visibleChunks,
          streamed: run.body.stream === true,
        },
        model,
      ) ?? null;
    run.settle(outcome, metrics);
    const choices = outcome.assembled.choices;
    const perChoice: ToolCall[][] = choices.map((choice) =>
      choice.toolCalls.map((c) => ({
        // A server that sends no call id still needs one: the result must name its call.
        id: c.id ?? `call_${newId()}`,
        name: c.name,
        arguments: c.arguments,
      })),
    );
    const calls = perChoice[0] ?? [];
    if (metrics && (calls.length || choices.some((c) => c.content || c.refusal))) {
      const id = newId();
      const answer = {
        runId: run.id,
        choices: choices.map((c) => c.content),
        choice: 0,
        end: outcome.end,
        refusal: choices[0]?.refusal ?? null,
        metrics,
        ...answerFormat(run.body),
        ...(perChoice.length > 1 && perChoice.some((c) => c.length) && { choiceToolCalls: perChoice }),
      };
      this.messages = [
        ...this.messages,
        {
          id,
          role: 'assistant',
          content: answer.choices[0] ?? '',
          answer,
          ...(calls.length && { toolCalls: calls }),
        },
      ];
      this.runMessageId = id;
    }
    if (!metrics) return;
    const record: ChatRunRecord = {
      id: run.id,
      kind: 'chat',
      createdAt: run.startedAt,
      finishedAt: Date.now(),
      baseURL: at.baseURL ?? '',
      model: modelId,
      request: run.body as unknown as Record<string, unknown>,
      leftOut: [...run.leftOut],
      end: outcome.end,
      problem: problem ? storedProblem(problem) : null,
      choices: choices.map((c) => ({
        index: c.index,
        content: c.content,
        refusal: c.refusal,
        finishReason: c.finishReason,
        ...(c.toolCalls.length && {
          toolCalls: c.toolCalls.map((t) => ({ id: t.id, name: t.name, arguments: t.arguments })),
        }),
      })),
      ...(at.loop && { loop: at.loop }),
      metrics,
      chunks: outcome.chunks,
      response: outcome.response,
    };
    this.inspected = record;
    void this.#store.put(runRecord, record, run.id).then(() => this.#onSaved?.(record));
  }
}

/** The JSON format a request asked for, kept with its answer so the answer can be checked. */
function answerFormat(body: ChatRun['body']): { format?: AnswerFormat } {
  const format = body.response_format;
  if (format?.type === 'json_object') return { format: { type: 'json_object' } };
  if (format?.type === 'json_schema') {
    const { name, schema } = format.json_schema;
    return { format: { type: 'json_schema', name, schema: (schema ?? {}) as Record<string, unknown> } };
  }
  return {};
}

function unexpectedProblem(err: unknown): ApiProblem {
  return {
    kind: 'unexpected',
    field: 'request',
    title: 'Something went wrong',
    cause: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    fix: 'Try again; if it keeps happening, reload the page.',
  };
}

/**
 * A server that echoes the Authorization header in an error (some proxies do) must not get the key
 * into the page or a saved run: every text of the problem is scrubbed of it.
 */
function redactOutcome(outcome: RunOutcome, apiKey: string): RunOutcome {
  const problem = outcome.problem;
  if (!problem || apiKey.length < 4) return outcome;
  const scrub = (text: string) => text.split(apiKey).join('[API key]');
  return {
    ...outcome,
    problem: {
      ...problem,
      title: scrub(problem.title),
      cause: scrub(problem.cause),
      fix: scrub(problem.fix),
      ...(problem.apiMessage !== undefined && { apiMessage: scrub(problem.apiMessage) }),
    },
  };
}

function loadProblem(err: unknown): ApiProblem {
  return {
    kind: 'unexpected',
    field: 'request',
    title: 'Part of Sandpit failed to load',
    cause: `The code that sends requests could not be loaded (${err instanceof Error ? err.message : String(err)}).`,
    fix: 'Check your network connection and reload the page.',
  };
}

/** A run that never reached the network. */
function failedOutcome(problem: ApiProblem): RunOutcome {
  return {
    end: 'failed',
    problem,
    retryCancelled: false,
    requestId: null,
    attempts: 0,
    waitedMs: 0,
    timings: { responseMs: null, firstChunkMs: null, firstTokenMs: null, totalMs: 0 },
    chunks: [],
    visibleChunks: 0,
    response: null,
    assembled: {
      id: null,
      model: null,
      systemFingerprint: null,
      serviceTier: null,
      choices: [],
      usage: null,
    },
  };
}

/** The parts of a problem worth keeping with a run. */
function storedProblem(p: ApiProblem): NonNullable<ChatRunRecord['problem']> {
  return {
    kind: p.kind,
    title: p.title,
    cause: p.cause,
    fix: p.fix,
    ...(p.status !== undefined && { status: p.status }),
    ...(p.code !== undefined && { code: p.code }),
    ...(p.param !== undefined && { param: p.param }),
    ...(p.requestId !== undefined && { requestId: p.requestId }),
    ...(p.apiMessage !== undefined && { apiMessage: p.apiMessage }),
  };
}
