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
  /** Flash/fused attention never stores the s² scores (they are recomputed in backward); default standard. */
  attention?: 'flash' | 'standard';
  /**
   * Bytes per s·b·h of the tensor-parallel part (24 for GPT: Q, K, V, attention output 8 and a 4h GELU MLP 16);
   * see parallelActivationUnits for other shapes.
   */
  parallelUnits?: number;
  /** Bytes per s·b·h kept whole by every TP rank: 10 with dropout (two 1-byte masks), 8 without. */
  replicatedUnits?: number;
}

/** Bytes per s·b·h every TP rank keeps whole: two norm inputs 4, QKV and MLP inputs 4, two dropout masks 2. */
const REPLICATED_UNITS = 10;

/**
 * Activation bytes of one layer for one micro-batch (Korthikanti et al. 2022, Table 2):
 * s·b·h·(10 + 24/t + 5·a·s/(h·t)) for TP, divided by t where sequence parallelism shards the rest,
 * the 5·a·s/h attention term dropped by selective recomputation or flash attention, 2·s·b·h with full recomputation.
 * Other shapes (GQA, SwiGLU, MoE) replace the 24 by parallelUnits.
 */
export function activationBytesPerLayer(x: ActivationShape): number {
  const { seqLen: s, microBatch: b, hidden: h, heads: a, tp: t } = x;
  const sbh = s * b * h;
  if (x.recompute === 'full') return (2 * sbh) / (x.sequenceParallel ? t : 1);
  const attentionScores = x.recompute === 'selective' || x.attention === 'flash' ? 0 : (5 * a * s) / h;
  const parallel = x.parallelUnits ?? 24;
  const replicated = x.replicatedUnits ?? REPLICATED_UNITS;
  if (x.sequenceParallel || t === 1) return (sbh / t) * (replicated + parallel + attentionScores);
  return sbh * (replicated + parallel / t + attentionScores / t);
}

/** Shape facts parallelActivationUnits needs (a subset of ResolvedModel). */
export interface ActivationModelShape {
  hidden: number;
  heads: number;
  kvHeads: number;
  ffnHidden: number;
  mlp: 'gelu' | 'relu' | 'swiglu';
  layers: number;
  moe: { topK: number; sharedExperts: number; expertFfnHidden: number; capacityFactor: number; denseLayers: number } | null;
}

/**
 * Bytes per s·b·h of a layer's tensor-parallel activations: Q 2 + K, V 4·kv/h + attention output 2,
 * an MLP of width f stores 4f/h (GELU/ReLU: FC1 output and activation) or 6f/h (SwiGLU: gate and up outputs, their product; the activation is recomputed by fused kernels),
 * an MoE layer k·capacity routed copies plus its shared experts; averaged over dense and MoE layers. GPT (f = 4h): 24.
 */
export function parallelActivationUnits(m: ActivationModelShape): number {
  const perFfn = m.mlp === 'swiglu' ? 6 : 4;
  const attention = 4 + (4 * m.kvHeads) / m.heads;
  const dense = (perFfn * m.ffnHidden) / m.hidden;
  if (!m.moe) return attention + dense;
  const moe = (perFfn * m.moe.expertFfnHidden * (m.moe.topK * m.moe.capacityFactor + m.moe.sharedExperts)) / m.hidden;
  const moeLayers = m.layers - m.moe.denseLayers;
  return attention + (m.moe.denseLayers * dense + moeLayers * moe) / m.layers;
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

/**
 * Mixed-precision Adam (ZeRO's K = 12): 2 + 2 + 12 bytes; plain fp32 Adam: 4 + 4 + 8; FP8 (Transformer Engine)
 * keeps the 16-bit weights plus an FP8 copy (and its transpose) of the matrices: 2 + 2 + 12 + 2.
 */
export function stateBytesPerParam(dtype: 'bf16' | 'fp16' | 'fp8' | 'fp32'): StateBytesPerParam {
  if (dtype === 'fp32') return { weights: 4, gradients: 4, optimizer: 8 };
  return { weights: dtype === 'fp8' ? 4 : 2, gradients: 2, optimizer: 12 };
}

/** Model-state bytes per device split into parts, for Ψ parameters held by a DP group of N_d (ZeRO Table 1). */
export function modelStateBytes(params: number, dataParallel: number, zeroStage: 0 | 1 | 2 | 3, perParam: StateBytesPerParam = stateBytesPerParam('bf16')): StateBytesPerParam {
  return {
    weights: (perParam.weights * params) / (zeroStage >= 3 ? dataParallel : 1),
    gradients: (perParam.gradients * params) / (zeroStage >= 2 ? dataParallel : 1),
    optimizer: (perParam.optimizer * params) / (zeroStage >= 1 ? dataParallel : 1),
  };
}

