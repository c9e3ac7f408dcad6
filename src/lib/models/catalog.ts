/**
 * The model catalog: for every id a connection reports, what kind of model it is, its limits, the
 * parameters it takes and its price.
 *
 * Capabilities come from gpt-tokenizer's `models` entry (scraped from OpenAI's official model catalog,
 * developers.openai.com/api/docs/models, and kept current by its maintainer), so we do not maintain context
 * windows by hand. Prices come from ./prices (pydantic/genai-prices). Parameter rules come from ./params.
 */
import * as specs from 'gpt-tokenizer/models';
import type { ModelSpec } from 'gpt-tokenizer/modelTypes';
import { paramsFor, reasoningEffortsFor } from './params';
import { findPrice } from './prices';
import type { EmbeddingInfo, ModelInfo, ModelKind } from './types';
import { EMBEDDING_LIMITS } from './limits';

export { EMBEDDING_LIMITS } from './limits';

// The namespace object has exactly the catalog's ids as keys and no prototype, so a string index is safe.
const CATALOG = specs as unknown as Readonly<Record<string, ModelSpec | undefined>>;

// 1536 for -3-small is observed in real responses (tests/fixtures/embeddings); the other two are
// documented defaults (see the fixture's `dims_sources`). `dimensions` is accepted from text-embedding-3 on.
const EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

const GROUPS: Record<ModelKind, { label: string; order: number }> = {
  chat: { label: 'Chat', order: 0 },
  reasoning: { label: 'Reasoning', order: 1 },
  embedding: { label: 'Embeddings', order: 2 },
  other: { label: 'Other', order: 3 },
};

interface Resolved {
  spec: ModelSpec;
  fineTuned: boolean;
}

function lookup(key: string): ModelSpec | undefined {
  if (Object.hasOwn(CATALOG, key)) return CATALOG[key];
  // A dated snapshot the catalog does not list yet (gpt-4.1-2026-01-01) gets its alias's facts. Only the
  // YYYY-MM-DD form: the older MMDD snapshots differ from today's alias (gpt-3.5-turbo-0301 had 4,096 tokens).
  const alias = key.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return alias !== key && Object.hasOwn(CATALOG, alias) ? CATALOG[alias] : undefined;
}

function resolve(id: string): Resolved | null {
  const key = id.trim().toLowerCase();
  // ft:<base>:<org>:<suffix>:<job>[:ckpt-…]: the base model's capabilities apply to its fine-tunes.
  const ft = /^ft:([^:]+)(?::|$)/.exec(key);
  const spec = lookup(ft?.[1] ?? key);
  return spec ? { spec, fineTuned: ft !== null } : null;
}

function isoDay(d: Date | undefined): string | null {
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString().slice(0, 10) : null;
}

/** Kind of a catalog model, and why it cannot be driven from the chat panel when it cannot. */
function classify(id: string, spec: ModelSpec): { kind: ModelKind; notChatReason: string | null } {
  const endpoints: readonly string[] = spec.supported_endpoints ?? [];
  if (endpoints.includes('embeddings')) {
    return {
      kind: 'embedding',
      notChatReason: `${id} is an embeddings model: it serves /v1/embeddings, which takes none of the chat parameters.`,
    };
  }
  // The scraped catalog lists chat_completions for gpt-3.5-turbo-instruct, but OpenAI's model page says it
  // works with the legacy Completions endpoint and not Chat Completions.
  if (/-instruct$/.test(spec.name)) {
    return { kind: 'other', notChatReason: `${id} is a legacy /v1/completions model, not a chat model.` };
  }
  if (endpoints.includes('chat_completions')) {
    const modalities = [...(spec.modalities?.input ?? []), ...(spec.modalities?.output ?? [])];
    if (modalities.includes('audio')) {
      // gpt-4o-audio-preview, gpt-audio…: the API wants audio in the request or `modalities: ['text', 'audio']`.
      return {
        kind: 'other',
        notChatReason: `${id} needs audio input or audio output; this playground sends and shows text only.`,
      };
    }
    return { kind: spec.reasoning_tokens === true ? 'reasoning' : 'chat', notChatReason: null };
  }
  if (endpoints.includes('responses')) {
    return {
      kind: 'other',
      notChatReason: `${id} is served by /v1/responses only; this playground uses /v1/chat/completions.`,
    };
  }
  const serves = endpoints.filter((e) => e !== 'batch').join(', ') || 'no public endpoint';
  return { kind: 'other', notChatReason: `${id} is not a chat model (it serves: ${serves}).` };
}

