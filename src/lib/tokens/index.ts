/**
 * Token counting, context budget and cost. Counting runs in src/workers/tokens.worker.ts through
 * {@link TokenCounter}; the tokenizer itself is never imported here (./handler holds its dynamic imports and
 * is re-exported for its types only), so the encodings stay out of the main thread.
 */
export { contextBudget, costRange, WARN_FRACTION } from './budget';
export type { BudgetLevel, ContextBudget, CostRange } from './budget';
export {
  CHAT_OVERHEAD,
  countChatPrompt,
  countChatPromptTokens,
  countTextTokens,
  renderToolDefinitions,
} from './count';
export type {
  CountText,
  PromptMessage,
  PromptTokenCount,
  PromptTool,
  PromptToolCall,
  PromptToolChoice,
} from './count';
export { TokenCountError, TokenCounter, startTokensWorker } from './counter';
export type { CountResult, CountWorker, CreateCountWorker, TokenCountFailure } from './counter';
export { encodingForModel, FALLBACK_ENCODING } from './encoding';
export type { EncodingChoice, EncodingName } from './encoding';
export type { CountReply, CountRequest } from './handler';
