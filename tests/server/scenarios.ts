import { assembleCompletion } from './assemble.ts';
import type { ApiError } from './errors.ts';
import { chunkPayloads, type StreamFixtures } from './fixtures.ts';
import type { Exchange } from './http.ts';
import { writeBlocks } from './sse.ts';
import type { Scenario } from './types.ts';

const DEFAULT_MALFORMED = 'data: {"id":"chatcmpl-broken","object":"chat.comp\n\n';
const KINDS = new Set(['replay', 'error', 'cut', 'stall', 'malformed', 'drop', 'delay', 'raw']);
const ROUTES = new Set(['/chat/completions', '/models', '/embeddings']);

/** What a scenario needs from the server. */
export interface ScenarioDeps {
  fixtures: StreamFixtures;
  errors: ReadonlyMap<string, ApiError>;
}

const isCount = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isDelay = (value: unknown) => value === undefined || (typeof value === 'number' && value >= 0);

/** Why a scenario cannot run, checked when it is queued so a typo fails the test that made it. */
export function scenarioProblem(value: unknown, deps: ScenarioDeps): string | null {
  if (typeof value !== 'object' || value === null) return 'a scenario must be an object';
  const s = value as Record<string, unknown>;
  if (typeof s.kind !== 'string' || !KINDS.has(s.kind)) return `unknown scenario kind: ${String(s.kind)}`;
  if (s.times !== undefined && !(isCount(s.times) && (s.times as number) > 0)) {
    return 'times must be a positive integer';
  }
  const match = s.match as Record<string, unknown> | undefined;
  if (match !== undefined) {
    if (typeof match !== 'object' || match === null) return 'match must be an object';
    if (match.path !== undefined && !ROUTES.has(String(match.path))) {
      return `match.path must be one of ${[...ROUTES].join(', ')}`;
    }
  }
  if ('fixture' in s || ['replay', 'cut', 'stall', 'malformed'].includes(s.kind)) {
    if (typeof s.fixture !== 'string' || !deps.fixtures.has(s.fixture)) {
      return `unknown fixture: ${String(s.fixture)} (a .sse or .jsonl file name in tests/fixtures/sse/)`;
    }
  }
  if (['cut', 'stall', 'malformed'].includes(s.kind)) {
    if (!isCount(s.afterChunks)) return 'afterChunks must be a non-negative integer';
    const blocks = deps.fixtures.blocks(s.fixture as string).length;
    if ((s.afterChunks as number) >= blocks) {
      return `afterChunks must be below the fixture's ${blocks} blocks`;
    }
  }
  if (!isDelay(s.chunkDelayMs) || !isDelay(s.firstChunkDelayMs)) return 'delays must be non-negative numbers';
  if (s.kind === 'error' && (typeof s.error !== 'string' || !deps.errors.has(s.error))) {
    return `unknown error id: ${String(s.error)}`;
  }
  if (s.kind === 'raw') {
    if (!(Number.isInteger(s.status) && (s.status as number) >= 200 && (s.status as number) <= 599)) {
      return 'status must be an HTTP status from 200 to 599';
    }
    if (typeof s.body !== 'string') return 'body must be a string';
  }
  if (s.kind === 'delay' && !(typeof s.ms === 'number' && s.ms >= 0))
    return 'ms must be a non-negative number';
  return null;
}

/** The part of the non-streamed answer sent before a cut or a stall, proportional to the chunks. */
function partialJson(deps: ScenarioDeps, fixture: string, afterChunks: number): string {
  const blocks = deps.fixtures.blocks(fixture);
  const text = JSON.stringify(assembleCompletion(chunkPayloads(blocks)), null, 2);
  return text.slice(0, Math.floor((text.length * afterChunks) / blocks.length));
}

/**
 * Plays a scenario. `answer` is the default behaviour, used after a `delay`. Streamed requests get
 * SSE; the others get the same events as one JSON answer (or its broken/cut/stalled form).
 */
export async function runScenario(
  ex: Exchange,
  scenario: Scenario,
  stream: boolean,
  deps: ScenarioDeps,
  answer: () => Promise<void>,
): Promise<void> {
  switch (scenario.kind) {
    case 'delay':
      if (await ex.wait(scenario.ms)) await answer();
      return;
    case 'drop':
      ex.req.socket.resetAndDestroy();
      return;
    case 'raw':
      ex.res.writeHead(scenario.status, ex.headers(scenario.contentType ?? 'application/json'));
      ex.res.end(scenario.body);
      return;
    case 'error': {
      const error = deps.errors.get(scenario.error);
      if (error) ex.error(error, scenario.headers);
      return;
    }
    case 'replay': {
      const blocks = deps.fixtures.blocks(scenario.fixture);
      if (!stream) {
        if (await ex.wait(scenario.firstChunkDelayMs ?? 0))
          ex.json(200, assembleCompletion(chunkPayloads(blocks)));
        return;
      }
      ex.startStream();
      if (await writeBlocks(ex, blocks, scenario)) ex.res.end();
      return;
    }
    case 'cut':
    case 'stall':
    case 'malformed': {
      const blocks = deps.fixtures.blocks(scenario.fixture).slice(0, scenario.afterChunks);
      let sent: boolean;
      if (stream) {
        ex.startStream();
        sent = await writeBlocks(ex, blocks, {
          chunkDelayMs: scenario.kind === 'malformed' ? 0 : scenario.chunkDelayMs,
        });
      } else {
        ex.res.writeHead(200, ex.headers('application/json'));
        ex.res.flushHeaders();
        sent =
          scenario.kind === 'malformed' ||
          (await ex.write(partialJson(deps, scenario.fixture, scenario.afterChunks)));
      }
      if (!sent) return;
      if (scenario.kind === 'cut') {
        // No terminating chunk: the client sees the body end early, as when a proxy drops the stream.
        ex.res.destroy();
      } else if (scenario.kind === 'stall') {
        await ex.untilGone();
      } else {
        const text =
          scenario.text ?? (stream ? DEFAULT_MALFORMED : '{"id":"chatcmpl-broken","object":"chat.comp');
        if (await ex.write(text)) ex.res.end();
      }
      return;
    }
  }
}
