/** 1F1B (PipeDream-Flush): warm-up forwards, then alternate one forward and one backward, then drain. */
import type { PipelineOp } from './types.js';

/** The op order of stage `stage` of `stages` under 1F1B; at most stages - stage micro-batches are in flight. */
export function oneFOneBSchedule(microBatches: number, stages: number, stage: number): PipelineOp[] {
  const warmup = Math.min(stages - stage - 1, microBatches);
  const ops: PipelineOp[] = [];
  for (let mb = 0; mb < warmup; mb += 1) ops.push({ kind: 'forward', microBatch: mb });
  for (let i = 0; i < microBatches - warmup; i += 1) {
    ops.push({ kind: 'forward', microBatch: warmup + i });
    ops.push({ kind: 'backward', microBatch: i });
  }
  for (let mb = microBatches - warmup; mb < microBatches; mb += 1) ops.push({ kind: 'backward', microBatch: mb });
  return ops;
}
