/** ECharts options comparing planned strategies side by side (pure: plan results in, options out). */
import { formatSignificant } from '../../src-shared/units.js';
import type { PlanResult } from '../../src-shared/planner/index.js';

const GIB = 1024 ** 3;
// Colours come from the chart theme (charts/chart-theme.ts).
const axisStyle = {};

/** One labelled plan (a strategy column of the view). */
export interface LabelledPlan {
  label: string;
  plan: PlanResult;
}

function stackedBars(plans: LabelledPlan[], unit: string, parts: { name: string; value: (p: PlanResult) => number }[]) {
  return {
    animation: false,
    grid: { left: 64, right: 16, top: parts.length > 4 ? 72 : 36, bottom: 28 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' as const, valueFormatter: (v: unknown) => `${formatSignificant(Number(v))} ${unit}` },
    xAxis: { type: 'category' as const, data: plans.map((p) => p.label), ...axisStyle },
    yAxis: { type: 'value' as const, name: unit, ...axisStyle },
    series: parts.map((part) => ({ name: part.name, type: 'bar' as const, stack: 'total', data: plans.map((p) => part.value(p.plan)) })),
  };
}

/** Memory per GPU by part, with the GPU's capacity as a line. */
export function memoryOption(plans: LabelledPlan[]) {
  const option = stackedBars(plans, 'GiB', [
    { name: 'weights (sharded)', value: (p) => p.memoryPerGpuBytes.weights / GIB },
    { name: 'gradients (sharded)', value: (p) => p.memoryPerGpuBytes.gradients / GIB },
    { name: 'optimizer (sharded)', value: (p) => p.memoryPerGpuBytes.optimizer / GIB },
    { name: 'gathered parameters', value: (p) => p.memoryPerGpuBytes.gatheredParameters / GIB },
    { name: 'stored activations', value: (p) => p.memoryPerGpuBytes.activations / GIB },
    { name: 'recompute working set', value: (p) => p.memoryPerGpuBytes.recomputeWorkingSet / GIB },
    { name: 'comm. buffers', value: (p) => p.memoryPerGpuBytes.commBuffers / GIB },
    { name: 'runtime overhead', value: (p) => p.memoryPerGpuBytes.overhead / GIB },
  ]);
  const capacity = plans[0] ? plans[0].plan.cluster.memoryPerGpuBytes / GIB : 0;
  option.series[0] = {
    ...option.series[0],
    markLine: { symbol: 'none', label: { formatter: `GPU memory ${capacity.toFixed(0)} GiB`, color: '#ff6b6b', position: 'insideEndTop' as const }, lineStyle: { color: '#ff6b6b', type: 'dashed' }, data: [{ yAxis: capacity }] },
  } as (typeof option.series)[number];
  return option;
}

/** Step time split into compute, exposed communication, pipeline bubble and optimizer step. */
export function stepTimeOption(plans: LabelledPlan[]) {
  return stackedBars(plans, 's', [
    { name: 'compute', value: (p) => p.timeBreakdownSeconds.compute },
    { name: 'exposed communication', value: (p) => p.timeBreakdownSeconds.communication },
    { name: 'bubble', value: (p) => p.timeBreakdownSeconds.bubble },
    { name: 'optimizer', value: (p) => p.timeBreakdownSeconds.optimizer },
  ]);
}

const commKinds = [['dp', 'data parallel'], ['tp', 'tensor parallel'], ['pp', 'pipeline'], ['cp', 'context parallel'], ['ep', 'expert all-to-all'], ['offload', 'offload (PCIe)']] as const;

/** Communication seconds per step by kind, exposed (counted in the step) and hidden behind compute. */
export function communicationOption(plans: LabelledPlan[]) {
  return stackedBars(plans, 's', [
    ...commKinds.map(([kind, name]) => ({ name: `${name} exposed`, value: (p: PlanResult) => p.commExposedSecondsPerStep[kind] })),
    { name: 'hidden (all kinds)', value: (p: PlanResult) => Object.values(p.commHiddenSecondsPerStep).reduce((a, b) => a + b, 0) },
  ]);
}

/** Energy per token, split compute / communication / idle / host. */
export function energyOption(plans: LabelledPlan[]) {
  const perToken = (p: PlanResult, joulesPerStep: number) => (p.tokensPerSecond > 0 ? joulesPerStep / (p.tokensPerSecond * p.stepTimeSeconds) : 0);
  return stackedBars(plans, 'J/token', [
    { name: 'compute', value: (p) => perToken(p, p.energySplitJoulesPerStep.compute) },
    { name: 'communication', value: (p) => perToken(p, p.energySplitJoulesPerStep.communication) },
    { name: 'idle', value: (p) => perToken(p, p.energySplitJoulesPerStep.idle) },
    { name: 'host', value: (p) => perToken(p, p.energySplitJoulesPerStep.host) },
  ]);
}
