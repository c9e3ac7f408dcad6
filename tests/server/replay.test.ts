import { describe, expect, it } from 'vitest';
import type OpenAI from 'openai';
import { validateChatRequest } from './openapi.ts';
import {
  assembleChunks,
  clientFor,
  requestFor,
  streamIndex,
  useServer,
  wireBytes,
  type AssembledChoice,
  type StreamIndexEntry,
} from './helpers.ts';

const { session } = useServer();

/**
 * Every fixture goes through `chat.completions.stream()`, Azure's empty first chunk included. One
 * SDK quirk is pinned here: the helper merges each chunk's top-level fields into its snapshot with
 * `Object.assign`, so gpt-5's trailing `usage: null` chunk (after the usage chunk) erases the usage
 * of `finalChatCompletion()`, and `totalUsage()` then sums nothing. The usage is still in the chunks.
 */
const HELPER_LOSES_USAGE = new Set(['pydantic-ai__gpt-5_text.1.sse']);

function expected(entry: StreamIndexEntry): Record<string, AssembledChoice> {
  return Object.fromEntries(
    Object.entries(entry.assembled_by_concatenating_deltas).map(([index, choice]) => [
      index,
      {
        content: choice.content,
        refusal: choice.refusal,
        tool_calls: choice.tool_calls.map(({ index: i, id, name, arguments: args }) => ({
          index: i,
          id,
          name,
          arguments: args,
        })),
        finish_reason: choice.finish_reason,
        n_logprob_tokens: choice.n_logprob_tokens,
      },
    ]),
  );
}

describe.each(streamIndex().map((entry) => [entry.file, entry] as const))('replay of %s', (file, entry) => {
  it('streams through the SDK to the recorded content, tool calls, finish reasons and usage', async () => {
    const s = await session();
    await s.queue({ kind: 'replay', fixture: file });
    const stream = await clientFor(s).chat.completions.create({
      ...requestFor(entry),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const assembled = assembleChunks(chunks);
    expect(assembled.choices).toEqual(expected(entry));
    expect(assembled.usage).toEqual(entry.usage);

    // The body the SDK sent is a valid request by OpenAI's own schema.
    const [request] = await s.requests();
    expect(request?.scenario).toBe(`replay:${file}`);
    expect(request?.schemaErrors).toEqual([]);
    expect(validateChatRequest(request?.body).valid).toBe(true);
  });

  it('puts the recorded bytes on the wire unchanged', async () => {
    const s = await session();
    await s.queue({ kind: 'replay', fixture: file });
    const response = await fetch(`${s.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...requestFor(entry), stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(Buffer.from(await response.arrayBuffer()).equals(wireBytes(file))).toBe(true);
  });

  it('gives the same result through chat.completions.stream() and finalChatCompletion()', async () => {
    const s = await session();
    await s.queue({ kind: 'replay', fixture: file });
    const runner = clientFor(s).chat.completions.stream({
      ...requestFor(entry),
      stream_options: { include_usage: true },
    });
    let chunkUsage: unknown = null;
    runner.on('chunk', (chunk) => {
      if (chunk.usage) chunkUsage = chunk.usage;
    });
    const completion = await runner.finalChatCompletion();
    expect(summarise(completion.choices, { fromHelper: true })).toEqual(expected(entry));
    expect(chunkUsage).toEqual(entry.usage);
    if (HELPER_LOSES_USAGE.has(file)) {
      expect(completion.usage).toBeNull();
      expect((await runner.totalUsage()).total_tokens).toBe(0);
    } else {
      expect(completion.usage).toEqual(entry.usage);
    }
  });

  it('answers a non-streaming request with the assembled chat.completion', async () => {
    const s = await session();
    await s.queue({ kind: 'replay', fixture: file });
    const completion = await clientFor(s).chat.completions.create(requestFor(entry));
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(entry.models[0]);
    expect(summarise(completion.choices, { fromHelper: false })).toEqual(expected(entry));
    expect(completion.usage).toEqual(entry.usage);
    for (const choice of completion.choices) expect(choice.message.annotations).toEqual([]);
  });
});

/**
 * A completion's choices in the shape of `assembled_by_concatenating_deltas`, keyed by index. The SDK's
 * stream helper starts a message with content '' and may leave refusal unset where the recording has
 * null; the server's own non-streaming answer must carry the nulls exactly.
 */
function summarise(choices: OpenAI.ChatCompletion.Choice[], { fromHelper }: { fromHelper: boolean }) {
  return Object.fromEntries(
    choices.map((choice) => [
      String(choice.index),
      {
        content: fromHelper ? choice.message.content || null : choice.message.content,
        refusal: fromHelper ? (choice.message.refusal ?? null) : choice.message.refusal,
        tool_calls: (choice.message.tool_calls ?? []).map((call, index) => ({
          index,
          id: call.id,
          name: call.type === 'function' ? call.function.name : '',
          arguments: call.type === 'function' ? call.function.arguments : '',
        })),
        finish_reason: choice.finish_reason,
        n_logprob_tokens: (choice.logprobs?.content?.length ?? 0) + (choice.logprobs?.refusal?.length ?? 0),
      },
    ]),
  );
}
