/**
 * The lazy boundary of the tools and structured-output helpers (a JSON parser that reports lines, the
 * strict-mode lint, the JSON Schema validator): loaded when the tools or the schema editor are first
 * needed, not with the page.
 */
import { applyEdits, modify } from 'jsonc-parser';
import type { EditorMarker } from '../editor/markers';
import { formatPath, locatePath } from './json-text';
import { lintStrictSchema, type LintIssue } from './strict-lint';
import type { JsonPath } from './json-text';

export { checkArguments } from './validate';
export {
  parseTool,
  parseResponseFormat,
  splitToolsImport,
  TOOL_TEMPLATES,
  FORMAT_TEMPLATES,
} from './definitions';

/**
 * Sets (or removes) a property in a JSON text, keeping the rest of the text as the user wrote it
 * (formatting, key order). `value` undefined removes the property.
 */
export function setJsonProperty(text: string, path: (string | number)[], value: unknown): string {
  const edits = modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
  return applyEdits(text, edits);
}

/** Editor markers for lint issues, each at the place in `text` its path names. */
export function lintMarkers(
  text: string,
  issues: readonly LintIssue[],
  severity: EditorMarker['severity'],
): EditorMarker[] {
  return issues.map((issue) => {
    const at = locatePath(text, issue.path) ?? { line: 1, column: 1, length: 1, offset: 0 };
    // One line at most: a marker over a whole object would underline half the editor.
    const end = at.column + Math.max(1, Math.min(at.length, 80));
    return {
      // The JSON path first: it names the place even where the text is long or the same key repeats.
      message: `${formatPath(issue.path)}: ${issue.message}`,
      line: at.line,
      column: at.column,
      endLine: at.line,
      endColumn: end,
      severity,
      source: 'strict mode',
    };
  });
}
export { checkStructured, type StructuredCheck } from './structured';

/**
 * Strict mode's rules as editor markers for a schema inside an editor's text (`at` is the schema's path
 * there): errors when strict mode is on (the API refuses the schema), notes of what turning it on would
 * take when it is off.
 */
export function strictMarkers(
  text: string,
  schema: unknown,
  at: { root: 'parameters' | 'response'; path: JsonPath; strict: boolean },
): EditorMarker[] {
  if (schema === undefined) return [];
  const issues = lintStrictSchema(schema, { root: at.root }).map((i) => ({
    ...i,
    path: [...at.path, ...i.path],
  }));
  return lintMarkers(text, issues, at.strict ? 'error' : 'info');
}
