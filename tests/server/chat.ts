import { createHash, randomBytes } from 'node:crypto';
import { isGpt5Family, snapshotOf } from './models.ts';

/** The parts of a chat request the generated answer depends on (the body is schema-checked before). */
export interface ChatRequestBody {
  model: string;
  messages: { role: string; content?: unknown }[];
  n?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stop?: string | string[] | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean; include_obfuscation?: boolean } | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  service_tier?: string | null;
  temperature?: number | null;
}

/** The usage object of current API answers, details included. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** What every choice says, cut into the pieces it streams as. */
export interface ChatPlan {
  choices: { pieces: string[]; finishReason: 'stop' | 'length' }[];
  usage: Usage;
}

/** The answer when the conversation has no user text to echo. */
export const FALLBACK_ANSWER =
  '**Hello from Sandpit!** This answer comes from the local test server.\n\n- It is deterministic.\n- It streams word by word.';

/**
 * Cuts text into the pieces a model would stream: each word with the whitespace before it,
 * so that concatenating them gives the text back exactly. One piece counts as one token here.
 */
export function splitPieces(text: string): string[] {
  const pieces: string[] = [...(text.match(/\s*\S+/g) ?? [])];
  const rest = text.slice(pieces.join('').length);
  if (rest) {
    if (pieces.length > 0) pieces[pieces.length - 1] += rest;
    else pieces.push(rest);
  }
  return pieces;
}

/** Approximate token count shared by prompts, answers and embeddings inputs: one per word. */
export function countTokens(text: string): number {
  return (text.match(/\s*\S+/g) ?? []).length;
}

/** The text of a message's content, whether a string or an array of parts. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string'
        ? part.text
        : '',
    )
    .filter(Boolean)
    .join('\n');
}

/** `You said: <last user text>`, or a fixed Markdown answer when there is none. */
export function answerFor(body: ChatRequestBody): string {
  const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
  const text = lastUser ? messageText(lastUser.content).trim() : '';
  return text ? `You said: ${text}` : FALLBACK_ANSWER;
}

/** A usage object with every detail the API reports, the counts consistent with each other. */
export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/**
 * Decides every choice's text and finish reason. Choices after the first say which alternative they are,
 * so a test can tell them apart; `stop` cuts before the first stop sequence and the token limit
 * cuts after that many pieces with `finish_reason: 'length'`.
 */
export function planChat(body: ChatRequestBody): ChatPlan {
  const n = body.n ?? 1;
  const limit = body.max_completion_tokens ?? body.max_tokens ?? Infinity;
  const stops = body.stop == null ? [] : Array.isArray(body.stop) ? body.stop : [body.stop];
  const answer = answerFor(body);
  const choices = Array.from({ length: n }, (_, i) => {
    let text = i === 0 ? answer : `${answer} (alternative ${i})`;
    for (const stop of stops) {
      const at = stop ? text.indexOf(stop) : -1;
      if (at !== -1) text = text.slice(0, at);
    }
    const pieces = splitPieces(text);
    return pieces.length > limit
      ? { pieces: pieces.slice(0, limit), finishReason: 'length' as const }
      : { pieces, finishReason: 'stop' as const };
  });
  // Each message costs a few tokens of framing on the real API too, and the reply is primed with 3.
  const promptTokens = body.messages.reduce((sum, m) => sum + 3 + countTokens(messageText(m.content)), 3);
  const completionTokens = choices.reduce((sum, c) => sum + c.pieces.length, 0);
  return { choices, usage: usageOf(promptTokens, completionTokens) };
}

