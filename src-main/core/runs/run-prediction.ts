/** The planner's prediction for a local run of the built-in engine, kept with the run to compare against. */
import { cpus, totalmem } from 'node:os';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { gpuSpec, planStrategy, type PlanResult } from '../../../src-shared/planner/index.js';

/**
 * Plans the run with one CPU core per rank: the catalogue's `cpu` entry describes a whole host, so
 * its peak FLOP/s is divided by that entry's core count (16) and memory by this host's cores.
 * Returns null when the planner cannot represent the run (it says why in its error).
 */
export function predictLocalRun(config: TrainConfig): PlanResult | null {
  const { dp, tp, pp } = config.strategy;
  const world = dp * tp * pp;
  const host = gpuSpec('cpu');
  const perCore = { ...host, name: 'one CPU core', fp32FlopsPerSecond: host.fp32FlopsPerSecond / 16, memoryBytes: totalmem() / Math.max(1, cpus().length) };
  try {
    return planStrategy({
      // The engine computes attention with explicit score matrices (standard attention: s² scores stored).
      model: { ...config.model, ffnHidden: 4 * config.model.hidden, tiedEmbeddings: false, attention: 'standard' },
      cluster: { gpu: perCore, gpus: world, gpusPerNode: world },
      strategy: {
        dp, tp, pp,
        globalBatch: config.globalBatch,
        microBatch: Math.max(1, Math.floor(config.globalBatch / dp / config.microBatches)),
        zeroStage: config.zeroStage,
        recompute: config.recompute ? 'full' : 'none',
        dtype: 'fp32',
      },
    });
  } catch {
    return null;
  }
}
