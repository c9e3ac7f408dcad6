import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnswerFormat } from '../../src/lib/chat/types';
import { checkStructured } from '../../src/lib/tools/structured';

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

interface AssembledChoice {
  content: string | null;
  refusal: string | null;
  finish_reason: string | null;
}

interface Recorded {
  file: string;
  assembled_by_concatenating_deltas: Record<string, AssembledChoice>;
}

const recorded = fixture<Recorded[]>('sse/index.json');

/** The choices the stream assembled to, in order. */
function choicesOf(file: string): AssembledChoice[] {
  const entry = recorded.find((r) => r.file === file);
  if (!entry) throw new Error(`${file} is not in sse/index.json`);
  return Object.entries(entry.assembled_by_concatenating_deltas)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, choice]) => choice);
}

/** The `Location` model of openai-python's tests, as pydantic sends it (strict). */
const location: AnswerFormat = {
  type: 'json_schema',
  name: 'Location',
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

const done = { refusal: null, finishReason: 'stop', end: 'done' } as const;

function check(choice: AssembledChoice, format: AnswerFormat = location) {
  return checkStructured(choice.content ?? '', format, {
    refusal: choice.refusal,
    finishReason: choice.finish_reason,
    end: 'done',
  });
}

describe('checkStructured on recorded answers', () => {
  it('finds the parsed Location of test_parse_pydantic_model valid', () => {
    const [choice] = choicesOf('openai-python__test_parse_pydantic_model.sse');
    expect(check(choice!)).toStrictEqual({
      state: 'valid',
      value: { city: 'San Francisco', temperature: 61, units: 'f' },
      name: 'Location',
    });
  });

  it('finds each of the three choices of the multiple-choices stream valid', () => {
    const choices = choicesOf('openai-python__test_parse_pydantic_model_multiple_choices.sse');
    expect(choices).toHaveLength(3);
    expect(choices.map((c) => check(c))).toStrictEqual(
      [65, 61, 59].map((temperature) => ({
        state: 'valid',
        value: { city: 'San Francisco', temperature, units: 'f' },
        name: 'Location',
      })),
    );
  });

  it('reports the refusal of test_parse_pydantic_model_refusal as refused', () => {
    const [choice] = choicesOf('openai-python__test_parse_pydantic_model_refusal.sse');
    expect(choice!.content).toBeNull();
    expect(check(choice!)).toStrictEqual({ state: 'refused' });
  });

  it('reports the answer cut by max tokens as incomplete because of its length', () => {
    const [choice] = choicesOf('openai-python__test_parse_max_tokens_reached.sse');
    expect(choice!.finish_reason).toBe('length');
    expect(check(choice!)).toStrictEqual({ state: 'incomplete', why: 'length', parsed: false });
  });
});

describe('checkStructured', () => {
  const whole = '{"city":"Paris","temperature":12.5,"units":"c"}';

  it('reports a stopped or interrupted answer as incomplete, even when its JSON parses', () => {
    expect(
      checkStructured('{"city":"Pa', location, { ...done, finishReason: null, end: 'stopped' }),
    ).toStrictEqual({
      state: 'incomplete',
      why: 'stopped',
      parsed: false,
    });
    expect(
      checkStructured(whole, location, { ...done, finishReason: null, end: 'interrupted' }),
    ).toStrictEqual({
      state: 'incomplete',
      why: 'interrupted',
      parsed: true,
    });
  });

  it('reports an answer the content filter stopped as incomplete', () => {
    expect(
      checkStructured('{"city":"Pa', location, { ...done, finishReason: 'content_filter', end: 'done' }),
    ).toStrictEqual({ state: 'incomplete', why: 'content_filter', parsed: false });
  });

  it('reports text that is not JSON, with where it goes wrong', () => {
    const result = checkStructured('{\n  "city": Paris\n}', location, done);
    expect(result.state).toBe('not-json');
    if (result.state !== 'not-json') return;
    expect(result.error).toMatchObject({ line: 2, column: 11 });
    expect(result.error.message).toContain('Paris');
  });

  it('lists the properties that break the schema', () => {
    const result = checkStructured('{"city":"Paris","temperature":"warm","units":"k"}', location, done);
    expect(result.state).toBe('invalid');
    if (result.state !== 'invalid') return;
    expect(result.name).toBe('Location');
    expect(result.value).toStrictEqual({ city: 'Paris', temperature: 'warm', units: 'k' });
    expect(result.errors.map((e) => e.path)).toEqual(expect.arrayContaining([['temperature'], ['units']]));
    expect(result.errors.every((e) => e.path[0] === 'temperature' || e.path[0] === 'units')).toBe(true);
  });

  it('names a missing required property and an extra one', () => {
    const result = checkStructured('{"city":"Paris","temperature":3,"country":"FR"}', location, done);
    expect(result.state).toBe('invalid');
    if (result.state !== 'invalid') return;
    const messages = result.errors.map((e) => e.message).join('\n');
    expect(messages).toContain('units');
    expect(messages).toContain('country');
  });

  it('takes any JSON in JSON mode: there is no schema to check', () => {
    expect(checkStructured('{"anything": [1, 2]}', { type: 'json_object' }, done)).toStrictEqual({
      state: 'valid',
      value: { anything: [1, 2] },
      name: null,
    });
    expect(checkStructured('[1, 2', { type: 'json_object' }, done).state).toBe('not-json');
  });
});
