/**
 * Editor model paths end in these, so Monaco's JSON service knows which schema checks which editor.
 * Kept apart from the Monaco module so the panels can name their models without loading Monaco.
 */
export const TOOL_SUFFIX = '.tool.json';
export const FORMAT_SUFFIX = '.format.json';

/** The model path of a tool's definition. */
export const toolPath = (id: string): string => `tools/${id}${TOOL_SUFFIX}`;

/** The model path of a tool's mock function. */
export const mockPath = (id: string): string => `mocks/${id}.js`;

/** The model path of the response format's `json_schema` object. */
export const FORMAT_PATH = `response-format${FORMAT_SUFFIX}`;
