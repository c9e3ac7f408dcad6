import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
// @ts-expect-error jsdom ships no types, and @types/jsdom is not a dependency
import { JSDOM as UntypedJSDOM } from 'jsdom';

const JSDOM = UntypedJSDOM as new (html: string) => { window: Window & typeof globalThis };

/**
 * Markdown while an answer streams: the recorded vercel-ai answer, repeated to the wanted length and
 * fed in its own small deltas, rendered and sanitized as the chat view does (under jsdom, so DOMPurify
 * has a DOM). Budgets: the incremental path costs at most a tenth of re-rendering the whole message on
 * every delta, and its cost per KB grows by less than 2× from a 10 KB to a 40 KB answer (linear).
 */
const RATIO_BUDGET = 0.1;
const GROWTH_BUDGET = 2;

export async function benchMarkdown(): Promise<{ lines: string[]; failures: string[] }> {
  const lines: string[] = [];
  const failures: string[] = [];
  // DOMPurify takes the window that exists when it is first used; give it jsdom's, then put back
  // whatever was there so the rest of the process does not think it runs in a browser.
  const before = Object.getOwnPropertyDescriptor(globalThis, 'window');
  Object.defineProperty(globalThis, 'window', {
    value: new JSDOM('').window,
    configurable: true,
    writable: true,
  });
  try {
    const { renderMarkdown, StreamingMarkdown } = await import('../../src/lib/markdown');

    const naive = (deltas: string[]) => {
      let text = '';
      return perDelta(deltas, (delta) => renderMarkdown((text += delta)));
    };
    const incremental = async (deltas: string[]) => {
      const md = new StreamingMarkdown();
      const total = await perDelta(deltas, (delta) => {
        md.append(delta);
        void md.blocks;
        void md.tail; // what the view reads after each delta
      });
      return total + time(() => md.finish());
    };

    await incremental(answer(5_000)); // warm up the JIT, marked and DOMPurify
    await naive(answer(2_000));

    const deltas = answer(20_000);
    const kb = deltas.join('').length / 1024;
    const naiveMs = await naive(deltas);
    const incrementalMs = await best(3, () => incremental(deltas));
    const ratio = incrementalMs / naiveMs;
    lines.push(
      `Markdown while streaming (jsdom; the vercel-ai answer repeated to ${kb.toFixed(1)} KB, ${deltas.length} deltas):`,
      `  naive, whole message on every delta  ${ms(naiveMs)}`,
      `  incremental, StreamingMarkdown       ${ms(incrementalMs)}  ratio ${ratio.toFixed(3)} ` +
        `(budget ${RATIO_BUDGET.toFixed(2)}: ${(ratio / RATIO_BUDGET).toFixed(2)})`,
    );
    if (ratio > RATIO_BUDGET)
      failures.push(
        `streaming Markdown costs ${ratio.toFixed(3)}× the naive render (budget ${RATIO_BUDGET}×)`,
      );

    const perKb = async (chars: number) => {
      const d = answer(chars);
      return (await best(3, () => incremental(d))) / (d.join('').length / 1024);
    };
    const at10 = await perKb(10_000);
    const at40 = await perKb(40_000);
    const growth = at40 / at10;
    lines.push(
      `  incremental per KB: ${at10.toFixed(2)} ms at 10 KB, ${at40.toFixed(2)} ms at 40 KB, ` +
        `growth ${growth.toFixed(2)}× (budget < ${GROWTH_BUDGET}×: ${(growth / GROWTH_BUDGET).toFixed(2)})`,
    );
    if (growth >= GROWTH_BUDGET)
      failures.push(`streaming Markdown's cost per KB grew ${growth.toFixed(2)}× from 10 KB to 40 KB`);
  } finally {
    if (before) Object.defineProperty(globalThis, 'window', before);
    else Reflect.deleteProperty(globalThis, 'window');
  }
  return { lines, failures };
}

/** The recorded answer's content deltas, repeated with a blank line between copies to `chars` or more. */
function answer(chars: number): string[] {
  const file = new URL('../fixtures/sse/vercel-ai__openai-text.chunks.jsonl', import.meta.url);
  const once = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map(
      (line) =>
        (JSON.parse(line) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content,
    )
    .filter((content): content is string => !!content);
  const deltas: string[] = [];
  for (let length = 0; length < chars; length += once.join('').length + 2) {
    if (deltas.length) deltas.push('\n\n');
    deltas.push(...once);
  }
  return deltas;
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/**
 * Main-thread time of handling each delta in a task of its own, as deltas come from the network. It
 * matters under jsdom too: each DOMPurify call makes a document that jsdom holds through a WeakRef,
 * and WeakRef targets live until the task ends, so one long synchronous loop would keep them all.
 */
async function perDelta(deltas: string[], handle: (delta: string) => void): Promise<number> {
  let total = 0;
  for (const delta of deltas) {
    total += time(() => handle(delta));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return total;
}

async function best(times: number, run: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < times; i++) min = Math.min(min, await run());
  return min;
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US').padStart(7)} ms`;
