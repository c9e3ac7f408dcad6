import { readFixtureJson } from './fixtures.ts';

/** One entry of `GET /models`. */
export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** Creation dates and owners as the real `GET /v1/models` lists them. */
const KNOWN_MODELS: Record<string, { created: number; owned_by: string }> = {
  'gpt-4o': { created: 1715367049, owned_by: 'system' },
  'gpt-4o-mini': { created: 1721172741, owned_by: 'system' },
  'gpt-4.1-nano': { created: 1744321707, owned_by: 'system' },
  'gpt-5': { created: 1754425777, owned_by: 'system' },
  'gpt-5-mini': { created: 1754425928, owned_by: 'system' },
  'o3-mini': { created: 1737146383, owned_by: 'system' },
  'o4-mini': { created: 1744225351, owned_by: 'system' },
  'text-embedding-3-small': { created: 1705948997, owned_by: 'system' },
  'text-embedding-3-large': { created: 1705953180, owned_by: 'system' },
  'text-embedding-ada-002': { created: 1671217299, owned_by: 'openai-internal' },
  'whisper-1': { created: 1677532384, owned_by: 'openai-internal' },
  'tts-1': { created: 1681940951, owned_by: 'openai-internal' },
  'dall-e-3': { created: 1698785189, owned_by: 'system' },
  'omni-moderation-latest': { created: 1731689265, owned_by: 'system' },
};

/** The models a session serves unless it names its own. */
export const DEFAULT_MODELS: readonly string[] = Object.keys(KNOWN_MODELS);

/** The `GET /models` entry of an id; unknown ids (a session's own list) get a fixed plausible date. */
export function modelObject(id: string): ModelObject {
  const known = KNOWN_MODELS[id];
  return {
    id,
    object: 'model',
    created: known?.created ?? 1700000000,
    owned_by: known?.owned_by ?? 'system',
  };
}

const DATED = /-\d{4}-\d{2}-\d{2}$/;

/** Whether a session serves a model: its ids, and dated snapshots of them as the real API accepts. */
export function servesModel(models: readonly string[], id: string): boolean {
  return models.includes(id) || (DATED.test(id) && models.includes(id.replace(DATED, '')));
}

/** Embedding models answer `/embeddings` only; the others, `/chat/completions` only. */
export function isEmbeddingModel(id: string): boolean {
  return id.includes('embedding');
}

/** Models that exist but answer neither endpoint here (audio, images, moderation). */
export function isChatModel(id: string): boolean {
  return !isEmbeddingModel(id) && !/^(whisper|tts|dall-e|omni-moderation|text-moderation)/.test(id);
}

/** o-series and the gpt-5 family (except the chat snapshot) reject `max_tokens` and non-default temperatures. */
export function isReasoningModel(id: string): boolean {
  return /^o\d/.test(id) || (/^gpt-5/.test(id) && !id.includes('chat-latest'));
}

/** The gpt-5 family streams `system_fingerprint: null` and no `logprobs` key (see `pydantic-ai__gpt-5_text.1.sse`). */
export function isGpt5Family(id: string): boolean {
  return /^gpt-5/.test(id);
}

// A memo of the catalog fixture, read once per process.
let snapshots: Map<string, string> | undefined;

/** The dated snapshot the API names in its answer (`gpt-4o` → `gpt-4o-2024-08-06`), from the model catalog fixture. */
export function snapshotOf(id: string): string {
  if (!snapshots) {
    const { models } = readFixtureJson<{ models: { id: string; catalog?: { current_snapshot?: string } }[] }>(
      'models/openai_models_metadata.json',
    );
    snapshots = new Map(models.map((m) => [m.id, m.catalog?.current_snapshot ?? m.id]));
  }
  return snapshots.get(id) ?? id;
}

/** Default dimensions of the embedding models; `dimensions` may only shorten them. */
export function embeddingDimensions(id: string): number {
  return id.includes('-large') ? 3072 : 1536;
}

/** Only the text-embedding-3 generation accepts `dimensions`. */
export function acceptsDimensions(id: string): boolean {
  return id.startsWith('text-embedding-3');
}
