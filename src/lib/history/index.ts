/**
 * The history of saved runs: a compact index entry per run, listed without reading run bodies, searched
 * in one pass, renamed, tagged, starred, annotated and removed with undo. Import and export live in
 * `./transfer`, loaded when the user asks for them.
 */
export {
  applyPatch,
  chatKind,
  entryFor,
  tidyTags,
  titleOf,
  userFields,
  type HistoryEntry,
  type HistoryPatch,
  type RunData,
  type SavedRun,
  type UserFields,
} from './entry';
export {
  buildSearchIndex,
  facets,
  queryWords,
  search,
  type HistoryFilters,
  type SearchIndex,
} from './search';
export { HistoryStore, RUN_RECORDS, type HistoryStoreOptions, type Removal } from './store';
export { indexedDbHistory, prefixRange, type HistoryDb, type RawRecords } from './history-db';
export {
  historyRecord,
  historyPackRecord,
  HISTORY_LIMITS,
  HISTORY_PACK_SIZE,
} from '../storage/history-records';
