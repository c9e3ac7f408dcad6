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
  if (field.startsWith('tool:')) return 'tool-editor';
  if (field === 'toolChoice') return 'tool-choice';
  if (field === 'parallelToolCalls') return 'tool-parallel';
  if (field === 'responseFormat') return 'response-format-editor';
  return `param-${field}`;
}

/** What a request was built from, to point its error back at the control that made the part at fault. */
export interface SentParts {
  systemPrompt: boolean;
  messages: readonly ChatMessage[];
  /** The ids (in the tools editor) and names of the tools sent, in order. */
  tools?: readonly { id: string; name: string }[];
  /** True when the response format was a JSON schema. */
  schema?: boolean;
}

/**
 * The control an API error's `param` points at: `temperature`, `max_completion_tokens` (our "Max tokens"),
 * `messages[2].role` (the third message sent: the system prompt comes first when there is one),
 * `tools[1].function.parameters` (the second tool sent), `response_format` (its schema editor when the
 * format is a JSON schema).
 */
export function fieldForParam(param: string | null | undefined, sent: SentParts): FieldRef | null {
  if (!param) return null;
  const tool = /^tools\[(\d+)\]/.exec(param);
  if (tool) {
    const t = sent.tools?.[Number(tool[1])];
    return t ? { field: `tool:${t.id}`, elementId: 'tool-editor', label: `tool ${t.name}` } : null;
  }
  if (param.startsWith('tool_choice')) {
    return { field: 'toolChoice', elementId: 'tool-choice', label: 'Tool choice' };
  }
  if (param === 'parallel_tool_calls') {
    return { field: 'parallelToolCalls', elementId: 'tool-parallel', label: 'Parallel tool calls' };
  }
  if (param.startsWith('response_format.json_schema') || (param === 'response_format' && sent.schema)) {
    return { field: 'responseFormat', elementId: 'response-format-editor', label: 'Response format schema' };
  }
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
