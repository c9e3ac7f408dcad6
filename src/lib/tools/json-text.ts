/**
 * JSON as people type it in an editor: strict parsing with errors a person can act on (line,
 * column and a plain sentence), and the way back from a path inside a value to where it is written.
 */
import {
  findNodeAtLocation,
  getLocation,
  parse,
  parseTree,
  printParseErrorCode,
  type Node,
  type ParseError,
  type ParseOptions,
} from 'jsonc-parser';

/** Where and why a JSON text does not parse. `line` and `column` are 1-based (as editors show them). */
export interface JsonTextError {
  message: string;
  /** 0-based offset in the text, in UTF-16 code units (what editors and `String` indices use). */
  offset: number;
  line: number;
  column: number;
}

/** A parsed JSON text: the value, or the first error. */
export type JsonTextResult = { ok: true; value: unknown } | { ok: false; error: JsonTextError };

/** A path inside a JSON value: object keys and array indices, from the root. */
export type JsonPath = readonly (string | number)[];

// The API and JSON.parse take strict JSON, so the editor must reject what they reject.
const STRICT: ParseOptions = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/**
 * Parses strict JSON (no comments, no trailing commas), as the API and `JSON.parse` take it.
 * The first error is reported, with a message a person can act on. When the text is valid the
 * value is exactly `JSON.parse(text)` (duplicate keys: the last wins; a `"__proto__"` key stays an
 * ordinary property).
 */
export function parseJsonText(text: string): JsonTextResult {
  if (text.trim() === '') return fail(text, 0, 'The editor is empty');
  const errors: ParseError[] = [];
  parse(text, errors, STRICT);
  const first = errors[0];
  if (first) return describe(text, first);
  try {
    // jsonc-parser builds values with plain assignment (so "__proto__" would set the prototype);
    // JSON.parse gives the value the API will see.
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    // Not expected: jsonc-parser rejects at least what JSON.parse rejects. Kept so a gap between
    // the two shows as an error, not as a wrong value.
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    return fail(text, at ? Number(at[1]) : 0, message);
  }
}

function fail(text: string, offset: number, message: string): JsonTextResult {
  return { ok: false, error: { message, offset, ...lineColumn(text, offset) } };
}

/** Index of the last character before `offset` that is not JSON whitespace, or -1. */
function previousToken(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && /[ \t\r\n]/.test(text[i]!)) i--;
  return i;
}

function describe(text: string, error: ParseError): JsonTextResult {
  const { offset } = error;
  const here = text[offset];
  const code = printParseErrorCode(error.error);
  switch (code) {
    case 'PropertyNameExpected':
    case 'ValueExpected': {
      // jsonc-parser reports a trailing comma as a missing name or value before the closing bracket.
      const before = previousToken(text, offset);
      if ((here === '}' || here === ']') && text[before] === ',')
        return fail(text, before, 'Trailing comma: remove the comma before the closing bracket');
      if (offset >= text.length) return fail(text, offset, 'The text ends where a value was expected');
      if (code === 'PropertyNameExpected')
        return fail(text, offset, 'Expected a property name in double quotes');
      return fail(text, offset, 'Expected a value');
    }
    case 'InvalidSymbol':
      return fail(text, offset, invalidSymbol(text, offset, error.length));
    case 'ColonExpected':
      return fail(text, offset, 'Expected a colon after the property name');
    case 'CommaExpected':
      return fail(text, offset, `Expected a comma or ${closerAt(text, offset)}`);
    case 'CloseBraceExpected':
      return fail(text, offset, 'Expected a comma or closing brace');
    case 'CloseBracketExpected':
      return fail(text, offset, 'Expected a comma or closing bracket');
    case 'EndOfFileExpected':
      return fail(
        text,
        offset,
        'Unexpected text after the end of the JSON value (only one value is allowed)',
      );
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return fail(text, offset, 'Comments are not allowed in JSON');
    case 'UnexpectedEndOfString':
      return fail(text, offset, 'Unterminated string: add the closing double quote');
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return fail(text, offset, 'Invalid number');
    case 'InvalidUnicode':
      return fail(text, offset, 'Invalid \\u escape: it needs four hexadecimal digits');
    case 'InvalidEscapeCharacter':
      return fail(
        text,
        offset,
        'Invalid escape in a string (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)',
      );
    case 'InvalidCharacter':
      return fail(
        text,
        offset,
        'Control characters in a string must be escaped (write a tab as \\t, a line break as \\n)',
      );
    default:
      return fail(text, offset, code);
  }
}

