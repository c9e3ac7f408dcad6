import { describe, expect, it } from 'vitest';
import { formatPath, lineColumn, locatePath, parseJsonText } from '../../src/lib/tools/json-text';

function errorOf(text: string) {
  const result = parseJsonText(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} not to parse`);
  return result.error;
}

describe('parseJsonText', () => {
  it('gives exactly what JSON.parse gives for valid JSON, key order included', () => {
    const samples = [
      '{"b": 1, "a": [true, false, null, -0.5e3, "\\u00e9\\n"], "c": {"d": {}}}',
      '[]',
      '"just a string"',
      '42',
      'null',
      '\r\n\t {"multi":\r\n"line"}  \n',
      '{"dup": 1, "dup": 2}',
      '{"__proto__": {"polluted": true}, "x": 1}',
      '{"emoji": "😀", "escaped": "\\ud83d\\ude00"}',
    ];
    for (const text of samples) {
      const result = parseJsonText(text);
      expect(result, text).toEqual({ ok: true, value: JSON.parse(text) });
      if (result.ok) expect(JSON.stringify(result.value)).toBe(JSON.stringify(JSON.parse(text)));
    }
  });

  it('lets the last duplicate key win and keeps "__proto__" an ordinary property, as JSON.parse does', () => {
    const dup = parseJsonText('{"unit": "celsius", "unit": "fahrenheit"}');
    expect(dup).toEqual({ ok: true, value: { unit: 'fahrenheit' } });
    const proto = parseJsonText('{"__proto__": {"polluted": true}}');
    expect(proto.ok).toBe(true);
    if (proto.ok) {
      const value = proto.value as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('rejects exactly what JSON.parse rejects', () => {
    const texts = [
      '{"a":1,}',
      '[1,2,]',
      '{"a":1 "b":2}',
      '// note\n{}',
      '/* note */{}',
      '{"a":01}',
      '{"a":1}{"b":2}',
      '{"a":"\t"}',
      '{"a":"\\x"}',
      'NaN',
      '{a:1}',
      "{'a':1}",
      '{"a":1',
      '[1,2',
      '"abc',
      '\u00a0{}',
      '\ufeff{}',
      '{"a":-}',
      '{"a":1.}',
      '{"a":.5}',
      '{"a":1e}',
      '{"a": tru}',
      '{"a":"\\u12"}',
      'undefined',
      '',
      '{"a" 1}',
    ];
    for (const text of texts) {
      let jsonParseFails = false;
      try {
        JSON.parse(text);
      } catch {
        jsonParseFails = true;
      }
      expect(jsonParseFails, text).toBe(true);
      expect(parseJsonText(text).ok, text).toBe(false);
    }
  });

  it('says the editor is empty for empty or blank text', () => {
    expect(errorOf('')).toEqual({ message: 'The editor is empty', offset: 0, line: 1, column: 1 });
    expect(errorOf('  \n\t ').message).toBe('The editor is empty');
  });

  it('reports a trailing comma at the comma, with its line and column', () => {
    const text = '{\n  "city": "Paris",\n}';
    expect(errorOf(text)).toEqual({
      message: 'Trailing comma: remove the comma before the closing bracket',
      offset: text.indexOf(','),
      line: 2,
      column: 18,
    });
    expect(errorOf('[1, 2, ]').message).toMatch(/^Trailing comma/);
    expect(errorOf('[1, 2, ]').column).toBe(6);
  });

  it('says comments are not allowed', () => {
    expect(errorOf('{\n  // the city\n  "city": "Paris"\n}')).toMatchObject({
      message: 'Comments are not allowed in JSON',
      line: 2,
      column: 3,
    });
    expect(errorOf('{"a": 1 /* x */}').message).toBe('Comments are not allowed in JSON');
  });

  it('names the closer a missing comma competes with', () => {
    const inObject = errorOf('{\n  "city": "Paris"\n  "unit": "celsius"\n}');
    expect(inObject).toMatchObject({ message: 'Expected a comma or closing brace', line: 3, column: 3 });
    expect(errorOf('[1 2]').message).toBe('Expected a comma or closing bracket');
    expect(errorOf('{"a": 1').message).toBe('Expected a comma or closing brace');
    expect(errorOf('[1, 2').message).toBe('Expected a comma or closing bracket');
  });

  it('explains quoting mistakes and non-JSON words', () => {
    expect(errorOf("{'city': 'Paris'}").message).toBe(
      'Strings and property names need double quotes, not single quotes',
    );
    expect(errorOf('{city: "Paris"}').message).toBe('Property names need double quotes: "city"');
    expect(errorOf('{"city": Paris}').message).toBe('Unexpected Paris: strings need double quotes');
    expect(errorOf('{"ok": tru}').message).toBe('Unexpected tru: did you mean true?');
    expect(errorOf('{"ok": True}').message).toBe(
      'Unexpected True: JSON writes true, false and null in lower case',
    );
    expect(errorOf('[NaN]').message).toBe('NaN is not a JSON value');
  });

  it('explains broken strings, numbers and extra text', () => {
    expect(errorOf('{"a": "open').message).toBe('Unterminated string: add the closing double quote');
    expect(errorOf('{"a": "tab\there"}').message).toMatch(/^Control characters in a string must be escaped/);
    expect(errorOf('{"a": "\\q"}').message).toMatch(/^Invalid escape in a string/);
    expect(errorOf('{"a": "\\u12"}').message).toBe('Invalid \\u escape: it needs four hexadecimal digits');
    expect(errorOf('{"a": 1.}').message).toBe('Invalid number');
    expect(errorOf('{} {}')).toMatchObject({
      message: 'Unexpected text after the end of the JSON value (only one value is allowed)',
      column: 4,
    });
    expect(errorOf('{"a": }').message).toBe('Expected a value');
    expect(errorOf('{"a" 1}').message).toBe('Expected a colon after the property name');
    expect(errorOf('{"a": ').message).toBe('The text ends where a value was expected');
  });

  it('reports the first error when there are several', () => {
    const error = errorOf('{\n  "a": 1,\n  "b": ,\n  c: 3\n}');
    expect(error.line).toBe(3);
  });
});

describe('lineColumn', () => {
  it('counts 1-based lines and columns across \\n, \\r\\n and \\r', () => {
    const text = 'ab\ncd\r\nef\rgh';
    expect(lineColumn(text, 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn(text, 2)).toEqual({ line: 1, column: 3 });
    expect(lineColumn(text, 3)).toEqual({ line: 2, column: 1 });
    expect(lineColumn(text, text.indexOf('e'))).toEqual({ line: 3, column: 1 });
    expect(lineColumn(text, text.indexOf('g'))).toEqual({ line: 4, column: 1 });
    expect(lineColumn(text, text.indexOf('h'))).toEqual({ line: 4, column: 2 });
  });

  it('clamps offsets outside the text', () => {
    expect(lineColumn('ab\ncd', -5)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 99)).toEqual({ line: 2, column: 3 });
  });
});

describe('locatePath', () => {
  const text = [
    '{',
    '  "type": "function",',
    '  "function": {',
    '    "name": "get weather",',
    '    "parameters": {',
    '      "type": "object",',
    '      "properties": { "unit": { "type": "string" } }',
    '    },',
    '    "tags": ["a", {"b": 1}]',
    '  }',
    '}',
  ].join('\n');
  const slice = (at: { offset: number; length: number } | null) =>
    at ? text.slice(at.offset, at.offset + at.length) : null;

  it('points at the key of a property, so a marker underlines the name', () => {
    const at = locatePath(text, ['function', 'name']);
    expect(at).toMatchObject({ line: 4, column: 5 });
    expect(slice(at)).toBe('"name"');
    expect(slice(locatePath(text, ['function', 'parameters', 'properties', 'unit']))).toBe('"unit"');
  });

  it('points at an array element itself, and at the opening bracket of a block', () => {
    expect(slice(locatePath(text, ['function', 'tags', 0]))).toBe('"a"');
    const block = locatePath(text, ['function', 'tags', 1]);
    expect(slice(block)).toBe('{');
    expect(slice(locatePath(text, ['function', 'tags', 1, 'b']))).toBe('"b"');
    expect(locatePath(text, [])).toEqual({ offset: 0, length: 1, line: 1, column: 1 });
  });

  it('falls back to the deepest ancestor that exists', () => {
    expect(slice(locatePath(text, ['function', 'parameters', 'required']))).toBe('"parameters"');
    expect(slice(locatePath(text, ['function', 'parameters', 'properties', 'city', 'type']))).toBe(
      '"properties"',
    );
    expect(slice(locatePath(text, ['nothing', 'here']))).toBe('{');
  });

  it('still locates paths in a text with a syntax error, and gives null for no value at all', () => {
    const broken = '{\n  "a": 1,\n  "b": {"c": 2,}\n}';
    expect(locatePath(broken, ['b', 'c'])).toMatchObject({ line: 3, column: 9 });
    expect(locatePath('', ['a'])).toBeNull();
    expect(locatePath('   ', [])).toBeNull();
  });
});

describe('formatPath', () => {
  it('writes paths as people read them', () => {
    expect(formatPath([])).toBe('$');
    expect(formatPath(['function', 'parameters', 'properties', 'unit'])).toBe(
      '$.function.parameters.properties.unit',
    );
    expect(formatPath(['tools', 0, 'function'])).toBe('$.tools[0].function');
    expect(formatPath(['a b'])).toBe('$["a b"]');
    expect(formatPath(['$defs', 'Answer', '1x', 'quote"d'])).toBe('$.$defs.Answer["1x"]["quote\\"d"]');
  });
});
