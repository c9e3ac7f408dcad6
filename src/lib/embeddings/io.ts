/**
 * The embeddings lab's input and output: reading texts (pasted, .txt, CSV), planning requests within the
 * API's limits, cache keys, and the downloads. Pure functions; papaparse is their one dependency.
 */
export { binaryFileError, csvItems, parseCsv, parsePasted, parseTxtFile, suggestTextColumn } from './input';
export type { CsvDelimiter, CsvParseResult, EmbeddingItem, ParsedCsv, ParsedTexts } from './input';
export { DEFAULT_BATCH_LIMITS, planBatches, tooLong } from './batches';
export type { Batch, BatchLimits } from './batches';
export { cacheKey, cacheKeys, fallbackHash } from './cache-key';
export type { CacheKeyParts, Digest } from './cache-key';
export { fileName, formatFloat32, PROJECTOR_BLANK, toCsv, toJson, toProjectorTsv } from './export';
export type { EmbeddingsExport, EmbeddingsJson, ExportKind } from './export';
// The token worker's count of many texts; src/lib/tokens/index.ts does not list these types yet.
export type { TextsCountResult } from '../tokens/counter';
export type { TextsCountReply, TextsCountRequest } from '../tokens/handler';
