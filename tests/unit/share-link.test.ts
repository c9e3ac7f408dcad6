import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../src/lib/chat/types';
import {
  MAX_FRAGMENT_LENGTH,
  MAX_LINK_LENGTH,
  decodeSetup,
  encodeSetup,
  fitsInLink,
  readSetupFile,
  readShareFragment,
  setupFileText,
  shareUrl,
  type SharedSetup,
} from '../../src/lib/share/link';
import {
  MAX_SETUP_BYTES,
  SHARE_DEFAULTS,
  describeSetup,
  messagesFrom,
  shareChat,
  shareEmbeddings,
  shareTools,
  toolDraftsFrom,
} from '../../src/lib/share/setup';
import { DEFAULT_DRAFT } from '../../src/lib/state/chat.svelte';
import { DEFAULT_EMBEDDING_MODEL } from '../../src/lib/state/embeddings.svelte';
import { DEFAULT_TOOLS_DRAFT } from '../../src/lib/state/tools.svelte';

/** A link's value made by hand, as an attacker would: any JSON text, deflated. */
function craft(json: string | Uint8Array): string {
  return `v1.${deflateRawSync(typeof json === 'string' ? Buffer.from(json) : json).toString('base64url')}`;
}

/** The JSON a link carries, read with zlib rather than with the code under test. */
function payloadOf(encoded: string): unknown {
  return JSON.parse(inflateRawSync(Buffer.from(encoded.slice(3), 'base64url')).toString('utf8'));
}

async function reasonOf(value: string): Promise<string> {
  const result = await decodeSetup(value);
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.reason;
}

const weatherTool = JSON.stringify(
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
        required: ['city', 'unit'],
        additionalProperties: false,
      },
      strict: true,
    },
  },
  null,
  2,
);

/** A setup as people make them: a prompt, a short conversation with a tool call, a tool, a few texts. */
const typical: SharedSetup = {
  v: 1,
  chat: {
    model: 'gpt-4o',
    systemPrompt:
      'You are a terse travel assistant. Answer in one or two sentences; call get_weather for anything about the weather.',
    messages: [
      { role: 'user', content: 'Should I bring an umbrella to Lisbon tomorrow?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_8fQz1', name: 'get_weather', arguments: '{"city":"Lisbon","unit":"celsius"}' },
        ],
      },
      { role: 'tool', content: '{"temperature":19,"conditions":"light rain"}', toolCallId: 'call_8fQz1' },
      { role: 'assistant', content: 'Yes: light rain and 19 °C are expected in Lisbon tomorrow.' },
    ],
    params: { temperature: 0.2, max_tokens: 300 },
    stream: true,
  },
  tools: {
    tools: [
      {
        text: weatherTool,
        enabled: true,
        mock: { kind: 'fixed', reply: '{"temperature":19,"conditions":"light rain"}', code: '' },
      },
    ],
    choice: 'auto',
    parallel: true,
    schemaText: '',
  },
  embeddings: {
    texts: [
      'fruit\tAn apple a day keeps the doctor away',
      'fruit\tBananas are rich in potassium',
      'tech\tThe new phone has a faster chip',
      'tech\tLaptops are getting lighter every year',
      'sport\tThe match ended in a draw',
    ].join('\n'),
    model: 'text-embedding-3-small',
    dimensions: 256,
    query: 'healthy food',
  },
};

