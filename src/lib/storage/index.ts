export {
  RecordStore,
  isQuotaError,
  type StorageProblem,
  type RecordStoreOptions,
  type WriteOutcome,
} from './store';
export {
  defineRecord,
  open,
  seal,
  recordKey,
  type RecordType,
  type Envelope,
  type OpenResult,
} from './records';
export {
  indexedDbBackend,
  memoryBackend,
  DATABASE_NAME,
  OBJECT_STORE_NAME,
  type StorageBackend,
} from './backend';
export {
  settingsRecord,
  secretRecord,
  DEFAULT_SETTINGS,
  OPENAI_BASE_URL,
  type Settings,
  type StoredSecret,
} from './schemas';
export { chatDraftRecord, runRecord, type ChatDraft, type ChatRunRecord } from './chat-records';
export { toolsDraftRecord, type ToolDraft, type ToolsDraft } from './tool-records';
// The history's records (./history-records) are imported by the history code alone, which loads on
// first use: exported from here, their definitions would run with the first load.
export {
  embeddingCacheRecord,
  embeddingsDraftRecord,
  embeddingsRunRecord,
  type EmbeddingsDraft,
  type EmbeddingsRunRecord,
} from './embedding-records';
