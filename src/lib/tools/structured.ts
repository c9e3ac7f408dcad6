import type { AnswerFormat, RunEnd } from '../chat/types';
import { parseJsonText, type JsonTextError } from './json-text';
import { validateValue, type SchemaError } from './validate';

/** What a JSON answer turned out to be, in the order a reader needs it. */
export type StructuredCheck =
  /** The model refused: there is no JSON to check. */
  | { state: 'refused' }
  /** The answer stopped early (max tokens, the content filter, Stop, a broken stream): the JSON is incomplete. */
  | { state: 'incomplete'; why: 'length' | 'content_filter' | 'stopped' | 'interrupted'; parsed: boolean }
  | { state: 'not-json'; error: JsonTextError }
  | { state: 'invalid'; value: unknown; errors: SchemaError[]; name: string }
  | { state: 'valid'; value: unknown; name: string | null };

/**
 * Checks a JSON-mode or structured-output answer: parsed as JSON, then (with a schema) validated
 * against it. An answer cut short is reported as such before anything else: its JSON cannot be whole.
 */
export function checkStructured(
  text: string,
  format: AnswerFormat,
  answer: { refusal: string | null; finishReason: string | null; end: RunEnd },
): StructuredCheck {
  if (answer.refusal) return { state: 'refused' };
  const json = parseJsonText(text);
  const cut =
    answer.finishReason === 'length' || answer.finishReason === 'content_filter'
      ? answer.finishReason
      : answer.end === 'stopped' || answer.end === 'interrupted'
        ? answer.end
        : null;
  if (cut) return { state: 'incomplete', why: cut, parsed: json.ok };
  if (!json.ok) return { state: 'not-json', error: json.error };
  if (format.type !== 'json_schema') return { state: 'valid', value: json.value, name: null };
  const validation = validateValue(format.schema, json.value);
  return validation.valid
    ? { state: 'valid', value: json.value, name: format.name }
    : { state: 'invalid', value: json.value, errors: validation.errors, name: format.name };
}
