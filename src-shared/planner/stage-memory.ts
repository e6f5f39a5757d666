/** Memory of one pipeline stage's GPU, by labelled part: sharded model states, gathered parameters, stored activations, recompute working set, communication buffers, runtime overhead. */
import { activationBytesPerLayer, interleaveFactor, microBatchesInFlight, parallelActivationUnits, stateBytesPerParam } from './memory.js';
import { embeddingParams, layerParams, routedExpertParamsPerLayer } from './model-math.js';
import type { PlanContext, ResolvedStrategy } from './resolve.js';

/** Memory one GPU needs, by part (bytes); weights/gradients/optimizer are the sharded model states only. */
export interface MemoryBreakdown {
  /** Sharded model states: this GPU's share of the weights (ZeRO-3/FSDP: 1/shard group). */
  weights: number;
  gradients: number;
  optimizer: number;
  /** Stored activations of the micro-batches in flight (and the last stage's fp32 logits). */
  activations: number;
  /** ZeRO-3/FSDP: the layers gathered whole for compute (current and prefetched) and one layer's unsharded gradients. */
  gatheredParameters: number;
  /** Full recomputation's replayed layer, or selective recomputation's attention scores of one layer. */
  recomputeWorkingSet: number;
  /** DDP gradient buckets, sequence-parallel all-gather and MoE dispatch buffers. */
  commBuffers: number;
  /** CUDA context, allocator and library workspaces (catalogue figure). */
  overhead: number;
  total: number;
}

/** Bytes of DDP gradient buckets kept in flight (two buckets of up to 64 MiB, as PyTorch/Megatron overlap them). */
const BUCKET_BYTES = 64 * 2 ** 20;

/** Parameters of one stage on one GPU, split into the dense part (sharded over dp) and routed experts (over dp/ep). */
export function stageParamsPerGpu(ctx: PlanContext, s: ResolvedStrategy, stage: number): { dense: number; experts: number } {
  const m = ctx.model;
  const emb = embeddingParams(m);
  const routed = routedExpertParamsPerLayer(m);
  const layers = s.layersPerStage[stage];
  const tiedCopy = s.pp > 1 && m.tiedEmbeddings ? m.vocab * m.hidden : 0;
  const ends = (stage === 0 ? emb.input : 0) + (stage === s.pp - 1 ? emb.output + (stage === 0 ? 0 : tiedCopy) : 0);
  return { dense: (layers * (layerParams(m) - routed) + ends) / s.tp, experts: (layers * routed) / (s.tp * s.ep) };
}

/** Activation bytes of one layer for one micro-batch on one GPU under this strategy (sequence split by cp). */
export function layerActivationBytes(ctx: PlanContext, s: ResolvedStrategy, recompute: ResolvedStrategy['recompute']): number {
  const m = ctx.model;
  const bytes = activationBytesPerLayer({
    seqLen: s.seqLen / s.cp, microBatch: s.microBatch, hidden: m.hidden, heads: m.heads, tp: s.tp,
    sequenceParallel: s.sequenceParallel, recompute, attention: s.attention, parallelUnits: parallelActivationUnits(m), replicatedUnits: m.dropout ? 10 : 8,
  });
  return bytes * (s.dtype === 'fp32' ? 2 : 1);
}

/** Memory of one pipeline stage's GPU by part. */
export function memoryOfStage(ctx: PlanContext, s: ResolvedStrategy, stage: number): MemoryBreakdown {
  const m = ctx.model;
  const per = stateBytesPerParam(s.dtype);
  const { dense, experts } = stageParamsPerGpu(ctx, s, stage);
  const z = s.zeroStage;
  // ZeRO-3/FSDP shards everything within its shard group (HSDP); ZeRO-1/2 over all dp ranks; experts over dp/ep.
  const divisor = (params: number, group: number, sharded: boolean) => (sharded ? params / group : params);
  const denseGroup = z === 3 ? s.shardGroup : s.dp;
  const expertGroup = Math.max(1, denseGroup / s.ep);
  const states = (bytesPerParam: number, sharded: boolean) => bytesPerParam * (divisor(dense, denseGroup, sharded) + divisor(experts, expertGroup, sharded));
  const offloadAll = s.offload === 'all';
  const weights = offloadAll ? 0 : states(per.weights, z >= 3);
  const gradients = s.offload === 'none' ? states(per.gradients, z >= 2) : 0;
  const optimizer = s.offload === 'none' ? states(per.optimizer, z >= 1) : 0;

  const layerLocal = (layerParams(m) - routedExpertParamsPerLayer(m) * (1 - 1 / s.ep)) / s.tp;
  const gatheredParameters = z === 3 ? layerLocal * (2 * per.weights + per.gradients) : 0;

  const perLayer = layerActivationBytes(ctx, s, s.recompute);
  const inFlight = microBatchesInFlight(s.pp, s.numMicroBatches, stage) * (stage === 0 ? interleaveFactor(s.pp, s.numMicroBatches, s.virtualStages) : 1);
  // fp32 logits for the loss live on the last stage (not in Korthikanti's per-layer formulas).
  const logits = stage === s.pp - 1 ? (4 * (s.seqLen / s.cp) * s.microBatch * m.vocab) / s.tp : 0;
  const activations = perLayer * s.layersPerStage[stage] * inFlight + logits;
  const localSeq = s.seqLen / s.cp;
  const recomputeWorkingSet = s.recompute === 'full'
    ? layerActivationBytes(ctx, s, 'none')
    : s.recompute === 'selective' && s.attention === 'standard' ? (5 * m.heads * localSeq * localSeq * s.microBatch) / s.tp : 0;

  const gradBytesLocal = per.gradients * (dense + experts);
  const buckets = s.dp > 1 && z < 3 ? 2 * Math.min(gradBytesLocal, BUCKET_BYTES) : 0;
  const spBuffer = s.tp > 1 && s.sequenceParallel ? 2 * localSeq * s.microBatch * m.hidden : 0;
  const moeBuffers = m.moe && s.ep > 1 ? 2 * 2 * localSeq * s.microBatch * m.moe.topK * m.hidden : 0;
  const commBuffers = buckets + spBuffer + moeBuffers;
  const overhead = ctx.gpu.runtimeOverheadBytes;
  const total = weights + gradients + optimizer + activations + gatheredParameters + recomputeWorkingSet + commBuffers + overhead;
  return { weights, gradients, optimizer, activations, gatheredParameters, recomputeWorkingSet, commBuffers, overhead, total };
}