/** Fields shared by every chunk of one answer and by its non-streamed twin. */
export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
  serviceTier: string;
  systemFingerprint: string | null;
  /** gpt-5 answers carry no `logprobs` key unless asked for. */
  omitLogprobsKey: boolean;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomId(length: number): string {
  return [...randomBytes(length)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

/** A fresh id and timestamp, and the model, tier and fingerprint the API would report for this request. */
export function completionMeta(body: ChatRequestBody): CompletionMeta {
  const gpt5 = isGpt5Family(body.model);
  const fingerprint = createHash('sha256').update(body.model).digest('hex').slice(0, 10);
  return {
    id: `chatcmpl-${randomId(29)}`,
    created: Math.floor(Date.now() / 1000),
    model: snapshotOf(body.model),
    serviceTier: body.service_tier && body.service_tier !== 'auto' ? body.service_tier : 'default',
    systemFingerprint: gpt5 ? null : `fp_${fingerprint}`,
    omitLogprobsKey: gpt5 && !body.logprobs,
  };
}

interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

const ALTERNATIVES = [' the', ' a', ' and', ' of', ' to', ' in', ' it', ' is', ' that', ' for'];

/** Plausible, deterministic log probabilities: the chosen piece is likely, the alternatives less so. */
function logprobOf(piece: string, topLogprobs: number): TokenLogprob {
  const hash = createHash('sha256').update(piece).digest();
  const logprob = -((hash.readUInt16BE(0) % 5000) / 10000);
  const entry = (token: string, value: number) => ({ token, logprob: value, bytes: [...Buffer.from(token)] });
  const others = ALTERNATIVES.filter((t) => t !== piece).slice(0, Math.max(0, topLogprobs - 1));
  return {
    ...entry(piece, logprob),
    top_logprobs:
      topLogprobs > 0
        ? [entry(piece, logprob), ...others.map((t, i) => entry(t, logprob - 2 - i * 1.5))]
        : [],
  };
}

function obfuscation(seed: number): string {
  const length = 2 + ((seed * 7919) % 14);
  return Array.from({ length }, (_, i) => ID_ALPHABET[(seed * 31 + i * 17) % ID_ALPHABET.length]).join('');
}

/**
 * The chunks of a streamed answer, shaped like recorded gpt-4o chunks: a role chunk per choice,
 * one piece per chunk with the choices interleaved round-robin (as `n: 3` streams are), a finish
 * chunk with an empty delta, and with `include_usage` a `usage: null` on each chunk plus a final
 * usage chunk whose `choices` is empty.
 */
export function chatChunks(body: ChatRequestBody, plan: ChatPlan, meta: CompletionMeta): object[] {
  const includeUsage = body.stream_options?.include_usage === true;
  const obfuscate = body.stream_options?.include_obfuscation !== false;
  const chunks: object[] = [];
  const chunk = (choices: object[], usage?: Usage) => {
    chunks.push({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      service_tier: meta.serviceTier,
      system_fingerprint: meta.systemFingerprint,
      choices,
      ...(includeUsage ? { usage: usage ?? null } : {}),
      ...(obfuscate ? { obfuscation: obfuscation(chunks.length + 1) } : {}),
    });
  };
  const choice = (index: number, delta: object, logprobs: object | null, finishReason: string | null) => ({
    index,
    delta,
    ...(meta.omitLogprobsKey ? {} : { logprobs }),
    finish_reason: finishReason,
  });
  const wantLogprobs = body.logprobs === true;
  const top = body.top_logprobs ?? 0;
  const rounds = Math.max(...plan.choices.map((c) => c.pieces.length));
  for (let round = 0; round <= rounds; round += 1) {
    plan.choices.forEach((c, index) => {
      if (round === 0) {
        chunk([
          choice(
            index,
            { role: 'assistant', content: '', refusal: null },
            wantLogprobs ? { content: [], refusal: null } : null,
            null,
          ),
        ]);
      }
      const piece = c.pieces[round];
      if (piece !== undefined) {
        const logprobs = wantLogprobs ? { content: [logprobOf(piece, top)], refusal: null } : null;
        chunk([choice(index, { content: piece }, logprobs, null)]);
      } else if (round === c.pieces.length) {
        chunk([choice(index, {}, null, c.finishReason)]);
      }
    });
  }
  if (includeUsage) chunk([], plan.usage);
  return chunks;
}

/** The non-streamed `chat.completion` of the same plan. */
export function chatCompletion(body: ChatRequestBody, plan: ChatPlan, meta: CompletionMeta): object {
  const top = body.top_logprobs ?? 0;
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: plan.choices.map((c, index) => ({
      index,
      message: { role: 'assistant', content: c.pieces.join(''), refusal: null, annotations: [] },
      logprobs: body.logprobs ? { content: c.pieces.map((p) => logprobOf(p, top)), refusal: null } : null,
      finish_reason: c.finishReason,
    })),
    usage: plan.usage,
    service_tier: meta.serviceTier,
    system_fingerprint: meta.systemFingerprint,
  };
}
