/** The live chart panel: CPU, memory, network and, where present, GPU memory and power. */
import { buildLiveLineOption, type LiveChartSpec } from '../charts/live-line-option.js';
import { el } from '../format.js';
import type { TelemetryBuffer, TelemetrySeries } from '../state/telemetry-buffer.js';
import type { ViewScope } from '../view-scope.js';

interface Panel {
  key: keyof TelemetrySeries;
  title: string;
  spec: Omit<LiveChartSpec, 'windowMs'>;
  emptyText: string;
}

const panels: Panel[] = [
  { key: 'cpuPercent', title: 'CPU utilisation', spec: { unit: '%', yMax: 100 }, emptyText: 'waiting for the first sample…' },
  { key: 'memoryGiB', title: 'Memory used', spec: { unit: 'GiB' }, emptyText: 'waiting for the first sample…' },
  { key: 'networkMiBps', title: 'Network', spec: { unit: 'MiB/s' }, emptyText: 'waiting for the first sample…' },
  { key: 'gpuMemoryGiB', title: 'GPU memory used', spec: { unit: 'GiB' }, emptyText: 'no GPU samples: this host has no NVIDIA GPU (or nvidia-smi is not on PATH)' },
  { key: 'gpuPowerWatts', title: 'GPU power', spec: { unit: 'W' }, emptyText: 'no GPU power samples' },
];

function chartDiv(box: HTMLElement): HTMLElement {
  return box.querySelector('.chart') as HTMLElement;
}

/** Mounts the charts into `container` (living in `scope`); returns `redraw` (from the buffer) and `dispose` (the scope). */
export function mountLiveCharts(container: HTMLElement, buffer: TelemetryBuffer, windowMs: number, scope: ViewScope): { redraw: () => void; dispose: () => void } {
  const grid = el('div', 'charts');
  grid.id = 'live-charts';
  container.append(grid);
  const mounted = panels.map((panel) => {
    const box = el('section', 'chart-panel');
    box.dataset.chart = panel.key;
    const empty = el('div', 'chart-empty', panel.emptyText);
    const chartBox = el('div', 'chart');
    chartBox.hidden = true;
    box.append(el('h2', undefined, panel.title), empty, chartBox);
    grid.append(box);
    const chart = scope.chart(chartBox);
    return { panel, box, empty, chart };
  });

  const redraw = () => {
    const snapshot = buffer.snapshot();
    const nowMs = Date.now();
    for (const { panel, box, empty, chart } of mounted) {
      const series = snapshot[panel.key];
      const points = series.reduce((n, s) => n + s.points.length, 0);
      box.dataset.points = String(points);
      empty.hidden = points > 0;
      if (chartDiv(box).hidden === points > 0) {
        chartDiv(box).hidden = points === 0;
        chart.resize();
      }
      chart.setOption(buildLiveLineOption(series, { ...panel.spec, windowMs }, nowMs), { lazyUpdate: true, replaceMerge: ['series'] });
    }
    grid.dataset.totalPoints = String(buffer.totalPoints);
  };
  return {
    redraw,
    dispose: () => scope.dispose(),
  };
}
