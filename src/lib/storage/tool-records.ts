import * as v from 'valibot';
import { defineRecord } from './records';

const text = v.pipe(v.string(), v.maxLength(1_000_000));
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

const toolSchema = v.object({
  id,
  /** The tool as JSON in the API's `tools` format, exactly as typed (it may not parse). */
  text,
  enabled: v.boolean(),
  /** Both texts are kept so switching between a fixed reply and a function loses neither. */
  mock: v.object({ kind: v.picklist(['none', 'fixed', 'function']), reply: text, code: text }),
});

const choiceSchema = v.union([
  v.picklist(['auto', 'none', 'required']),
  v.object({ function: v.pipe(v.string(), v.maxLength(256)) }),
]);

const draftSchema = v.object({
  tools: v.pipe(v.array(toolSchema), v.maxLength(512)),
  selected: v.nullable(id),
  choice: v.optional(choiceSchema),
  parallel: v.boolean(),
  autoRun: v.boolean(),
  maxSteps: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50)),
  /** The `json_schema` response format as typed in its editor. */
  schemaText: text,
});

/** The tools and the response-format schema as the user left them. */
export type ToolsDraft = v.InferOutput<typeof draftSchema>;
export type ToolDraft = ToolsDraft['tools'][number];

/** One record, `tools-draft:default`, written on every change. */
export const toolsDraftRecord = defineRecord({
  kind: 'tools-draft',
  version: 1,
  schema: draftSchema,
  userContent: true,
});
