/** Pure ECharts option builders of the report's charts, each with the table of data behind it. */
import type { Report, ReportSeries, RunReport } from '../../../src-shared/report-schema.js';
import { BYTES_PER } from '../../../src-shared/units.js';

/** One chart: its ECharts option and its data as a table (columns carry units). */
export interface ChartSpec {
  id: string;
  title: string;
  option: Record<string, unknown>;
  data: { columns: string[]; rows: Array<Array<string | number | null>> };
}

const MiB = BYTES_PER.MiB;
const round = (value: number, digits = 4) => Number(value.toPrecision(digits));

function seriesName(s: ReportSeries): string {
  return s.gpuIndex === null ? `${s.host} ${s.metric}` : `${s.host} gpu${s.gpuIndex}`;
}

function base(title: string, xName: string, yName: string): Record<string, unknown> {
  return {
    animation: false,
    title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0, type: 'plain' },
    grid: { left: 70, right: 24, top: 40, bottom: 60 },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', name: yName, nameLocation: 'middle', nameGap: 52 },
  };
}

/** A line chart over run time (seconds since start) of the series with `metric`, values scaled by `scale`. */
function timeChart(run: RunReport, id: string, title: string, metrics: string[], yName: string, scale: number): ChartSpec | null {
  const picked = run.series.filter((s) => metrics.includes(s.metric) && (s.gpuIndex !== null || s.metric === 'cpuPowerWatts'));
  if (picked.length === 0) return null;
  const rows: ChartSpec['data']['rows'] = [];
  const series = picked.map((s) => {
    const name = s.metric === 'cpuPowerWatts' ? `${s.host} CPU (${s.source})` : seriesName(s);
    const points = s.points.map((p) => [round((p.timestampMs - run.startedAtMs) / 1000), round(p.avg / scale)]);
    for (const p of s.points) rows.push([name, s.source, p.timestampMs, round((p.timestampMs - run.startedAtMs) / 1000), p.avg]);
    return { type: 'line', name, showSymbol: false, data: points };
  });
  return {
    id, title, option: { ...base(title, 'time since start (s)', yName), series },
    data: { columns: ['series', 'source', 'timestampMs', 'secondsSinceStart', `value (${metrics[0]})`], rows },
  };
}

function bar(id: string, title: string, labels: string[], values: number[], yName: string, column: string, scale = 1): ChartSpec {
  return {
    id, title,
    option: { ...base(title, '', yName), xAxis: { type: 'category', data: labels }, legend: { show: false }, series: [{ type: 'bar', data: values.map((v) => round(v / scale)), label: { show: true, position: 'top' } }] },
    data: { columns: ['label', column], rows: labels.map((l, i) => [l, values[i]]) },
  };
}

function memoryCharts(run: RunReport): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const overTime = timeChart(run, `memory-${run.id}`, 'Memory per GPU over time', ['memoryUsedBytes'], 'MiB', MiB);
  if (overTime) charts.push(overTime);
  const gpu = run.measured.memoryPeakPerGpu;
  if (gpu.length > 0) {
    charts.push(bar(`memory-peak-${run.id}`, 'Peak memory per GPU', gpu.map((g) => `${g.host} gpu${g.gpuIndex}`), gpu.map((g) => g.peakBytes), 'MiB', 'peakBytes', MiB));
  }
  const ranks = run.measured.frameworkMemoryPeakBytesPerRank;
  if (ranks.length > 0) {
    charts.push(bar(`framework-memory-${run.id}`, 'Peak framework memory per rank', ranks.map((r) => `rank ${r.rank}`), ranks.map((r) => r.peakBytes), 'MiB', 'peakBytes', MiB));
  }
  return charts;
}

function stepTimeChart(run: RunReport): ChartSpec {
  const ranks = [...new Set(run.rankSteps.map((s) => s.rank))].sort((a, b) => a - b);
  const parts = ['computeSeconds', 'communicationSeconds', 'bubbleSeconds'] as const;
  const means = ranks.map((rank) => {
    const rows = run.rankSteps.filter((s) => s.rank === rank);
    return parts.map((p) => rows.reduce((sum, r) => sum + r[p], 0) / Math.max(1, rows.length));
  });
  const title = 'Step-time breakdown per rank (mean per step)';
  return {
    id: `steptime-${run.id}`, title,
    option: {
      ...base(title, '', 'ms'), xAxis: { type: 'category', data: ranks.map((r) => `rank ${r}`) },
      series: parts.map((p, i) => ({ type: 'bar', stack: 'time', name: p.replace('Seconds', ''), data: means.map((m) => round(m[i] * 1000)) })),
    },
    data: { columns: ['rank', ...parts.map((p) => `${p.replace('Seconds', '')}SecondsMean`)], rows: ranks.map((r, i) => [r, ...means[i]]) },
  };
}

function lossChart(run: RunReport): ChartSpec {
  const title = 'Training loss (measured)';
  return {
    id: `loss-${run.id}`, title,
    option: { ...base(title, 'step', 'loss'), yAxis: { type: 'value', name: 'loss', scale: true, nameLocation: 'middle', nameGap: 52 }, series: [{ type: 'line', name: 'loss', data: run.loss.map((l) => [l.step, round(l.loss, 6)]) }] },
    data: { columns: ['step', 'loss'], rows: run.loss.map((l) => [l.step, l.loss]) },
  };
}

/** The charts of one run, in report order. */
export function runCharts(run: RunReport): ChartSpec[] {
  const kinds = Object.keys(run.measured.bandwidthBytesPerSecondByKind);
  const charts: ChartSpec[] = [...memoryCharts(run)];
  charts.push(bar(`bandwidth-${run.id}`, 'Bandwidth by collective kind (bytes sent by all ranks / training time)', kinds,
    kinds.map((k) => run.measured.bandwidthBytesPerSecondByKind[k]), 'MiB/s', 'bytesPerSecond', MiB));
  const power = timeChart(run, `power-${run.id}`, 'Power over time', ['powerWatts', 'cpuPowerWatts'], 'W', 1);
  if (power) charts.push(power);
  charts.push(stepTimeChart(run), lossChart(run));
  return charts;
}

/** The side-by-side charts of a comparison. */
export function comparisonCharts(report: Report): ChartSpec[] {
  if (!report.comparison) return [];
  const rows = report.comparison.rows;
  const labels = rows.map((r) => r.label);
  return [
    bar('compare-throughput', 'Tokens per second (measured)', labels, rows.map((r) => r.tokensPerSecond ?? 0), 'tokens/s', 'tokensPerSecond'),
    bar('compare-energy', 'Energy per token (measured)', labels, rows.map((r) => r.joulesPerToken ?? 0), 'J/token', 'joulesPerToken'),
    bar('compare-steptime', 'Step time (measured, slowest rank)', labels, rows.map((r) => r.stepTimeSeconds), 's', 'stepTimeSeconds'),
  ];
}