function describeKnown(id: string, { spec, fineTuned }: Resolved): ModelInfo {
  const { kind, notChatReason } = classify(id, spec);
  const ctx = { id, kind, known: true, name: spec.name, notChatReason };
  const dims = kind === 'embedding' ? EMBEDDING_DIMENSIONS[spec.name] : undefined;
  const embedding: EmbeddingInfo | null =
    dims === undefined
      ? null
      : {
          defaultDimensions: dims,
          supportsDimensions: spec.name.startsWith('text-embedding-3'),
          maxInputTokens: EMBEDDING_LIMITS.maxInputTokens,
        };
  // The catalog gives embeddings no context window; their real limit is the per-input cap.
  const contextWindow = spec.context_window ?? (embedding ? EMBEDDING_LIMITS.maxInputTokens : null);
  const inputCap = spec.max_input_tokens ?? (embedding ? EMBEDDING_LIMITS.maxInputTokens : null);
  return {
    id,
    known: true,
    kind,
    displayGroup: GROUPS[kind].label,
    contextWindow,
    maxOutputTokens: embedding ? null : (spec.max_output_tokens ?? null),
    // gpt-5-chat-latest lists 272,000 input tokens in a 128,000 window: the window wins.
    maxInputTokens: inputCap === null ? null : Math.min(inputCap, contextWindow ?? inputCap),
    // OpenAI deprecated max_tokens in favour of max_completion_tokens for every chat model, and reasoning
    // models reject max_tokens outright (openapi spec: "not compatible with o-series models").
    maxTokensParam: 'max_completion_tokens',
    params: paramsFor(ctx),
    reasoningEfforts: reasoningEffortsFor(ctx),
    embedding,
    // Fine-tuned inference is billed above the base model's price, and we have no table for it.
    price: fineTuned ? null : findPrice(id),
    deprecated: spec.deprecated === true,
    knowledgeCutoff: isoDay(spec.knowledge_cutoff),
  };
}

function describeUnknown(id: string): ModelInfo {
  // Only the obvious guess: local embedding models say so in their names (nomic-embed-text, bge-…-embed…).
  const kind: ModelKind = /embed/i.test(id) ? 'embedding' : 'chat';
  const notChatReason =
    kind === 'embedding' ? `${id} looks like an embeddings model; send it to /v1/embeddings.` : null;
  const ctx = { id, kind, known: false, name: null, notChatReason };
  return {
    id,
    known: false,
    kind,
    displayGroup: GROUPS[kind].label,
    contextWindow: null,
    maxOutputTokens: null,
    maxInputTokens: null,
    // Every OpenAI-compatible server knows max_tokens; many local ones do not know max_completion_tokens.
    maxTokensParam: 'max_tokens',
    params: paramsFor(ctx),
    reasoningEfforts: reasoningEffortsFor(ctx),
    embedding: null,
    // Even when a price row matches (Azure's gpt-35-turbo), a server we cannot identify may bill differently.
    price: null,
    deprecated: false,
    knowledgeCutoff: null,
  };
}

/**
 * Facts for one model id as reported by GET /models. Dated snapshots and fine-tuned ids resolve to the
 * catalog entry of their base model; ids the catalog does not know (local servers) get `known: false`,
 * classic chat parameters, `max_tokens`, unknown limits and no price.
 */
export function describeModel(id: string): ModelInfo {
  const resolved = resolve(id);
  return resolved ? describeKnown(id, resolved) : describeUnknown(id);
}

/** {@link describeModel} for a whole model list, sorted for display: chat, reasoning, embeddings, other; then by id. */
export function describeModels(ids: readonly string[]): ModelInfo[] {
  return ids
    .map(describeModel)
    .sort((a, b) => GROUPS[a.kind].order - GROUPS[b.kind].order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
