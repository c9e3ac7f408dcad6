import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setupFromRequest } from '../../src/lib/chat/from-request';
import { buildChatRequest } from '../../src/lib/chat/request';
import type { ChatSetup, ToolsSetup } from '../../src/lib/chat/types';
import { describeModel } from '../../src/lib/models';

type Body = Record<string, unknown>;

const conversation = (file: string): Body[] =>
  (
    JSON.parse(readFileSync(new URL(`../fixtures/sse/${file}`, import.meta.url), 'utf8')) as {
      interactions: { request: { body: Body } }[];
    }
  ).interactions.map((i) => i.request.body);

/** Builds the request again from what setupFromRequest restored. */
function rebuild(body: Body): Body {
  const s = setupFromRequest(body);
  const tools: ToolsSetup | undefined = s.tools.length
    ? {
        tools: s.tools.map((text, i) => ({ id: `t${i}`, ok: true, tool: JSON.parse(text) })),
        choice: s.choice,
        parallel: s.parallel,
      }
    : undefined;
  const setup: ChatSetup = {
    model: s.model,
    systemPrompt: s.systemPrompt,
    messages: s.messages,
    params: s.params,
    stream: s.stream,
    ...(tools && { tools }),
    ...(s.schemaText && { schema: { ok: true, format: JSON.parse(s.schemaText) } }),
  };
  const built = buildChatRequest(setup, describeModel(s.model));
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  return built.body as unknown as Body;
}

describe('setupFromRequest', () => {
  it('restores the recorded three-turn tool loop so that each request is built again exactly', () => {
    for (const body of conversation('pydantic-ai__gpt-4o_tool_loop.conversation.json')) {
      expect(rebuild(body)).toStrictEqual(body);
    }
  });

  it('restores parameters, the system prompt, a named tool choice, parallel calls off and a schema', () => {
    const body: Body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Review this lamp.' },
      ],
      temperature: 0.2,
      max_completion_tokens: 300,
      stop: ['END'],
      seed: 7,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'review',
          strict: true,
          schema: {
            type: 'object',
            properties: { score: { type: 'integer' } },
            required: ['score'],
            additionalProperties: false,
          },
        },
      },
      tools: [
        { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
    };
    const s = setupFromRequest(body);
    expect(s.systemPrompt).toBe('Be brief.');
    expect(s.messages.map((m) => [m.role, m.content])).toEqual([['user', 'Review this lamp.']]);
    expect(s.params).toEqual({
      temperature: 0.2,
      max_tokens: 300,
      stop: ['END'],
      seed: 7,
      response_format: 'json_schema',
    });
    expect(s.choice).toEqual({ function: 'lookup' });
    expect(s.parallel).toBe(false);
    expect(JSON.parse(s.schemaText)).toEqual((body.response_format as Body).json_schema);
    expect(rebuild(body)).toStrictEqual(body);
  });

  it('ignores what it cannot show rather than failing', () => {
    const s = setupFromRequest({ model: 5, messages: [null, { role: 'function', content: 'x' }, 'text'] });
    expect(s.model).toBe('');
    expect(s.messages).toEqual([]);
    expect(s.tools).toEqual([]);
  });
});
