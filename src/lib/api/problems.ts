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
    | 'timeout'
    | 'aborted'
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
