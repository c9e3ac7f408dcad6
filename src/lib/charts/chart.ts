/**
 * chart.js with only what the lab draws (scatter plots with tooltips), registered once. Reached only
 * through {@link loadChart}'s dynamic import, so chart.js stays out of the first load.
 */
import { Chart, LinearScale, PointElement, ScatterController, Tooltip } from 'chart.js';

Chart.register(ScatterController, LinearScale, PointElement, Tooltip);

export { Chart };
