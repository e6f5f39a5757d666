/** One step of a pipeline schedule on one stage. */
export interface PipelineOp {
  kind: 'forward' | 'backward';
  microBatch: number;
}
