/** Builds the ECharts option of a rolling time-axis line chart (pure: data in, option out). */
import { formatSignificant } from '../../src-shared/units.js';
import type { Series } from '../state/telemetry-buffer.js';

/** How one chart is labelled. */
export interface LiveChartSpec {
  unit: string;
  /** Fixed y maximum (e.g. 100 for percentages); automatic when absent. */
  yMax?: number;
  windowMs: number;
}

/** The option for the given series; the x axis spans the last `windowMs`, or less while data is younger. */
export function buildLiveLineOption(series: Series[], spec: LiveChartSpec, nowMs: number) {
  const earliestMs = Math.min(nowMs, ...series.map((s) => s.points[0]?.[0] ?? nowMs));
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 32, bottom: 28 },
    legend: { top: 0, type: 'scroll' as const },
    tooltip: { trigger: 'axis' as const, valueFormatter: (v: unknown) => `${formatSignificant(Number(v))} ${spec.unit}` },
    xAxis: {
      type: 'time' as const,
      min: Math.max(nowMs - spec.windowMs, earliestMs - 1000),
      max: nowMs,
      axisLabel: { hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value' as const,
      name: spec.unit,
      min: 0,
      max: spec.yMax,
    },
    series: series.map((s) => ({ name: s.name, type: 'line' as const, showSymbol: false, data: s.points })),
  };
}
