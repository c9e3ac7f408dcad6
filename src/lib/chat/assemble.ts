import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Usage } from '../models/types';

/** The usage object as the API reports it, with the details the answer view shows. */
export interface ReportedUsage extends Usage {
  total_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/** A tool call as far as it has arrived; `arguments` may still be incomplete JSON. */
export interface AssembledToolCall {
  index: number;
  id: string | null;
  name: string;
  arguments: string;
}

/** One choice, assembled from its deltas. */
export interface AssembledChoice {
  index: number;
  content: string;
  refusal: string | null;
  finishReason: string | null;
  toolCalls: AssembledToolCall[];
}

/** A whole answer: the choices, and what the API said about it. */
export interface Assembled {
  id: string | null;
  model: string | null;
  systemFingerprint: string | null;
  serviceTier: string | null;
  choices: AssembledChoice[];
  usage: ReportedUsage | null;
}

/**
 * Puts a streamed answer together, chunk by chunk. It keeps the usage of the usage chunk even when a
 * later chunk says `usage: null` (gpt-5 sends one; openai-node's own stream helper loses the usage
 * there), tolerates Azure's first chunk with no choices and empty ids, and never re-reads earlier text.
 */
export class ChatAssembler {
  #choices = new Map<number, AssembledChoice>();
  #id: string | null = null;
  #model: string | null = null;
  #fingerprint: string | null = null;
  #tier: string | null = null;
  #usage: ReportedUsage | null = null;

  /** Adds one chunk; returns true if it carried any text, refusal or tool-call delta. */
  add(chunk: ChatCompletionChunk): boolean {
    if (chunk.id) this.#id = chunk.id;
    if (chunk.model) this.#model = chunk.model;
    if (chunk.system_fingerprint) this.#fingerprint = chunk.system_fingerprint;
    if (chunk.service_tier) this.#tier = chunk.service_tier;
    if (chunk.usage) this.#usage = chunk.usage as ReportedUsage;
    let visible = false;
    for (const c of chunk.choices ?? []) {
      const choice = this.#choice(c.index ?? 0);
      const delta = c.delta ?? {};
      if (typeof delta.content === 'string' && delta.content) {
        choice.content += delta.content;
        visible = true;
      }
      if (typeof delta.refusal === 'string' && delta.refusal) {
        choice.refusal = (choice.refusal ?? '') + delta.refusal;
        visible = true;
      }
      for (const call of delta.tool_calls ?? []) {
        let slot = choice.toolCalls.find((t) => t.index === call.index);
        if (!slot) {
          slot = { index: call.index, id: null, name: '', arguments: '' };
          choice.toolCalls.push(slot);
        }
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.name += call.function.name;
        if (call.function?.arguments) slot.arguments += call.function.arguments;
        visible = true;
      }
      if (c.finish_reason) choice.finishReason = c.finish_reason;
    }
    return visible;
  }

  /** Reads a whole (non-streamed) completion. */
  addCompletion(completion: ChatCompletion): void {
    this.#id = completion.id || null;
    this.#model = completion.model || null;
    this.#fingerprint = completion.system_fingerprint ?? null;
    this.#tier = completion.service_tier ?? null;
    this.#usage = (completion.usage as ReportedUsage | undefined) ?? null;
    for (const c of completion.choices ?? []) {
      const choice = this.#choice(c.index ?? 0);
      choice.content = c.message?.content ?? '';
      choice.refusal = c.message?.refusal ?? null;
      choice.finishReason = c.finish_reason ?? null;
      choice.toolCalls = (c.message?.tool_calls ?? []).flatMap((t, index) =>
        t.type === 'function'
          ? [{ index, id: t.id, name: t.function.name, arguments: t.function.arguments }]
          : [],
      );
    }
  }

  /** The text of one choice so far ('' before it starts). */
  text(index: number): string {
    return this.#choices.get(index)?.content ?? '';
  }

  /** A snapshot: plain objects, safe to store or hand to the UI. */
  result(): Assembled {
    return {
      id: this.#id,
      model: this.#model,
      systemFingerprint: this.#fingerprint,
      serviceTier: this.#tier,
      usage: this.#usage,
      choices: [...this.#choices.values()]
        .sort((a, b) => a.index - b.index)
        .map((c) => ({ ...c, toolCalls: c.toolCalls.map((t) => ({ ...t })) })),
    };
  }

  #choice(index: number): AssembledChoice {
    let choice = this.#choices.get(index);
    if (!choice) {
      choice = { index, content: '', refusal: null, finishReason: null, toolCalls: [] };
      this.#choices.set(index, choice);
    }
    return choice;
  }
}
