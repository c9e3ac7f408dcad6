import * as v from 'valibot';
import { defineRecord } from './records';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const ms = v.pipe(v.number(), v.minValue(0));

const metricsSchema = v.object({
  ttftMs: v.nullable(ms),
  totalMs: ms,
  tokensPerSecond: v.nullable(ms),
  usage: v.nullable(
    v.object({
      prompt: count,
      completion: count,
      total: count,
      cached: v.nullable(count),
      reasoning: v.nullable(count),
    }),
  ),
  costUsd: v.nullable(ms),
  finishReasons: v.array(v.nullable(v.string())),
  systemFingerprint: v.nullable(v.string()),
  requestId: v.nullable(v.string()),
  model: v.nullable(v.string()),
  attempts: count,
  streamed: v.boolean(),
  chunkCount: count,
});

const endSchema = v.picklist(['done', 'stopped', 'interrupted', 'failed']);
const roleSchema = v.picklist(['system', 'developer', 'user', 'assistant']);

const toolCallSchema = v.object({
  id: v.pipe(v.string(), v.maxLength(256)),
  name: v.pipe(v.string(), v.maxLength(256)),
  arguments: v.string(),
});

const messageSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  role: v.picklist(['system', 'developer', 'user', 'assistant', 'tool']),
  content: v.string(),
  toolCalls: v.optional(v.array(toolCallSchema)),
  toolCallId: v.optional(v.pipe(v.string(), v.maxLength(256))),
  answer: v.optional(
    v.object({
      runId: v.string(),
      choices: v.array(v.string()),
      choice: count,
      end: endSchema,
      refusal: v.nullable(v.string()),
      metrics: metricsSchema,
      choiceToolCalls: v.optional(v.array(v.array(toolCallSchema))),
      format: v.optional(
        v.variant('type', [
          v.object({ type: v.literal('json_object') }),
          v.object({
            type: v.literal('json_schema'),
            name: v.string(),
            schema: v.record(v.string(), v.unknown()),
          }),
        ]),
      ),
    }),
  ),
});

const finite = v.pipe(v.number(), v.finite());

const paramsSchema = v.object({
  temperature: v.optional(finite),
  top_p: v.optional(finite),
  max_tokens: v.optional(finite),
  frequency_penalty: v.optional(finite),
  presence_penalty: v.optional(finite),
  stop: v.optional(v.pipe(v.array(v.string()), v.maxLength(64))),
  seed: v.optional(finite),
  n: v.optional(finite),
  reasoning_effort: v.optional(v.pipe(v.string(), v.maxLength(32))),
  response_format: v.optional(v.picklist(['text', 'json_object', 'json_schema'])),
});

const draftSchema = v.object({
  model: v.pipe(v.string(), v.maxLength(256)),
  systemPrompt: v.string(),
  messages: v.array(messageSchema),
  params: paramsSchema,
  stream: v.boolean(),
  stallSeconds: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(600)),
  maxRetries: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10)),
  composer: v.string(),
  composerRole: roleSchema,
});

/** The chat playground as the user left it: conversation, parameters, and the message being written. */
export type ChatDraft = v.InferOutput<typeof draftSchema>;

/** One record, `chat-draft:default`, written on every change. */
export const chatDraftRecord = defineRecord({
  kind: 'chat-draft',
  version: 1,
  schema: draftSchema,
  userContent: true,
});

const problemSchema = v.object({
  kind: v.string(),
  title: v.string(),
  cause: v.string(),
  fix: v.string(),
  status: v.optional(v.number()),
  code: v.optional(v.nullable(v.string())),
  param: v.optional(v.nullable(v.string())),
  requestId: v.optional(v.nullable(v.string())),
  apiMessage: v.optional(v.string()),
});

const runSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  kind: v.literal('chat'),
  createdAt: v.number(),
  finishedAt: v.number(),
  baseURL: v.string(),
  model: v.string(),
  /** The request body exactly as sent (never holds the key: that travels in a header). */
  request: v.record(v.string(), v.unknown()),
  /** Parameters the user set that the model does not take, left out of the request. */
  leftOut: v.array(v.object({ param: v.string(), reason: v.string() })),
  end: endSchema,
  problem: v.nullable(problemSchema),
  choices: v.array(
    v.object({
      index: count,
      content: v.string(),
      refusal: v.nullable(v.string()),
      finishReason: v.nullable(v.string()),
      /** The calls the choice made, as far as they arrived (`id` null when the server sent none). */
      toolCalls: v.optional(
        v.array(v.object({ id: v.nullable(v.string()), name: v.string(), arguments: v.string() })),
      ),
    }),
  ),
  /** Set on the runs of an auto-run tool loop: which loop, and which step of it. */
  loop: v.optional(v.object({ id: v.string(), step: count })),
  metrics: metricsSchema,
  /** Every chunk as it arrived, `t` in ms since the request started. */
  chunks: v.array(v.object({ t: ms, data: v.unknown() })),
  /** The whole response when streaming was off. */
  response: v.unknown(),
});

/** A finished, stopped, interrupted or failed chat run. */
export type ChatRunRecord = v.InferOutput<typeof runSchema>;

/** Saved runs, `run:<id>`, one per request. */
export const runRecord = defineRecord({ kind: 'run', version: 1, schema: runSchema, userContent: true });
