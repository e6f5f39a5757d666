/** The planner's validation set: published training runs (published-runs.json) planned and compared, for the test and docs/planner.md. */
import { readFileSync } from 'node:fs';
import { planStrategy, type ModelSpec, type PlanResult, type StrategyInput } from '../../../src-shared/planner/index.js';

/** One published run: its configuration, what was published, and where. */
export interface PublishedRun {
  id: string;
  source: string;
  url: string;
  model: string | ModelSpec;
  gpu: string;
  gpus: number;
  gpusPerNode?: number;
  strategy: StrategyInput;
  stack: string;
  /** Checked after the efficiency constants were set (long sequences, FP8): reported, not part of the 80% goal. */
  outOfSample?: boolean;
  published: { metric: 'tokensPerSecondPerGpu' | 'hardwareTflopsPerGpu' | 'mfu' | 'stepTimeSeconds'; value: number };
}

/** A run planned: the predicted figure beside the published one, error = (published − predicted) / predicted. */
export interface RunComparison {
  run: PublishedRun;
  plan: PlanResult;
  predicted: number;
  published: number;
  error: number;
}

/** Reads the validation set. */
export function loadPublishedRuns(): PublishedRun[] {
  return JSON.parse(readFileSync(new URL('./published-runs.json', import.meta.url), 'utf8')) as PublishedRun[];
}

/** The predicted value of the figure a run published. */
function predictedOf(plan: PlanResult, metric: PublishedRun['published']['metric']): number {
  if (metric === 'tokensPerSecondPerGpu') return plan.tokensPerSecond / plan.cluster.gpus;
  if (metric === 'hardwareTflopsPerGpu') return plan.tflopsPerGpu;
  if (metric === 'mfu') return plan.mfu;
  return plan.stepTimeSeconds;
}

/** Plans a run with its published configuration and compares the figure it published. */
export function compareRun(run: PublishedRun): RunComparison {
  const plan = planStrategy({ model: run.model, cluster: { gpu: run.gpu, gpus: run.gpus, gpusPerNode: run.gpusPerNode }, strategy: run.strategy });
  const predicted = predictedOf(plan, run.published.metric);
  return { run, plan, predicted, published: run.published.value, error: (run.published.value - predicted) / predicted };
}

/** The markdown table of docs/planner.md. */
export function comparisonTable(rows: RunComparison[]): string {
  const unit = { tokensPerSecondPerGpu: 'tokens/s/GPU', hardwareTflopsPerGpu: 'TFLOP/s/GPU (hw)', mfu: 'MFU', stepTimeSeconds: 'step s' } as const;
  const fmt = (v: number, metric: PublishedRun['published']['metric']) => (metric === 'mfu' ? `${(v * 100).toFixed(1)}%` : metric === 'stepTimeSeconds' ? v.toFixed(2) : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
  const lines = ['| run | GPUs | strategy | figure | predicted | published | error | fits (GiB) |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const s = r.plan.strategy;
    const strategy = `dp${s.dp} tp${s.tp} pp${s.pp}${s.cp > 1 ? ` cp${s.cp}` : ''}${s.virtualStages > 1 ? ` v${s.virtualStages}` : ''} b${s.microBatch} z${s.zeroStage} ${s.recompute} ${s.attention} ${s.dtype}`;
    const m = r.run.published.metric;
    lines.push(`| ${r.run.id} | ${r.run.gpus} x ${r.run.gpu} | ${strategy} | ${unit[m]} | ${fmt(r.predicted, m)} | ${fmt(r.published, m)} | ${(r.error * 100).toFixed(1)}% | ${r.plan.fits ? 'yes' : 'NO'} (${(r.plan.memoryPerGpuBytes.total / 2 ** 30).toFixed(1)}) |`);
  }
  return lines.join('\n');
}
