import { NUMBER_PARAMS } from './params';
import type { ChatMessage } from './types';

/** A control of the playground that a problem can point at. */
export interface FieldRef {
  /** As used by `SetupProblem.field`: a parameter name, `model`, `systemPrompt` or `message:<id>`. */
  field: string;
  /** The id of the element to focus. */
  elementId: string;
  label: string;
}

const LABELS: Record<string, string> = {
  ...Object.fromEntries(NUMBER_PARAMS.map((s) => [s.name, s.label])),
  stop: 'Stop sequences',
  reasoning_effort: 'Reasoning effort',
  response_format: 'Response format',
};

/** The element id of each parameter's control (see the chat components). */
export function elementIdOf(field: string): string {
  if (field === 'model') return 'model-input';
  if (field === 'systemPrompt') return 'system-prompt';
  if (field.startsWith('message:')) return `turn-${field.slice('message:'.length)}-text`;
  if (field === 'reasoning_effort') return 'param-reasoning-effort';
  if (field === 'response_format') return 'param-response-format';
  return `param-${field}`;
}

/**
 * The control an API error's `param` points at: `temperature`, `max_completion_tokens` (our "Max tokens"),
 * `messages[2].role` (the third message sent: the system prompt comes first when there is one).
 */
export function fieldForParam(
  param: string | null | undefined,
  sent: { systemPrompt: boolean; messages: readonly ChatMessage[] },
): FieldRef | null {
  if (!param) return null;
  const message = /^messages\[(\d+)\]/.exec(param);
  if (message) {
    const index = Number(message[1]) - (sent.systemPrompt ? 1 : 0);
    if (index < 0) return { field: 'systemPrompt', elementId: 'system-prompt', label: 'System prompt' };
    const m = sent.messages[index];
    return m
      ? { field: `message:${m.id}`, elementId: elementIdOf(`message:${m.id}`), label: `turn ${index + 1}` }
      : null;
  }
  const name = param === 'max_completion_tokens' ? 'max_tokens' : param.replace(/\..*$/, '');
  if (name === 'model') return { field: 'model', elementId: 'model-input', label: 'Model' };
  const label = LABELS[name];
  return label ? { field: name, elementId: elementIdOf(name), label } : null;
}
