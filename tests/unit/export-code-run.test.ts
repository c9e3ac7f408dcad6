/**
 * The exported snippets, run for real against the test server: the TypeScript with `node --import tsx`, the
 * curl with bash. The Python is compiled, and its body evaluated by python3 itself (the SDK may not be
 * installed). Each run asserts that the first request the server received carries exactly the body.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFor, type CodeInput } from '../../src/lib/export/code';
import { createSession, type Scenario, type Session } from '../server/control';
import { startTestServer, type TestServer } from '../server/server';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN_TIMEOUT = 30_000;

interface Ran {
  stdout: string;
  stderr: string;
}

/** Runs a program; a missing program fails with what to install, a failing one with its output. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: ROOT, timeout: RUN_TIMEOUT - 2_000, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        if (!error) resolve({ stdout, stderr });
        else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error(`${command} is not installed: the exported snippets need it to be checked.`));
        } else
          reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      },
    );
  });
}

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer({ port: 0, quiet: true });
  // Inside the repository, so that the snippets resolve `openai` and `zod` from its node_modules.
  dir = mkdtempSync(join(ROOT, 'tests', '.tmp-code-'));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.close();
});

function conversationBody(file: string, interaction: number): Record<string, unknown> {
  const text = readFileSync(new URL(`../fixtures/sse/${file}`, import.meta.url), 'utf8');
  const conversation = JSON.parse(text) as { interactions: { request: { body: Record<string, unknown> } }[] };
  return conversation.interactions[interaction]!.request.body;
}

/** A run: the request the playground would send, what the server answers, and what the program prints. */
interface RunCase {
  kind: CodeInput['kind'];
  body: Record<string, unknown>;
  scenarios?: Scenario[];
  prints: RegExp;
}

const location = {
  name: 'Location',
  strict: true,
  schema: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      temperature: { type: 'number' },
      units: { type: 'string', enum: ['c', 'f'] },
    },
    required: ['city', 'temperature', 'units'],
    additionalProperties: false,
  },
};

const RUNS: Record<string, RunCase> = {
  'streaming chat': {
    kind: 'chat',
    body: {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Tell me a joke' },
      ],
      temperature: 0.5,
      stream: true,
      stream_options: { include_usage: true },
    },
    prints: /You said: Tell me a joke\n\[\d+ prompt \+ \d+ completion tokens\]/,
  },
  'chat with tools': {
    kind: 'chat',
    body: conversationBody('pydantic-ai__gpt-4o-mini_tool_then_text.conversation.json', 0),
    scenarios: [
      { kind: 'replay', fixture: 'pydantic-ai__gpt-4o-mini_tool_then_text.1.sse', chunkDelayMs: 0 },
      { kind: 'replay', fixture: 'pydantic-ai__gpt-4o-mini_tool_then_text.2.sse', chunkDelayMs: 0 },
    ],
    prints:
      /\[get_capital\(\{"country":"UK"\}\) -> \{"placeholder": ?"get_capital result"[^\n]*\]\n[\s\S]*London/,
  },
  'structured outputs': {
    kind: 'chat',
    body: {
      model: 'gpt-4o-2024-08-06',
      messages: [{ role: 'user', content: "What's the weather like in SF?" }],
      response_format: { type: 'json_schema', json_schema: location },
      stream: true,
      stream_options: { include_usage: true },
    },
    scenarios: [{ kind: 'replay', fixture: 'openai-python__test_parse_pydantic_model.sse', chunkDelayMs: 0 }],
    prints: /\{ city: 'San Francisco', temperature: 61, units: 'f' \}/,
  },
  'non-streaming chat with n': {
    kind: 'chat',
    body: {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hi' }],
      max_completion_tokens: 50,
      seed: 7,
      stop: ['END'],
      n: 2,
    },
    prints: /--- choice 0 ---\nYou said: Say hi\n--- choice 1 ---\nYou said: Say hi \(alternative 1\)\n/,
  },
  embeddings: {
    kind: 'embeddings',
    body: {
      model: 'text-embedding-3-small',
      input: ['The cat sat on the mat.', 'A cat sat on a mat.', 'Stock markets fell sharply.'],
      encoding_format: 'base64',
      dimensions: 64,
    },
    prints:
      /3 vectors of 64 dimensions, \d+ tokens\n(0\.\d{4}|1\.0000) {2}"The cat sat on the mat\." ~ "A cat sat on a mat\."/,
  },
  // Strings that trip up quoting: triple quotes, backslashes, $ and backticks, a `JSON` line, U+2028,
  // an emoji, a lone surrogate, NUL.
  'awkward strings': {
    kind: 'chat',
    body: {
      model: 'gpt-4o',
      messages: [
        {
          role: 'system',
          content: 'Quote """this""" and \'\'\'that\'\'\' \\ \\\\ \\" \\n $HOME `id` $(id) \'',
        },
        { role: 'user', content: '\nJSON\n\u2028\u2029 😀 \ud800 \u0000 \\u0041 ends with a backslash \\' },
      ],
    },
    prints: /You said:/,
  },
};

const inputFor = (c: RunCase, session: Session): CodeInput => ({
  kind: c.kind,
  body: c.body,
  baseURL: session.baseURL,
});

async function sessionFor(c: RunCase): Promise<Session> {
  const session = await createSession(server.url);
  if (c.scenarios) await session.queue(...c.scenarios);
  return session;
}

async function apiRequests(session: Session) {
  return (await session.requests()).filter((r) => r.path === '/chat/completions' || r.path === '/embeddings');
}

