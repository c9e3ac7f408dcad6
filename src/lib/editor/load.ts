import type * as Monaco from './monaco';

/** The lazy boundary of Monaco (over 1 MiB with its workers): loaded the first time an editor is shown. */
export const loadMonaco = (): Promise<typeof Monaco> => import('./monaco');
