/**
 * Prompt-token counting, independent of any tokenizer: the caller passes the function that counts the
 * tokens of one string (the worker passes gpt-tokenizer's, tests may pass anything).
 */

/** One chat message as far as its prompt tokens go. */
export interface PromptMessage {
  role: string;
  content: string;
  name?: string;
}

/** The number of tokens of one string under some encoding. */
export type CountText = (text: string) => number;

/**
 * What Chat Completions adds around the messages (OpenAI cookbook, "How to count tokens with tiktoken", for
 * gpt-3.5-turbo-0613 and later, gpt-4, gpt-4o): each message is wrapped in 3 tokens, a `name` costs 1 more,
 * and the reply is primed with 3.
 */
export const CHAT_OVERHEAD = {
  perMessage: 3,
  perName: 1,
  replyPrimer: 3,
  /** A legacy `function` result message is 2 tokens cheaper (hmarr/openai-chat-tokens, checked against the API). */
  functionRoleDiscount: 2,
} as const;

/** Tokens of `text`; 0 for the empty string without asking the encoder. */
export function countTextTokens(text: string, countText: CountText): number {
  return text === '' ? 0 : countText(text);
}

/**
 * The `usage.prompt_tokens` the API will report for these messages, by the cookbook's rule: per message 3 +
 * tokens(role) + tokens(content) [+ tokens(name) + 1], plus 3 for the reply. It reproduces the cookbook's
 * published API figures (129 on cl100k_base, 124 on o200k_base).
 *
 * gpt-tokenizer's `encodeChat` is not used: it renders a named message as the name in place of the role and
 * without the extra token (116 instead of 124 for the cookbook example), and it knows only the models in
 * its own list. For messages without names both agree.
 *
 * Tool definitions and assistant tool calls are not counted here.
 */
export function countChatPromptTokens(messages: readonly PromptMessage[], countText: CountText): number {
  let total = CHAT_OVERHEAD.replyPrimer;
  for (const { role, content, name } of messages) {
    total +=
      CHAT_OVERHEAD.perMessage + countTextTokens(role, countText) + countTextTokens(content, countText);
    if (name !== undefined && name !== '') total += countTextTokens(name, countText) + CHAT_OVERHEAD.perName;
    if (role === 'function') total -= CHAT_OVERHEAD.functionRoleDiscount;
  }
  return total;
}
