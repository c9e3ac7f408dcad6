import { describe, expect, it } from 'vitest';
import { adviceFor, availability } from '../../src/lib/chat/params';
import { buildChatRequest } from '../../src/lib/chat/request';
import { fieldForParam } from '../../src/lib/chat/fields';
import type { ChatMessage, ChatSetup } from '../../src/lib/chat/types';
import { describeModel } from '../../src/lib/models';

const user = (content: string, id = 'u1'): ChatMessage => ({ id, role: 'user', content });

function setup(patch: Partial<ChatSetup> = {}): ChatSetup {
  return {
    model: 'gpt-4o-mini',
    systemPrompt: '',
    messages: [user('Hello')],
    params: {},
    stream: false,
    ...patch,
  };
}

function body(s: ChatSetup) {
  const built = buildChatRequest(s, describeModel(s.model));
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  return built;
}

describe('buildChatRequest', () => {
  it('sends only the model and the messages when nothing was changed', () => {
    expect(body(setup()).body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
    });
  });

  it('puts the system prompt first, with the role system', () => {
    const { body: b } = body(setup({ systemPrompt: 'Be brief.' }));
    expect(b.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello' },
    ]);
  });

  it('asks for usage in the last chunk when streaming', () => {
    const { body: b } = body(setup({ stream: true }));
    expect(b).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('sends each changed parameter under its API name, in a stable order', () => {
    const { body: b } = body(
      setup({
        params: {
          seed: 7,
          stop: ['END', '', '###'],
          temperature: 0,
          max_tokens: 50,
          frequency_penalty: 0.5,
          presence_penalty: -1,
          top_p: 0.9,
          n: 3,
          response_format: 'json_object',
        },
      }),
    );
    expect(Object.keys(b)).toEqual([
      'model',
      'messages',
      'temperature',
      'top_p',
      // The catalog's models take the current name; max_tokens is deprecated.
      'max_completion_tokens',
      'frequency_penalty',
      'presence_penalty',
      'stop',
      'seed',
      'n',
      'response_format',
    ]);
    expect(b).toMatchObject({ stop: ['END', '###'], response_format: { type: 'json_object' }, n: 3 });
  });

  it('sends max tokens as max_completion_tokens to a reasoning model, and leaves out what it rejects', () => {
    const built = body(
      setup({ model: 'o4-mini', params: { max_tokens: 2000, temperature: 0.2, reasoning_effort: 'low' } }),
    );
    expect(built.body).toMatchObject({ max_completion_tokens: 2000, reasoning_effort: 'low' });
    expect(built.body).not.toHaveProperty('max_tokens');
    expect(built.body).not.toHaveProperty('temperature');
    expect(built.leftOut.map((l) => l.param)).toEqual(['temperature']);
    expect(built.leftOut[0]!.reason).toMatch(/Only the default \(1\) value is supported/);
  });

  it('takes temperature on GPT-5.1+ only with reasoning effort none', () => {
    const m = describeModel('gpt-5.1');
    expect(availability('temperature', m, { reasoning_effort: 'low' }).enabled).toBe(false);
    expect(availability('temperature', m, { reasoning_effort: 'none' }).enabled).toBe(true);
    // Their default effort is 'none'.
    expect(availability('temperature', m, {}).enabled).toBe(true);
    expect(availability('temperature', describeModel('gpt-5'), {}).enabled).toBe(false);
  });

  it('leaves reasoning_effort out for a model that does not reason', () => {
    const built = body(setup({ params: { reasoning_effort: 'high' } }));
    expect(built.body).not.toHaveProperty('reasoning_effort');
    expect(built.leftOut).toEqual([
      { param: 'reasoning_effort', reason: 'gpt-4o-mini is not a reasoning model.' },
    ]);
  });

  it('refuses a system prompt for o1-mini and says where', () => {
    const built = buildChatRequest(setup({ model: 'o1-mini', systemPrompt: 'x' }), describeModel('o1-mini'));
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.problems[0]).toMatchObject({ field: 'systemPrompt' });
  });

  it('reports out-of-range values, too many stop sequences and an empty conversation', () => {
    const built = buildChatRequest(
      setup({ messages: [], params: { temperature: 3, n: 1.5, stop: ['a', 'b', 'c', 'd', 'e'] } }),
      describeModel('gpt-4o-mini'),
    );
    expect(built.ok).toBe(false);
    if (!built.ok)
      expect(built.problems.map((p) => p.field).sort()).toEqual(['messages', 'n', 'stop', 'temperature']);
  });

  it('refuses an embeddings model', () => {
    const built = buildChatRequest(
      setup({ model: 'text-embedding-3-small' }),
      describeModel('text-embedding-3-small'),
    );
    expect(built.ok).toBe(false);
  });

  it('sends everything as set to a model the catalog does not know (a local server)', () => {
    const built = body(setup({ model: 'llama3.2', params: { max_tokens: 10, reasoning_effort: 'low' } }));
    expect(built.body).toMatchObject({ max_tokens: 10, reasoning_effort: 'low' });
  });

  it('sends a refusal back as a refusal', () => {
    const answer = {
      runId: 'r',
      choices: [''],
      choice: 0,
      end: 'done' as const,
      refusal: "I'm sorry, I can't help with that.",
      metrics: {} as never,
    };
    const { body: b } = body(
      setup({
        messages: [user('x'), { id: 'a', role: 'assistant', content: '', answer }, user('why?', 'u2')],
      }),
    );
    expect(b.messages[1]).toEqual({ role: 'assistant', refusal: "I'm sorry, I can't help with that." });
  });

  it('builds without model facts (catalog not loaded yet)', () => {
    const built = buildChatRequest(setup({ params: { max_tokens: 5 } }), null);
    expect(built.ok && built.body).toMatchObject({ max_tokens: 5 });
  });
});

describe('advice', () => {
  it('warns about temperature with top_p, and JSON mode without the word JSON', () => {
    expect(adviceFor({ temperature: 0.2, top_p: 0.5 }, null, 'hi').join(' ')).toMatch(/not both/);
    expect(adviceFor({ response_format: 'json_object' }, null, 'hi').join(' ')).toMatch(/JSON/);
    expect(adviceFor({ response_format: 'json_object' }, null, 'answer in json')).toEqual([]);
  });
});

describe('fieldForParam', () => {
  const messages = [user('a', 'm1'), user('b', 'm2')];
  it('points at the control an API error names', () => {
    expect(fieldForParam('temperature', { systemPrompt: false, messages })?.elementId).toBe(
      'param-temperature',
    );
    expect(fieldForParam('max_completion_tokens', { systemPrompt: false, messages })?.field).toBe(
      'max_tokens',
    );
    expect(fieldForParam('messages[0].role', { systemPrompt: true, messages })?.field).toBe('systemPrompt');
    expect(fieldForParam('messages[2].role', { systemPrompt: true, messages })?.field).toBe('message:m2');
    expect(fieldForParam('web_search_options', { systemPrompt: false, messages })).toBeNull();
  });
});
