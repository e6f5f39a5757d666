/** ECharts options of the Run and History views (pure: data in, option out). */
import { formatSignificant } from '../../src-shared/units.js';

/** Tooltip values as people read them (about three significant digits, never e-notation), with the unit. */
const tooltipIn = (unit: string) => ({ trigger: 'axis' as const, valueFormatter: (v: unknown) => `${formatSignificant(Number(v))} ${unit}` });

// Colours come from the chart theme (charts/chart-theme.ts), so the light and dark schemes both read.
const axis = {};
const legend = { top: 0, type: 'scroll' as const };
const grid = { left: 64, right: 16, top: 36, bottom: 28 };

/** A named line over steps. */
export interface StepLine {
  name: string;
  points: [number, number][];
}

/** Lines over the step axis (loss, tokens/s, memory, bytes), or another x axis named by `xName`. */
export function stepLinesOption(lines: StepLine[], unit: string, xName = 'step') {
  return {
    animation: false, grid, legend,
    tooltip: tooltipIn(unit),
    xAxis: { type: 'value' as const, name: xName, minInterval: 1, ...axis },
    yAxis: { type: 'value' as const, name: unit, scale: true, ...axis },
    series: lines.map((l) => ({ name: l.name, type: 'line' as const, showSymbol: l.points.length < 40, data: l.points })),
  };
}

/** Stacked bars per category (e.g. step time per rank split compute / communication / bubble). */
export function stackedBarsOption(categories: string[], parts: { name: string; values: number[] }[], unit: string) {
  return {
    animation: false, grid, legend,
    tooltip: tooltipIn(unit),
    xAxis: { type: 'category' as const, data: categories, ...axis },
    yAxis: { type: 'value' as const, name: unit, ...axis },
    series: parts.map((p) => ({ name: p.name, type: 'bar' as const, stack: 'total', data: p.values })),
  };
}

/** Side-by-side bars of one figure per run (History comparison). */
export function compareBarsOption(runs: string[], values: (number | null)[], unit: string) {
  return {
    animation: false, grid,
    tooltip: tooltipIn(unit),
    xAxis: { type: 'category' as const, data: runs, ...axis },
    yAxis: { type: 'value' as const, name: unit, ...axis },
    series: [{ type: 'bar' as const, data: values.map((v) => v ?? 0), label: { show: true, position: 'top' as const, formatter: (p: { value: number }) => formatSignificant(p.value) } }],
  };
}
