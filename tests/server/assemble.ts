/** A streamed chunk as recorded; fields are optional because Azure's first chunk lacks most of them. */
interface Chunk {
  id?: string;
  created?: number;
  model?: string;
  service_tier?: string | null;
  system_fingerprint?: string | null;
  choices?: ChunkChoice[];
  usage?: object | null;
}

interface ChunkChoice {
  index: number;
  delta?: {
    role?: string;
    content?: string | null;
    refusal?: string | null;
    tool_calls?: {
      index: number;
      id?: string;
      type?: string;
      function?: { name?: string; arguments?: string };
    }[];
  };
  logprobs?: { content?: unknown[] | null; refusal?: unknown[] | null } | null;
  finish_reason?: string | null;
}

interface ToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

interface ChoiceState {
  content: string | null;
  refusal: string | null;
  toolCalls: Map<number, ToolCall>;
  logContent: unknown[] | null;
  logRefusal: unknown[] | null;
  sawLogprobs: boolean;
  finishReason: string | null;
}

/**
 * Builds the `chat.completion` a non-streaming request would have received, from a recorded stream:
 * deltas concatenated per choice, tool call pieces joined by index, the last non-null usage kept
 * (a trailing `usage: null` chunk does not erase it), empty ids and models of Azure's first chunk skipped.
 */
export function assembleCompletion(payloads: unknown[]): object {
  const chunks = payloads as Chunk[];
  const states = new Map<number, ChoiceState>();
  let usage: object | null = null;
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      let state = states.get(choice.index);
      if (!state) {
        state = {
          content: null,
          refusal: null,
          toolCalls: new Map(),
          logContent: null,
          logRefusal: null,
          sawLogprobs: false,
          finishReason: null,
        };
        states.set(choice.index, state);
      }
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string') state.content = (state.content ?? '') + delta.content;
      if (typeof delta.refusal === 'string') state.refusal = (state.refusal ?? '') + delta.refusal;
      for (const call of delta.tool_calls ?? []) {
        const existing = state.toolCalls.get(call.index);
        if (existing) {
          existing.function.arguments += call.function?.arguments ?? '';
        } else {
          state.toolCalls.set(call.index, {
            id: call.id ?? '',
            type: call.type ?? 'function',
            function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
          });
        }
      }
      if (choice.logprobs) {
        state.sawLogprobs = true;
        if (choice.logprobs.content)
          state.logContent = [...(state.logContent ?? []), ...choice.logprobs.content];
        if (choice.logprobs.refusal)
          state.logRefusal = [...(state.logRefusal ?? []), ...choice.logprobs.refusal];
      }
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
    }
  }
  const first = <K extends keyof Chunk>(key: K): Chunk[K] | undefined =>
    chunks.find((c) => c[key] !== undefined && c[key] !== '' && c[key] !== 0)?.[key];
  const serviceTier = first('service_tier');
  const choices = [...states.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, state]) => {
      const toolCalls = [...state.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
      // The real API leaves `content` empty-but-present as "" only when text was streamed; a refusal or tool call answer has null.
      const content =
        state.content === '' && (state.refusal !== null || toolCalls.length > 0) ? null : state.content;
      return {
        index,
        message: {
          role: 'assistant',
          content,
          refusal: state.refusal,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          annotations: [],
        },
        logprobs: state.sawLogprobs ? { content: state.logContent, refusal: state.logRefusal } : null,
        finish_reason: state.finishReason,
      };
    });
  return {
    id: first('id') ?? '',
    object: 'chat.completion',
    created: first('created') ?? 0,
    model: first('model') ?? '',
    choices,
    usage,
    ...(serviceTier !== undefined ? { service_tier: serviceTier } : {}),
    system_fingerprint: chunks.find((c) => c.system_fingerprint !== undefined)?.system_fingerprint ?? null,
  };
}