describe('the TypeScript snippet, run with node --import tsx', () => {
  for (const [name, c] of Object.entries(RUNS)) {
    it(
      `${name}: sends the body, and prints the answer`,
      async () => {
        const session = await sessionFor(c);
        const file = join(dir, `${name.replace(/\W+/g, '-')}.mts`);
        writeFileSync(file, codeFor(inputFor(c, session)).typescript);
        const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
          OPENAI_API_KEY: session.key,
        });
        const [first, ...rest] = await apiRequests(session);
        expect(first?.body).toEqual(c.body);
        expect(first?.headers.authorization).toBe(`Bearer ${session.key}`);
        expect(first?.schemaErrors).toEqual([]);
        expect(stdout).toMatch(c.prints);
        if (name === 'chat with tools') {
          // The loop went on: the call, then its result, with the same parameters.
          const second = rest[0]?.body as { messages: Record<string, unknown>[]; tools: unknown };
          expect(second.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
          const call = (second.messages[1]?.tool_calls as { id: string; function: unknown }[])[0];
          expect(call?.function).toEqual({ name: 'get_capital', arguments: '{"country":"UK"}' });
          expect(second.messages[2]?.tool_call_id).toBe(call?.id);
          expect(second.tools).toEqual(c.body.tools);
          expect(rest).toHaveLength(1);
        } else expect(rest).toHaveLength(0);
        await session.dispose();
      },
      RUN_TIMEOUT,
    );
  }

  it(
    'type-checks under strict settings, for every kind of run',
    async () => {
      const extra: Record<string, CodeInput> = {
        'tools not streamed': {
          kind: 'chat',
          baseURL: 'http://localhost:1/v1',
          organization: 'org-1',
          body: { ...conversationBody('pydantic-ai__gpt-4o_tool_loop.conversation.json', 0), stream: false },
        },
        'tools streamed': {
          kind: 'chat',
          baseURL: 'http://localhost:1/v1',
          body: conversationBody('pydantic-ai__gpt-4o_tool_loop.conversation.json', 0),
        },
        'json object, n streamed': {
          kind: 'chat',
          baseURL: 'http://localhost:1/v1',
          body: {
            model: 'gpt-4o',
            messages: [{ role: 'user', content: 'x' }],
            response_format: { type: 'json_object' },
            n: 3,
            stream: true,
          },
        },
        'schema not streamed': {
          kind: 'chat',
          baseURL: 'http://localhost:1/v1',
          body: {
            model: 'gpt-4o',
            messages: [{ role: 'user', content: 'x' }],
            response_format: { type: 'json_schema', json_schema: location },
            n: 2,
          },
        },
        'embeddings as floats': {
          kind: 'embeddings',
          baseURL: 'http://localhost:1/v1',
          body: { model: 'text-embedding-3-small', input: ['a', 'b'] },
        },
      };
      const files = [
        ...Object.entries(RUNS).map(
          ([name, c]) => [name, inputFor(c, { baseURL: 'http://x/v1' } as Session)] as const,
        ),
        ...Object.entries(extra),
      ].map(([name, input]) => {
        const file = join(dir, `check-${name.replace(/\W+/g, '-')}.mts`);
        writeFileSync(file, codeFor(input).typescript);
        return file;
      });
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      await run(process.execPath, [
        tsc,
        '--ignoreConfig',
        '--noEmit',
        '--strict',
        '--noUncheckedIndexedAccess',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--skipLibCheck',
        '--types',
        'node',
        ...files,
      ]);
    },
    RUN_TIMEOUT * 2,
  );
});

describe('the curl snippet, run with bash', () => {
  for (const [name, c] of Object.entries(RUNS)) {
    it(
      `${name}: sends the body`,
      async () => {
        const session = await sessionFor(c);
        const { stdout } = await run('bash', ['-c', codeFor(inputFor(c, session)).curl], {
          OPENAI_API_KEY: session.key,
          HOME: '/nonexistent-home',
        });
        const [first] = await apiRequests(session);
        expect(first?.body).toEqual(c.body);
        expect(first?.headers.authorization).toBe(`Bearer ${session.key}`);
        expect(stdout).toMatch(c.body.stream ? /^data: \{/ : /^\{/);
        await session.dispose();
      },
      RUN_TIMEOUT,
    );
  }
});

/** Prints the JSON of the top-level `body = ...` statement of a Python file, evaluated by Python alone. */
const EVALUATE_BODY = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
[statement] = [
    node for node in tree.body
    if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["body"]
]
namespace = {}
exec("import json", namespace)
exec(compile(ast.Module(body=[statement], type_ignores=[]), "body", "exec"), namespace)
print(json.dumps(namespace["body"]))
`;

describe('the Python snippets, compiled and their body evaluated by python3', () => {
  for (const [name, c] of Object.entries(RUNS)) {
    it(
      `${name}: compiles, and its body is the body`,
      async () => {
        const code = codeFor({ kind: c.kind, body: c.body, baseURL: 'http://127.0.0.1:1/v1', project: 'p' });
        for (const [variant, text] of [
          ['sync', code.python],
          ['async', code.pythonAsync],
        ]) {
          const file = join(dir, `${name.replace(/\W+/g, '_')}_${variant}.py`);
          writeFileSync(file, text!);
          await run('python3', ['-m', 'py_compile', file]);
          const { stdout } = await run('python3', ['-c', EVALUATE_BODY, file]);
          expect(JSON.parse(stdout)).toEqual(c.body);
        }
      },
      RUN_TIMEOUT,
    );
  }
});
