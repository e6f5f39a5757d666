/** Memory per GPU: ZeRO model states and Korthikanti activation formulas. */

/** Recomputation mode. */
export type Recompute = 'none' | 'selective' | 'full';

/** Inputs of the per-layer activation formula (16-bit activations, 1-byte dropout masks). */
export interface ActivationShape {
  seqLen: number;
  microBatch: number;
  hidden: number;
  heads: number;
  tp: number;
  sequenceParallel: boolean;
  recompute: Recompute;
}

/**
 * Activation bytes of one layer for one micro-batch (Korthikanti et al. 2022, Table 2):
 * s·b·h·(10 + 24/t + 5·a·s/(h·t)) for TP, divided by t where sequence parallelism shards the rest,
 * the 5·a·s/h attention term dropped by selective recomputation, 2·s·b·h with full recomputation.
 */
export function activationBytesPerLayer(x: ActivationShape): number {
  const { seqLen: s, microBatch: b, hidden: h, heads: a, tp: t } = x;
  const sbh = s * b * h;
  if (x.recompute === 'full') return (2 * sbh) / (x.sequenceParallel ? t : 1);
  const attentionScores = x.recompute === 'selective' ? 0 : (5 * a * s) / h;
  if (x.sequenceParallel || t === 1) return (sbh / t) * (34 + attentionScores);
  return sbh * (10 + 24 / t + attentionScores / t);
}

/** Micro-batches whose activations a 1F1B stage holds at once: min(p − stage, m); stage 0 holds the most. */
export function microBatchesInFlight(pp: number, numMicroBatches: number, stage: number): number {
  return Math.max(1, Math.min(pp - stage, numMicroBatches));
}

/** Interleaved 1F1B holds (1 + (p−1)/(p·m)) times more on the first stage (Korthikanti et al., Sec. 4.2.3). */
export function interleaveFactor(pp: number, numMicroBatches: number, virtualStages: number): number {
  return virtualStages > 1 ? 1 + (pp - 1) / (pp * numMicroBatches) : 1;
}

/** Activation bytes of the first pipeline stage: layers per stage × in-flight micro-batches × per-layer bytes. */
export function firstStageActivationBytes(x: ActivationShape, layers: number, pp: number, numMicroBatches: number, virtualStages = 1): number {
  const perLayer = activationBytesPerLayer(x);
  return perLayer * (layers / pp) * microBatchesInFlight(pp, numMicroBatches, 0) * interleaveFactor(pp, numMicroBatches, virtualStages);
}

/** Bytes per parameter of the model states. */
export interface StateBytesPerParam {
  weights: number;
  gradients: number;
  optimizer: number;
}

/** Mixed-precision Adam (ZeRO's K = 12): 2 + 2 + 12 bytes; plain fp32 Adam: 4 + 4 + 8. */
export function stateBytesPerParam(dtype: 'bf16' | 'fp16' | 'fp32'): StateBytesPerParam {
  return dtype === 'fp32' ? { weights: 4, gradients: 4, optimizer: 8 } : { weights: 2, gradients: 2, optimizer: 12 };
}

/** Model-state bytes per device split into parts, for Ψ parameters held by a DP group of N_d (ZeRO Table 1). */
export function modelStateBytes(params: number, dataParallel: number, zeroStage: 0 | 1 | 2 | 3, perParam: StateBytesPerParam = stateBytesPerParam('bf16')): StateBytesPerParam {
  return {
    weights: (perParam.weights * params) / (zeroStage >= 3 ? dataParallel : 1),
    gradients: (perParam.gradients * params) / (zeroStage >= 2 ? dataParallel : 1),
    optimizer: (perParam.optimizer * params) / (zeroStage >= 1 ? dataParallel : 1),
  };
}

