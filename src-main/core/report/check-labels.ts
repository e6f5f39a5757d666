/** Names a reader sees for the report's keys: predicted-vs-measured rows, where memory figures come from (the JSON and CSV keep the keys). */
import { rankMemorySourceLabels } from '../../../src-shared/measured-vs-predicted.js';
import type { MeasuredFigures } from '../../../src-shared/report-schema.js';

const labels: Record<string, string> = {
  stepTimeSeconds: 'step time (slowest rank, after step 1)',
  tokensPerSecond: 'throughput',
  computeSecondsPerStep: 'compute time per step',
  communicationSecondsPerStep: 'communication time per step',
  bubbleFraction: 'pipeline bubble (share of the step)',
  commBytesPerStepPerGpu: 'bytes sent per rank per step (all kinds)',
  'commBytesPerStepPerGpu.dp': 'DP bytes sent per rank per step',
  'commBytesPerStepPerGpu.tp': 'TP bytes sent per rank per step',
  'commBytesPerStepPerGpu.pp': 'PP bytes sent per rank per step',
  peakMemoryPerGpuBytes: 'peak memory per device (largest)',
  mfu: 'model FLOPs utilisation (MFU)',
  joulesPerToken: 'energy per token',
};

/** The reader's name of a prediction check's metric key; a key it does not know is spelled out from its camelCase. */
export function checkLabel(metric: string): string {
  if (Object.hasOwn(labels, metric)) return labels[metric];
  const rank = /^peakMemoryBytes\.rank(\d+)$/.exec(metric);
  if (rank) return `peak memory of rank ${rank[1]}`;
  return metric.replace(/\./g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Where the peak memory figure came from, for readers. */
export function memorySourceLabel(source: MeasuredFigures['peakMemorySource']): string {
  if (source === 'gpu-memory') return 'GPU memory used (nvidia-smi)';
  if (source === 'framework-memory') return 'memory the training framework reported';
  return rankMemorySourceLabels[source];
}
