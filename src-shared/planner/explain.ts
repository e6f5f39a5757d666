/** Human explanations of plan results: byte formatting and why a strategy does not fit. */
import type { PlanResult } from './evaluate.js';
import { formatBytes } from '../units.js';

/** Labels of the memory parts, in the order plans list them. */
export const memoryPartNames = {
  weights: 'weights (sharded)', gradients: 'gradients (sharded)', optimizer: 'optimizer states (sharded)', gatheredParameters: 'gathered parameters',
  activations: 'stored activations', recomputeWorkingSet: 'recompute working set', commBuffers: 'communication buffers', overhead: 'runtime overhead',
} as const;
const partNames = memoryPartNames;

const remedies: Record<keyof typeof partNames, string> = {
  weights: 'split the model with --tp/--pp or shard parameters with --zero 3',
  gradients: 'shard gradients with --zero 2, or split the model with --tp/--pp',
  optimizer: 'shard optimizer states over data-parallel ranks with --zero 1 (or 2, 3), or split the model with --tp/--pp',
  activations: 'use --recompute selective|full, --attention flash, --sequence-parallel, --cp, a smaller --micro-batch, or a larger --tp',
  gatheredParameters: 'split layers with --tp, or use ZeRO-1/2 instead of ZeRO-3',
  recomputeWorkingSet: 'use a smaller --micro-batch or a larger --tp',
  commBuffers: 'use a smaller --micro-batch',
  overhead: 'use a GPU with more memory',
};

/** One line naming the bytes of each part against the GPU's memory and what would shrink the largest part. */
export function explainMisfit(r: PlanResult): string {
  const mem = r.memoryPerGpuBytes;
  const parts = (Object.keys(partNames) as (keyof typeof partNames)[]).map((k) => ({ key: k, bytes: mem[k] }));
  const largest = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const list = parts.filter((p) => p.bytes > 0).map((p) => `${partNames[p.key]} ${formatBytes(p.bytes)}`).join(' + ');
  const stage = r.strategy.pp > 1 ? ` (${r.worstStage} pipeline stage)` : '';
  return `needs ${formatBytes(mem.total)} per GPU${stage} = ${list}, but one ${r.cluster.gpu} has ${formatBytes(r.cluster.memoryPerGpuBytes)}; `
    + `largest part: ${partNames[largest.key]} — ${remedies[largest.key]}`;
}
