/**
 * The lazy boundary of the tools and structured-output helpers (a JSON parser that reports lines, the
 * strict-mode lint, the JSON Schema validator): loaded when the tools or the schema editor are first
 * needed, not with the page.
 */
import { applyEdits, modify } from 'jsonc-parser';
import type { EditorMarker } from '../editor/markers';
import { formatPath, locatePath } from './json-text';
import type { LintIssue } from './strict-lint';

export { parseJsonText, locatePath, formatPath, lineColumn } from './json-text';
export { lintStrictSchema } from './strict-lint';
export { validateValue, checkArguments } from './validate';
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