/** Which closer a missing comma competes with: the innermost container around `offset`. */
function closerAt(text: string, offset: number): string {
  const last = getLocation(text, offset).path.at(-1);
  if (typeof last === 'number') return 'closing bracket';
  if (typeof last === 'string') return 'closing brace';
  return 'closing bracket or brace';
}

function invalidSymbol(text: string, offset: number, length: number): string {
  const symbol = text.slice(offset, offset + Math.max(length, 1));
  if (symbol.startsWith("'")) return 'Strings and property names need double quotes, not single quotes';
  if (symbol === '\ufeff') return 'Unexpected byte order mark at the start of the text';
  if (/^(NaN|-?Infinity|undefined)$/.test(symbol)) return `${symbol} is not a JSON value`;
  if (/^(True|False|None|Null|TRUE|FALSE|NULL)$/.test(symbol))
    return `Unexpected ${symbol}: JSON writes true, false and null in lower case`;
  if (/^[A-Za-z_$][\w$]*$/.test(symbol)) {
    if (getLocation(text, offset).isAtPropertyKey) return `Property names need double quotes: "${symbol}"`;
    const meant = ['true', 'false', 'null'].find((word) => word.startsWith(symbol));
    if (meant) return `Unexpected ${symbol}: did you mean ${meant}?`;
    return `Unexpected ${symbol}: strings need double quotes`;
  }
  if (/^\s$/u.test(symbol))
    return 'Unexpected whitespace character (only spaces, tabs and line breaks are allowed)';
  return `Unexpected character ${JSON.stringify(symbol)}`;
}

/**
 * Where a path is written in a JSON text, for an editor marker. A path that ends at a property
 * points at the property's key (so the marker underlines the name); an array element or the root
 * points at the value, but only at the opening bracket of an object or array (underlining a whole
 * block says less than pointing at its start). When the exact path is not in the text, the deepest
 * ancestor that is stands in (so a missing `required` points at its object). Null only when the text
 * holds no value at all.
 */
export function locatePath(
  text: string,
  path: JsonPath,
): { offset: number; length: number; line: number; column: number } | null {
  const root = parseTree(text, [], STRICT);
  if (!root) return null;
  for (let depth = path.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(root, [...path.slice(0, depth)]);
    if (node) return spanOf(text, node);
  }
  return spanOf(text, root);
}

function spanOf(text: string, node: Node) {
  const parent = node.parent;
  let target = node;
  if (parent?.type === 'property' && parent.children?.[1] === node && parent.children[0])
    target = parent.children[0];
  const block = target.type === 'object' || target.type === 'array';
  const length = block ? 1 : target.length;
  return { offset: target.offset, length, ...lineColumn(text, target.offset) };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A path as people read it: `$.function.parameters.properties.unit`, array indices as `[0]`, keys
 * that are not identifiers quoted (`$["a b"]`).
 */
export function formatPath(path: JsonPath): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * The 1-based line and column of an offset. Lines end at `\n`, `\r\n` or `\r` (what editors count);
 * columns count UTF-16 code units, as Monaco does. Offsets outside the text are clamped.
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) {
      line++;
      lineStart = i + 1;
    } else if (ch === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        if (i + 1 >= end) break;
        i++;
      }
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
