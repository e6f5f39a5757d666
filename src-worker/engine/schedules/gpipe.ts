/** GPipe: all micro-batches forward, then all backward. */
import type { PipelineOp } from './types.js';

/** The op order of one stage under GPipe (the same on every stage). */
export function gpipeSchedule(microBatches: number): PipelineOp[] {
  const ops: PipelineOp[] = [];
  for (let mb = 0; mb < microBatches; mb += 1) ops.push({ kind: 'forward', microBatch: mb });
  for (let mb = 0; mb < microBatches; mb += 1) ops.push({ kind: 'backward', microBatch: mb });
  return ops;
}
