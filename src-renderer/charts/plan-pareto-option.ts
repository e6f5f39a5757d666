/** ECharts option of a search: every fitting strategy as a point of throughput against energy per token, the Pareto front as a line (pure). */
import type { PlanResult } from '../../src-shared/planner/index.js';

// Colours come from the chart theme (charts/chart-theme.ts).
const axisStyle = {};

/** Short strategy label for tooltips. */
export function shortLabel(p: PlanResult): string {
  const s = p.strategy;
  return `dp${s.dp} tp${s.tp} pp${s.pp}${s.cp > 1 ? ` cp${s.cp}` : ''}${s.ep > 1 ? ` ep${s.ep}` : ''}${s.virtualStages > 1 ? ` v${s.virtualStages}` : ''} b${s.microBatch} z${s.zeroStage} ${s.recompute}${s.sequenceParallel ? ' sp' : ''}`;
}

/** Scatter of candidates (near-duplicates already merged by the caller) and the front, x = J/token, y = tokens/s. */
export function paretoOption(candidates: PlanResult[], front: PlanResult[]) {
  const point = (p: PlanResult) => ({ value: [p.joulesPerToken, p.tokensPerSecond], name: shortLabel(p) });
  return {
    animation: false,
    grid: { left: 72, right: 16, top: 36, bottom: 40 },
    legend: { top: 0 },
    tooltip: { trigger: 'item' as const, formatter: (x: { name: string; value: number[] }) => `${x.name}<br>${Math.round(x.value[1]).toLocaleString('en')} tokens/s, ${x.value[0].toPrecision(3)} J/token` },
    xAxis: { type: 'value' as const, name: 'J per token', scale: true, ...axisStyle },
    yAxis: { type: 'value' as const, name: 'tokens/s', scale: true, ...axisStyle },
    series: [
      { name: 'strategies that fit', type: 'scatter' as const, symbolSize: 7, data: candidates.map(point) },
      { name: 'Pareto front', type: 'line' as const, symbolSize: 10, data: [...front].sort((a, b) => a.joulesPerToken - b.joulesPerToken).map(point) },
    ],
  };
}
