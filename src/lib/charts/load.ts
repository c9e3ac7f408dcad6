import type * as Charts from './chart';

/** The lazy boundary of chart.js: loaded the first time a chart is shown; the module map keeps it. */
export const loadChart = (): Promise<typeof Charts> => import('./chart');
