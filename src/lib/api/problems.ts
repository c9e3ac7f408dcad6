/** The control a problem belongs next to. */
export type ProblemField = 'apiKey' | 'baseURL' | 'organization' | 'project' | 'model' | 'request';

/** An OpenAI-compatible server Sandpit knows how to advise about. */
export type LocalServer = 'Ollama' | 'LM Studio' | 'vLLM';

/** How to let a browser page call each local server (its CORS setting). */
export const CORS_SETTINGS: Readonly<Record<LocalServer, string>> = {
  Ollama: 'start Ollama with the environment variable OLLAMA_ORIGINS set to this page’s origin (or "*")',
  'LM Studio':
    'in LM Studio’s Developer tab, open the server settings and turn on “Enable CORS” (or start it with lms server start --cors)',
  vLLM: 'start vLLM with --allowed-origins \'["<this page’s origin>"]\' (or \'["*"]\')',
};

/**
 * Everything Sandpit can tell a person about a failed call: what happened, how to fix it, and which
 * field is at fault. Built from the SDK's error classes (see `errors.ts`) or from local checks.
 */
export interface ApiProblem {
  kind:
    | 'no-key'
    | 'invalid-key'
    | 'forbidden'
    | 'not-found'
    | 'bad-request'
    | 'context-length'
    | 'rate-limit'
    | 'quota'
    | 'server'
    | 'cors'
    | 'unreachable'
    | 'network'
    | 'mixed-content'
    | 'blocked-by-policy'
    | 'invalid-url'
    | 'invalid-text'
    | 'timeout'
    | 'aborted'
    | 'interrupted'
    | 'unexpected';
  field: ProblemField;
  /** A few words: "Invalid API key". */
  title: string;
  /** What happened, in a sentence or two. */
  cause: string;
  /** What to do about it. */
  fix: string;
  /** For CORS problems: the setting each local server needs, the likeliest first. */
  corsSettings?: { server: LocalServer; setting: string }[];
  status?: number;
  code?: string | null;
  /** The API's `param`, e.g. `messages[0].role`: which control to point at. */
  param?: string | null;
  requestId?: string | null;
  /** The API's own message, shown as it came. */
  apiMessage?: string;
  /** How long the API asked us to wait, from a readable header or the "try again in" hint. */
  retryAfterMs?: number | null;
}

/** The problem for a connection attempt without a key. */
export function noKeyProblem(): ApiProblem {
  return {
    kind: 'no-key',
    field: 'apiKey',
    title: 'No API key',
    cause: 'Requests to the API need a key, and none is entered.',
    fix: 'Paste your key (it starts with “sk-”; create one at platform.openai.com/api-keys). Local servers such as Ollama accept any text.',
  };
}

const FIELD_NAMES = { apiKey: 'API key', organization: 'organization ID', project: 'project ID' } as const;

/**
 * Keys and IDs travel in HTTP headers, which take visible ASCII only. A character from a document or
 * chat (a zero-width space, an en dash, a non-breaking space) would make the browser throw before
 * sending anything; this finds it first and says where it is.
 */
export function checkHeaderText(field: keyof typeof FIELD_NAMES, value: string): ApiProblem | null {
  const index = value.search(/[^\x21-\x7E]/);
  if (index < 0) return null;
  const char = value[index]!;
  const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  const shown =
    /\s/.test(char) || code === '200B' || code === 'FEFF' ? 'an invisible or space character' : `“${char}”`;
  return {
    kind: 'invalid-text',
    field,
    title: `The ${FIELD_NAMES[field]} contains a character that cannot be sent`,
    cause: `Character ${index + 1} is ${shown} (U+${code}); headers carry plain ASCII only.`,
    fix: `Copy the ${FIELD_NAMES[field]} again from its source, or type it: copying from documents and chats can add such characters.`,
  };
}
