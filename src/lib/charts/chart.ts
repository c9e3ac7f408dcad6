/**
 * chart.js with only what Sandpit draws (the lab's scatter plots, Compare's bar charts, with tooltips
 * and legends), registered once. Reached only through {@link loadChart}'s dynamic import, so chart.js
 * stays out of the first load.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Colors,
  Legend,
  LinearScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

Chart.register(
  ScatterController,
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  PointElement,
  Tooltip,
  Legend,
  Colors,
);

export { Chart };
