/** A stored run's sample series (downsampled by the store) as charts: one per metric, a line per host or GPU, over seconds since the run started. */
import type { DownsampledSeries } from '../../src-shared/run-record.js';
import { stepLinesOption } from '../charts/run-options.js';
import { el } from '../format.js';
import type { ViewScope } from '../view-scope.js';

interface MetricChart {
  metric: string;
  isGpu: boolean;
  title: string;
  unit: string;
  scale: number;
}

const metricCharts: MetricChart[] = [
  { metric: 'cpuUtilisationPercent', isGpu: false, title: 'CPU utilisation per host', unit: '%', scale: 1 },
  { metric: 'cpuPowerWatts', isGpu: false, title: 'CPU power per host', unit: 'W', scale: 1 },
  { metric: 'memoryUsedBytes', isGpu: false, title: 'Host memory used', unit: 'GiB', scale: 1 / 1024 ** 3 },
  { metric: 'networkRxBytesPerSecond', isGpu: false, title: 'Network received per host', unit: 'MiB/s', scale: 1 / 1024 ** 2 },
  { metric: 'powerWatts', isGpu: true, title: 'Power of the GPUs the run used', unit: 'W', scale: 1 },
  { metric: 'memoryUsedBytes', isGpu: true, title: 'Memory of the GPUs the run used', unit: 'GiB', scale: 1 / 1024 ** 3 },
  { metric: 'utilisationPercent', isGpu: true, title: 'Utilisation of the GPUs the run used', unit: '%', scale: 1 },
];

/** Renders the charts into `container`; they live in `scope`. */
export function mountRunSeriesCharts(container: HTMLElement, series: DownsampledSeries[], startedAtMs: number, scope: ViewScope): void {
  for (const spec of metricCharts) {
    const lines = series.filter((s) => s.metric === spec.metric && (s.gpuIndex !== null) === spec.isGpu);
    const box = el('section', 'chart-panel');
    box.dataset.chart = `stored-${spec.isGpu ? 'gpu' : 'host'}-${spec.metric}`;
    box.dataset.lines = String(lines.length);
    box.append(el('h2', undefined, spec.title));
    container.append(box);
    if (lines.length === 0) {
      box.append(el('div', 'chart-empty', spec.isGpu ? 'none: the run\'s ranks used no GPU' : 'no samples kept with this run'));
      continue;
    }
    const source = [...new Set(lines.map((l) => l.source))].join(', ');
    box.append(el('p', 'note', `${source}; ${lines.reduce((n, l) => n + l.rawCount, 0)} samples`));
    const div = el('div', 'chart');
    box.append(div);
    const chart = scope.chart(div, 220);
    chart.setOption(stepLinesOption(lines.map((l) => ({
      name: l.gpuIndex === null ? l.host : `${l.host} GPU ${l.gpuIndex}`,
      points: l.buckets.map((b) => [(b.startMs - startedAtMs) / 1000, b.avg * spec.scale] as [number, number]),
    })), spec.unit, 'seconds'));
  }
}
