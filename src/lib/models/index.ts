/**
 * Model catalog: kinds, limits, accepted parameters and prices for the ids a connection reports.
 * Loaded lazily (after the connection test), as it carries gpt-tokenizer's model catalog.
 */
export { describeModel, describeModels, EMBEDDING_LIMITS } from './catalog';
export { costOf } from './cost';
export { formatPricePerMTok, PRICES_SOURCE } from './prices';
export { CHAT_PARAMS } from './types';
export { WHEN_EFFORT_NONE } from './params';
export type {
  ChatParam,
  Cost,
  EmbeddingInfo,
  LongContextPrice,
  ModelInfo,
  ModelKind,
  ModelPrice,
  ParamSupport,
  Usage,
} from './types';
