import * as v from 'valibot';
import { defineRecord } from './records';

/** The OpenAI API's own address, the default base URL. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

const settingsSchema = v.object({
  baseURL: v.pipe(v.string(), v.maxLength(2048)),
  organization: v.pipe(v.string(), v.maxLength(256)),
  project: v.pipe(v.string(), v.maxLength(256)),
  rememberKey: v.boolean(),
  theme: v.picklist(['system', 'light', 'dark']),
});

/** Connection and page settings: everything but the key. */
export type Settings = v.InferOutput<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  baseURL: OPENAI_BASE_URL,
  organization: '',
  project: '',
  rememberKey: false,
  theme: 'system',
});

/** Settings, one record (`settings:default`). Never holds the key: that is {@link secretRecord}. */
export const settingsRecord = defineRecord({ kind: 'settings', version: 1, schema: settingsSchema });

const secretSchema = v.object({ apiKey: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) });

/** The API key, stored only when the user opts in to remembering it. */
export type StoredSecret = v.InferOutput<typeof secretSchema>;

/** Kept apart from settings so that nothing that copies settings can ever carry the key. */
export const secretRecord = defineRecord({
  kind: 'secret',
  version: 1,
  schema: secretSchema,
  userContent: true,
});
