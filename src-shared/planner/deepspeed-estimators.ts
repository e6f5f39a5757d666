/**
 * DeepSpeed's model-state memory estimators (deepspeed.runtime.zero.stage_1_and_2 / stage3
 * estimate_zero{2,3}_model_states_mem_needs), reproduced so their published examples can be checked.
 * They use a different accounting from the ZeRO paper (4·P for fp16 weights + grads under ZeRO-2,
 * 18·P/N under ZeRO-3); bytes returned, integer truncation as in the original.
 */

/** CPU and GPU bytes per device that DeepSpeed's ZeRO-2 estimator prints. */
export function deepspeedZero2Estimate(totalParams: number, gpusPerNode: number, nodes: number, cpuOffload: boolean, bufferFactor = 1.5): { cpuBytes: number; gpuBytes: number } {
  const totalGpus = gpusPerNode * nodes;
  if (cpuOffload) return { gpuBytes: 2 * totalParams, cpuBytes: Math.trunc(totalParams * Math.max(4 * totalGpus, 16) * bufferFactor) };
  return { gpuBytes: 4 * totalParams + Math.trunc((16 * totalParams) / totalGpus), cpuBytes: Math.trunc(totalParams * 4 * gpusPerNode * bufferFactor) };
}

/** Options of DeepSpeed's ZeRO-3 estimator. */
export interface Zero3EstimateOptions {
  totalParams: number;
  largestLayerParams: number;
  gpusPerNode: number;
  nodes: number;
  offloadOptimizer: boolean;
  offloadParams: boolean;
  zeroInit: boolean;
  bufferFactor?: number;
}

/** CPU and GPU bytes per device that DeepSpeed's ZeRO-3 estimator prints. */
export function deepspeedZero3Estimate(o: Zero3EstimateOptions): { cpuBytes: number; gpuBytes: number; largestLayerBytes: number } {
  const totalGpus = o.gpusPerNode * o.nodes;
  const gpusFactor = 1 / o.nodes;
  const buffer = o.bufferFactor ?? 1.5;
  const largestLayerBytes = 4 * o.largestLayerParams;
  const P = o.totalParams;
  let gpuBytes: number;
  let cpuBytes: number;
  if (o.offloadOptimizer) {
    if (o.offloadParams) {
      gpuBytes = largestLayerBytes;
      cpuBytes = P * (o.zeroInit ? 18 * gpusFactor : Math.max(4 * o.gpusPerNode, 18 * gpusFactor)) * buffer;
    } else {
      gpuBytes = largestLayerBytes + Math.trunc((2 * P) / totalGpus);
      cpuBytes = P * (o.zeroInit ? 16 * gpusFactor : Math.max(4 * o.gpusPerNode, 16 * gpusFactor)) * buffer;
    }
  } else {
    gpuBytes = largestLayerBytes + Math.trunc((18 * P) / totalGpus);
    cpuBytes = (o.zeroInit ? o.largestLayerParams : P) * 4 * o.gpusPerNode * buffer;
  }
  return { cpuBytes: Math.trunc(cpuBytes), gpuBytes, largestLayerBytes };
}
