/** A problem found in an editor's text (1-based lines and columns). */
export interface EditorMarker {
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info';
  /** Who reported it: `json` (Monaco's syntax and schema checks) or `strict mode` (the playground's lint). */
  source: string;
}
