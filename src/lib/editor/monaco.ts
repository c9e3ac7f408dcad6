/**
 * Monaco, set up once for the playground's editors: the editor core with its everyday features
 * (hover, completion, find, folding…), the JSON language with schema validation, and JavaScript
 * colouring for mock functions (Monarch only: no TypeScript worker, which would add megabytes).
 * Reached only through {@link loadMonaco}'s dynamic import, so none of it is in the first load.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/javascript/register';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';
import { RESPONSE_FORMAT_JSON_SCHEMA, TOOL_JSON_SCHEMA } from '../tools/definitions';
import { FORMAT_SUFFIX, TOOL_SUFFIX } from './paths';

// Without this the production build cannot start Monaco's workers (see the stack notes).
self.MonacoEnvironment = {
  getWorker: (_id: string, label: string) => (label === 'json' ? new JsonWorker() : new EditorWorker()),
};

jsonDefaults.setDiagnosticsOptions({
  validate: true,
  allowComments: false,
  trailingCommas: 'error',
  schemaValidation: 'error',
  enableSchemaRequest: false,
  schemas: [
    { uri: 'inmemory://sandpit/schemas/tool.json', fileMatch: [`*${TOOL_SUFFIX}`], schema: TOOL_JSON_SCHEMA },
    {
      uri: 'inmemory://sandpit/schemas/response-format.json',
      fileMatch: [`*${FORMAT_SUFFIX}`],
      schema: RESPONSE_FORMAT_JSON_SCHEMA,
    },
  ],
});

export { monaco };