const unicode: SharedSetup = {
  v: 1,
  chat: {
    model: 'o4-mini',
    systemPrompt: 'Réponds en français.\nLigne 2\r\nLigne 3\ttabulée — « guillemets »',
    messages: [
      { role: 'developer', content: 'Emoji: 👩🏽‍💻🧪🇯🇵 and ZWJ family 👨‍👩‍👧‍👦' },
      { role: 'user', content: '日本語のテキスト、한국어, עברית مرحبا, Ελληνικά, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢' },
      { role: 'assistant', content: '' },
      {
        role: 'user',
        content: 'Quotes " \' ` and backslashes \\ \\n and a lone surrogate \ud83d and NUL \u0000',
      },
      { role: 'system', content: '\n\n  leading and trailing whitespace  \n\n' },
    ],
    params: {
      top_p: 0.9,
      frequency_penalty: -0.5,
      presence_penalty: 1.25,
      stop: ['\n\n', 'END 🛑'],
      seed: 42,
      n: 3,
      reasoning_effort: 'high',
      response_format: 'json_schema',
    },
    stream: false,
  },
  tools: {
    tools: [
      { text: '{ "type": "function" ', enabled: false, mock: { kind: 'none', reply: 'kept ✓', code: '' } },
      { text: '', enabled: true, mock: { kind: 'function', reply: '', code: 'return { ok: "✅" };\n// é' } },
    ],
    choice: { function: 'get_weather' },
    parallel: false,
    schemaText: '{\n  "name": "answer",\n  "schema": { "type": "object" }\n}',
  },
  embeddings: {
    texts: 'ラベル\t日本語\n🍎 apple\n\tno label\r\n',
    model: 'text-embedding-3-large',
    dimensions: null,
    query: '果物 🍌',
  },
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('round trip', () => {
  it('decodes a typical setup (nothing secret in it) to exactly the input', async () => {
    const encoded = await encodeSetup(typical);
    expect(encoded).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(await decodeSetup(encoded)).toStrictEqual({ ok: true, setup: typical });
  });

  it('keeps unicode, emoji, newlines, tabs, quotes and non-default values of every field', async () => {
    expect(await decodeSetup(await encodeSetup(unicode))).toStrictEqual({ ok: true, setup: unicode });
  });

  it('carries only the parts given: the others stay as they are in the playground', async () => {
    for (const setup of [
      { v: 1, chat: typical.chat! },
      { v: 1, tools: typical.tools! },
      { v: 1, embeddings: typical.embeddings! },
      { v: 1 },
    ] satisfies SharedSetup[]) {
      expect(await decodeSetup(await encodeSetup(setup))).toStrictEqual({ ok: true, setup });
    }
  });

  it('survives a real URL: the fragment read back is the value written', async () => {
    const encoded = await encodeSetup(unicode);
    const url = shareUrl(
      { origin: 'https://example.org', pathname: '/sandpit/', search: '?lang=en' },
      encoded,
    );
    const hash = new URL(url).hash;
    expect(readShareFragment(hash)).toBe(encoded);
    expect(await decodeSetup(readShareFragment(hash)!)).toStrictEqual({ ok: true, setup: unicode });
  });
});

describe('defaults are left out', () => {
  const defaults: SharedSetup = {
    v: 1,
    chat: { model: 'gpt-4o-mini', systemPrompt: '', messages: [], params: {}, stream: true },
    tools: { tools: [], parallel: true, schemaText: '' },
    embeddings: { texts: '', model: 'text-embedding-3-small', dimensions: null, query: '' },
  };

  it('a setup at its defaults is a few bytes, and opens as the defaults', async () => {
    const encoded = await encodeSetup(defaults);
    expect(payloadOf(encoded)).toStrictEqual({ v: 1, chat: {}, tools: {}, embeddings: {} });
    expect(encoded.length).toBeLessThan(64);
    expect(await decodeSetup(encoded)).toStrictEqual({ ok: true, setup: defaults });
  });

  it('one change is all the link says', async () => {
    const setup: SharedSetup = {
      ...defaults,
      chat: { ...defaults.chat!, params: { temperature: 0 } },
      tools: {
        ...defaults.tools!,
        tools: [{ text: '{}', enabled: true, mock: { kind: 'none', reply: '', code: '' } }],
      },
    };
    const encoded = await encodeSetup(setup);
    expect(payloadOf(encoded)).toStrictEqual({
      v: 1,
      chat: { params: { temperature: 0 } },
      tools: { tools: [{ text: '{}' }] },
      embeddings: {},
    });
    expect(await decodeSetup(encoded)).toStrictEqual({ ok: true, setup });
  });

  it('agrees with the playground’s own defaults', () => {
    expect(SHARE_DEFAULTS.chat).toEqual({
      model: DEFAULT_DRAFT.model,
      systemPrompt: DEFAULT_DRAFT.systemPrompt,
      stream: DEFAULT_DRAFT.stream,
    });
    expect(DEFAULT_DRAFT.messages).toEqual([]);
    expect(DEFAULT_DRAFT.params).toEqual({});
    expect(SHARE_DEFAULTS.tools).toEqual({
      parallel: DEFAULT_TOOLS_DRAFT.parallel,
      schemaText: DEFAULT_TOOLS_DRAFT.schemaText,
    });
    expect(DEFAULT_TOOLS_DRAFT.tools).toEqual([]);
    expect(DEFAULT_TOOLS_DRAFT.choice).toBeUndefined();
    expect(SHARE_DEFAULTS.embeddings.model).toBe(DEFAULT_EMBEDDING_MODEL);
  });

  it('a typical setup makes a link well within the limit', async () => {
    const url = shareUrl(
      { origin: 'https://sandpit.example', pathname: '/', search: '' },
      await encodeSetup(typical),
    );
    expect(url.length).toBeLessThan(1500);
    expect(fitsInLink(url)).toBe(true);
  });
});

describe('nothing but the setup', () => {
  const answered: ChatMessage = {
    id: 'm2',
    role: 'assistant',
    content: 'Hello!',
    answer: {
      runId: 'run-123',
      choices: ['Hello!'],
      choice: 0,
      end: 'done',
      refusal: null,
      metrics: {
        ttftMs: 120,
        totalMs: 800,
        tokensPerSecond: 40,
        usage: { prompt: 10, completion: 3, total: 13, cached: null, reasoning: null },
        costUsd: 0.0001,
        finishReasons: ['stop'],
        systemFingerprint: 'fp_abc',
        requestId: 'req_secretish',
        model: 'gpt-4o-mini-2024-07-18',
        attempts: 1,
        streamed: true,
        chunkCount: 5,
      },
    },
  };

  it('shares the conversation’s text, not its answers’ metrics or ids', async () => {
    const chat = shareChat({
      model: 'gpt-4o-mini',
      systemPrompt: '',
      messages: [{ id: 'm1', role: 'user', content: 'Hi' }, answered],
      params: { temperature: 1, seed: undefined },
      stream: true,
    });
    const encoded = await encodeSetup({ v: 1, chat });
    const json = JSON.stringify(payloadOf(encoded));
    for (const word of ['answer', 'metrics', 'req_secretish', 'run-123', 'fp_abc', '"id"', 'seed']) {
      expect(json).not.toContain(word);
    }
    expect(await decodeSetup(encoded)).toStrictEqual({
      ok: true,
      setup: {
        v: 1,
        chat: {
          model: 'gpt-4o-mini',
          systemPrompt: '',
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello!' },
          ],
          params: { temperature: 1 },
          stream: true,
        },
      },
    });
  });

  it('copies only the fields it knows from whatever object it is given (a key cannot slip in)', async () => {
    const leaky = {
      v: 1,
      apiKey: 'sk-should-never-travel',
      chat: { ...typical.chat!, apiKey: 'sk-2', params: { temperature: 1, api_key: 'sk-3' } },
      tools: { ...typical.tools!, autoRun: true, maxSteps: 50, selected: 't1' },
      embeddings: { ...typical.embeddings!, baseURL: 'https://evil.example' },
    } as SharedSetup;
    const encoded = await encodeSetup(leaky);
    const json = JSON.stringify(payloadOf(encoded));
    for (const word of ['sk-', 'apiKey', 'api_key', 'autoRun', 'maxSteps', 'selected', 'evil']) {
      expect(json).not.toContain(word);
    }
  });

  it('has no place for a key in its type', () => {
    // @ts-expect-error: a key is not part of a shared setup
    const setup: SharedSetup = { v: 1, apiKey: 'sk-test' };
    // @ts-expect-error: nor is the tool loop's auto-run
    const tools: SharedSetup['tools'] = { tools: [], parallel: true, schemaText: '', autoRun: true };
    expect([setup, tools]).toHaveLength(2);
  });

  it('drops every field a crafted link adds (a key, auto-run, prototype pollution)', async () => {
    const crafted = craft(
      JSON.stringify({
        v: 1,
        apiKey: 'sk-attacker',
        baseURL: 'https://evil.example/v1',
        chat: {
          model: 'gpt-4o',
          apiKey: 'sk-2',
          messages: [{ role: 'user', content: 'hi', id: 'x', answer: { runId: 'r' } }],
          params: { temperature: 0.5, api_key: 'sk-3', tools: [] },
        },
        tools: { autoRun: true, maxSteps: 50, tools: [{ text: '{}', id: 't', autoRun: true }] },
        embeddings: { query: 'q', vectors: [[1, 2]] },
      }).replace('"v":1', '"v":1,"__proto__":{"polluted":true}'),
    );
    const result = await decodeSetup(crafted);
    expect(result).toStrictEqual({
      ok: true,
      setup: {
        v: 1,
        chat: {
          model: 'gpt-4o',
          systemPrompt: '',
          messages: [{ role: 'user', content: 'hi' }],
          params: { temperature: 0.5 },
          stream: true,
        },
        tools: {
          tools: [{ text: '{}', enabled: true, mock: { kind: 'none', reply: '', code: '' } }],
          parallel: true,
          schemaText: '',
        },
        embeddings: { texts: '', model: 'text-embedding-3-small', dimensions: null, query: 'q' },
      },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('links that cannot be opened', () => {
  it('gives a reason for every failure and never throws', async () => {
    const cases: [string, RegExp][] = [
      ['', /not a Sandpit share link/],
      ['hello', /not a Sandpit share link/],
      ['v0.abc', /not a Sandpit share link/],
      ['v2.abc', /newer Sandpit \(format v2\)/],
      ['v17.' + craft('{}').slice(3), /newer Sandpit/],
      ['v1.!!!', /characters a share link never has/],
      ['v1.abc=', /characters a share link never has/],
      ['v1.A', /characters a share link never has/],
      ['v1.' + Buffer.from('not deflate at all, just bytes ÿ').toString('base64url'), /cannot be unpacked/],
      ['v1.', /cannot be unpacked|not JSON/],
      [craft('not json'), /not JSON/],
      [craft(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not JSON/],
      [craft('null'), /not a Sandpit setup/],
      [craft('[1,2]'), /not a Sandpit setup/],
      [craft('"v1"'), /not a Sandpit setup/],
      [craft('{"chat":{}}'), /not a Sandpit setup/],
      [craft('{"v":2,"whatever":true}'), /newer Sandpit \(format v2\)/],
      [craft('{"v":"1"}'), /not valid \(v: /],
      [craft('{"v":1,"chat":{"messages":"hi"}}'), /chat\.messages/],
      [craft('{"v":1,"chat":{"messages":[{"role":"wizard","content":"x"}]}}'), /chat\.messages\.0\.role/],
      [craft('{"v":1,"chat":{"params":{"temperature":1e999}}}'), /chat\.params\.temperature/],
      [craft('{"v":1,"chat":{"params":{"temperature":"hot"}}}'), /chat\.params\.temperature/],
      [craft(`{"v":1,"chat":{"model":"${'m'.repeat(257)}"}}`), /chat\.model/],
      [craft('{"v":1,"tools":{"choice":"sometimes"}}'), /tools\.choice/],
      [craft('{"v":1,"tools":{"tools":[{"mock":{"kind":"eval"}}]}}'), /tools\.tools\.0\.mock\.kind/],
      [craft('{"v":1,"embeddings":{"dimensions":0}}'), /embeddings\.dimensions/],
      [craft('{"v":1,"embeddings":{"dimensions":1.5}}'), /embeddings\.dimensions/],
      [
        craft(JSON.stringify({ v: 1, chat: { messages: Array(2001).fill({ role: 'user' }) } })),
        /chat\.messages/,
      ],
      [craft(JSON.stringify({ v: 1, tools: { tools: Array(513).fill({}) } })), /tools\.tools/],
      [craft(JSON.stringify({ v: 1, chat: { systemPrompt: 'x'.repeat(1_000_001) } })), /chat\.systemPrompt/],
      ['v1.' + 'A'.repeat(MAX_FRAGMENT_LENGTH), /far too long/],
    ];
    for (const [value, reason] of cases) {
      const result = await decodeSetup(value);
      expect(result, value.slice(0, 60)).toMatchObject({ ok: false, reason });
    }
  });

  it('says a link cut short when it was copied is damaged', async () => {
    const encoded = await encodeSetup(typical);
    for (const cut of [encoded.length - 1, encoded.length - 7, Math.floor(encoded.length / 2)]) {
      expect(await reasonOf(encoded.slice(0, cut))).toMatch(/cannot be (opened|unpacked)/);
    }
  });

  it('refuses a decompression bomb without unpacking it whole', async () => {
    // 50 MB of zeros deflate to about 50 kB: a link that would unpack to 50 MB.
    const bomb = craft(new Uint8Array(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    // Counts the bytes that come out of the decompressor as the decoder reads them.
    const Real = globalThis.DecompressionStream;
    let produced = 0;
    class Counting {
      readonly readable: ReadableStream<Uint8Array>;
      readonly writable: WritableStream<BufferSource>;
      constructor(format: CompressionFormat) {
        const real = new Real(format);
        this.writable = real.writable;
        this.readable = real.readable.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              produced += chunk.byteLength;
              controller.enqueue(chunk);
            },
          }),
        );
      }
    }
    vi.stubGlobal('DecompressionStream', Counting);
    const started = performance.now();
    expect(await reasonOf(bomb)).toMatch(/unpacks to more than 2 MB/);
    expect(produced).toBeGreaterThan(MAX_SETUP_BYTES);
    expect(produced).toBeLessThan(MAX_SETUP_BYTES + 1024 * 1024);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses to make a link a setup could not be opened from', async () => {
    const tooMany: SharedSetup = {
      v: 1,
      chat: {
        ...typical.chat!,
        messages: Array.from({ length: 2001 }, () => ({ role: 'user', content: 'x' })),
      },
    };
    await expect(encodeSetup(tooMany)).rejects.toThrow(/cannot be shared.*chat\.messages/);
    const tooBig: SharedSetup = {
      v: 1,
      chat: {
        ...typical.chat!,
        messages: Array.from({ length: 3 }, () => ({ role: 'user', content: 'é'.repeat(500_000) })),
      },
    };
    await expect(encodeSetup(tooBig)).rejects.toThrow(/more than the 2 MB/);
  });
});

describe('link or file', () => {
  it('builds the URL from the location it is given', () => {
    expect(shareUrl({ origin: 'https://a.example', pathname: '/play/', search: '?x=1' }, 'v1.abc')).toBe(
      'https://a.example/play/?x=1#s=v1.abc',
    );
    expect(shareUrl({ origin: 'http://localhost:5173', pathname: '/', search: '' }, 'v1.Q')).toBe(
      'http://localhost:5173/#s=v1.Q',
    );
  });

  it('offers a link up to MAX_LINK_LENGTH characters of the whole URL', () => {
    expect(MAX_LINK_LENGTH).toBe(8000);
    const base = 'https://a.example/#s=v1.';
    expect(fitsInLink(base + 'x'.repeat(MAX_LINK_LENGTH - base.length))).toBe(true);
    expect(fitsInLink(base + 'x'.repeat(MAX_LINK_LENGTH - base.length + 1))).toBe(false);
  });

  it('offers a file for a setup too large for a link, which opens to the same setup', async () => {
    // Text that does not compress: 12,000 pseudo-random characters.
    let seed = 7;
    const noise = Array.from({ length: 12_000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return String.fromCharCode(33 + (seed % 94));
    }).join('');
    const large: SharedSetup = { ...typical, chat: { ...typical.chat!, systemPrompt: noise } };
    const url = shareUrl(
      { origin: 'https://a.example', pathname: '/', search: '' },
      await encodeSetup(large),
    );
    expect(fitsInLink(url)).toBe(false);
    const file = setupFileText(large);
    expect(file).not.toContain('"stream"');
    expect(readSetupFile(file)).toStrictEqual({ ok: true, setup: large });
    expect(readSetupFile('\uFEFF' + setupFileText(unicode))).toStrictEqual({ ok: true, setup: unicode });
  });

  it('gives a reason for a file that is not a setup', () => {
    expect(readSetupFile('name,text\na,b')).toMatchObject({ ok: false, reason: /not JSON/ });
    expect(readSetupFile('{"items":[]}')).toMatchObject({ ok: false, reason: /not a Sandpit setup/ });
    expect(readSetupFile('{"v":3}')).toMatchObject({ ok: false, reason: /newer Sandpit/ });
    expect(readSetupFile('{"v":1,"chat":{"stream":"yes"}}')).toMatchObject({
      ok: false,
      reason: /chat\.stream/,
    });
    expect(readSetupFile(' '.repeat(MAX_SETUP_BYTES + 1))).toMatchObject({
      ok: false,
      reason: /more than 2 MB/,
    });
  });
});

describe('readShareFragment', () => {
  it.each([
    ['#s=v1.abc', 'v1.abc'],
    ['s=v1.abc', 'v1.abc'],
    ['#s=v1.abc&utm_source=chat', 'v1.abc'],
    ['#ref=1&s=v1.abc', 'v1.abc'],
    ['#s=v2.future', 'v2.future'],
    ['#s=v1.abc ', 'v1.abc'],
  ])('%j → %j', (hash, value) => {
    expect(readShareFragment(hash)).toBe(value);
  });

  it.each(['', '#', '#s=', '#s', '#section-2', '#S=v1.abc', '#xs=v1.abc'])('%j → null', (hash) => {
    expect(readShareFragment(hash)).toBeNull();
  });
});

describe('from and to the playground', () => {
  it('turns the tools and the lab into their shared parts, leaving auto-run behind', () => {
    const tools = shareTools({
      tools: [{ id: 't1', text: '{}', enabled: false, mock: { kind: 'fixed', reply: 'ok', code: '' } }],
      choice: undefined,
      parallel: true,
      schemaText: '',
      ...{ autoRun: true, maxSteps: 9 },
    });
    expect(tools).toStrictEqual({
      tools: [{ text: '{}', enabled: false, mock: { kind: 'fixed', reply: 'ok', code: '' } }],
      parallel: true,
      schemaText: '',
    });
    expect(shareEmbeddings({ text: 'a\nb', model: 'm', dimensions: 8, query: 'q' })).toStrictEqual({
      texts: 'a\nb',
      model: 'm',
      dimensions: 8,
      query: 'q',
    });
  });

  it('gives opened messages and tools new ids, keeping tool calls and their results paired', () => {
    const messages = messagesFrom(typical.chat!.messages);
    expect(new Set(messages.map((m) => m.id)).size).toBe(4);
    expect(messages[1]!.toolCalls![0]!.id).toBe(messages[2]!.toolCallId);
    const drafts = toolDraftsFrom(typical.tools!.tools);
    expect(drafts[0]).toMatchObject({ text: weatherTool, enabled: true, mock: { kind: 'fixed' } });
    expect(drafts[0]!.id).toMatch(/^[0-9a-f]{24}$/);
  });

  it('says what an opened setup filled', () => {
    expect(describeSetup(typical)).toBe(
      'the chat (gpt-4o, 4 messages), 1 tool and the embeddings lab (5 texts)',
    );
    expect(describeSetup({ v: 1, tools: { tools: [], parallel: true, schemaText: '' } })).toBe(
      'the tools panel',
    );
    expect(describeSetup({ v: 1 })).toBe('nothing');
  });
});
