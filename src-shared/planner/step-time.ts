/**
 * Step time of a strategy: compute of the slowest pipeline stage per micro-batch (GEMMs, attention kernel,
 * standard attention's memory traffic), each communication kind's total and exposed seconds under the
 * stack's overlap, the pipeline bubble and the optimizer step. Assumptions: docs/planner.md ("Overlap model").
 */
import { achievedRates, STANDARD_SCORE_BYTES, type EfficiencyResult } from './efficiency.js';
import { dpBytesSentPerRank, groupSpansNodes, ppElementsPerMicroBatch, tpElementsPerLayerPerMicroBatch } from './comm.js';
import type { LinkKind } from './energy.js';
import { layerMatmulParams, moeLayerCount } from './model-math.js';
import type { PlanContext, ResolvedStrategy } from './resolve.js';
import { stageParamsPerGpu, type MemoryBreakdown } from './stage-memory.js';

/** Communication kinds the planner models. */
export type CommKind = 'dp' | 'tp' | 'pp' | 'cp' | 'ep' | 'offload';

/** Seconds per step by communication kind. */
export type CommSeconds = Record<CommKind, number>;

/** Fraction of tensor-parallel traffic hidden behind GEMMs by TP communication overlap (needs sequence parallelism). */
export const TP_OVERLAP_HIDDEN = 0.6;
/** Fraction of MoE all-to-all time hidden when the stack overlaps it (DeepSeek-V3's DualPipe hides nearly all; Megatron's overlap about half). */
export const EP_OVERLAP_HIDDEN = 0.5;
/** Message size at which a link reaches half its bus bandwidth (latency × bandwidth), inside a node and across nodes. */
export const HALF_BANDWIDTH_BYTES = { intra: 256 * 1024, inter: 1024 * 1024 } as const;
/** DDP gradient bucket size that overlap works in (the last bucket cannot overlap). */
const BUCKET_BYTES = 64 * 2 ** 20;

/** The time model's result. */
export interface StepTime {
  /** Compute of the slowest stage over all micro-batches. */
  computeSeconds: number;
  bubbleSeconds: number;
  optimizerSeconds: number;
  commBytes: Record<CommKind, number>;
  commTotal: CommSeconds;
  commExposed: CommSeconds;
  links: { dp: LinkKind; tp: LinkKind; pp: LinkKind; cp: LinkKind; ep: LinkKind };
  stepSeconds: number;
  efficiency: EfficiencyResult;
  /** Compute seconds per micro-batch of each stage (uneven stages differ). */
  stageMicroBatchSeconds: number[];
}

/** Bus bandwidth at a message size: the calibration's measured curve, else datasheet × link efficiency × S/(S + half). */
function busBandwidth(ctx: PlanContext, link: LinkKind, messageBytes: number, membersPerNode = 1): number {
  const inter = link === 'network';
  const points = inter ? ctx.gpu.calibration?.interNodeBusBandwidth : ctx.gpu.calibration?.intraNodeBusBandwidth;
  if (points && points.length > 0) {
    const sorted = [...points].sort((a, b) => a.bytes - b.bytes);
    if (messageBytes <= sorted[0].bytes) return sorted[0].busBytesPerSecond;
    for (let i = 1; i < sorted.length; i += 1) {
      if (messageBytes <= sorted[i].bytes) {
        const f = Math.log(messageBytes / sorted[i - 1].bytes) / Math.log(sorted[i].bytes / sorted[i - 1].bytes);
        return sorted[i - 1].busBytesPerSecond + f * (sorted[i].busBytesPerSecond - sorted[i - 1].busBytesPerSecond);
      }
    }
    return sorted[sorted.length - 1].busBytesPerSecond;
  }
  // Across nodes NCCL runs one ring per NIC: a group with k members on each node drives k GPUs' NICs.
  const peak = inter ? ctx.interNodeBytesPerSecond * membersPerNode : ctx.intraNodeBytesPerSecond;
  const half = inter ? HALF_BANDWIDTH_BYTES.inter : HALF_BANDWIDTH_BYTES.intra;
  return (peak * messageBytes) / (messageBytes + half);
}

/** Computes the step time of a strategy; `memory` is the first stage's (for the optimizer step's traffic). */
export function stepTime(ctx: PlanContext, s: ResolvedStrategy, memory: MemoryBreakdown): StepTime {
  const m = ctx.model;
  const gpu = ctx.gpu;
  const act = s.dtype === 'fp32' ? 4 : 2;
  const localSeq = s.seqLen / s.cp;
  const tokens = s.microBatch * localSeq;
  const efficiency = achievedRates(gpu, { widthPerGpu: m.hidden / Math.sqrt(s.tp), tokensPerGpu: tokens, dtype: s.dtype }, s.attention, ctx.computeEfficiency, ctx.clockFactor);
  const memBw = gpu.memoryBandwidthBytesPerSecond * ctx.clockFactor;

  // One layer, one micro-batch: forward 1, backward 2, full recomputation one more forward; selective recomputes attention.
  const gemmPasses = 3 + (s.recompute === 'full' ? 1 : 0);
  const attentionPasses = 3 + (s.recompute === 'none' ? 0 : 1);
  const gemmSeconds = (2 * tokens * layerMatmulParams(m) * gemmPasses) / s.tp / efficiency.gemmFlopsPerSecond;
  const attentionFlops = (4 * tokens * s.seqLen * m.hidden * attentionPasses) / s.tp;
  const attentionSeconds = attentionFlops / efficiency.attentionFlopsPerSecond;
  const scoreSeconds = s.attention === 'standard'
    ? (STANDARD_SCORE_BYTES * (1 + (s.recompute === 'full' ? 0.4 : 0)) * (m.heads / s.tp) * localSeq * s.seqLen * s.microBatch) / memBw : 0;
  const layerSeconds = gemmSeconds + attentionSeconds + scoreSeconds;
  const headSeconds = (2 * tokens * m.hidden * m.vocab * 3) / s.tp / efficiency.gemmFlopsPerSecond;
  const stageMicroBatchSeconds = s.layersPerStage.map((layers, i) => layers * layerSeconds + (i === s.pp - 1 ? headSeconds : 0));
  const slowest = Math.max(...stageMicroBatchSeconds);
  const slowestLayers = Math.max(...s.layersPerStage);

  const linkOf = (size: number, stride: number): LinkKind => (groupSpansNodes(size, stride, ctx.gpusPerNode) ? 'network' : gpu.intraNodeLink);
  const links = {
    tp: linkOf(s.tp, 1), cp: linkOf(s.cp, s.tp), ep: linkOf(s.ep, s.tp * s.cp),
    dp: linkOf(s.zeroStage === 3 ? s.shardGroup : s.dp, s.tp * s.cp), pp: linkOf(s.pp, s.tp * s.cp * s.dp),
  };
  // Members of a data-parallel group on one node: its bucketed rings use that many NICs when it spans nodes.
  // Per-layer TP/CP/EP collectives and pipeline sends are counted on one NIC per GPU (latency-bound, sharing NICs with DP).
  const perNode = (size: number, stride: number) => Math.max(1, Math.min(size, Math.floor(ctx.gpusPerNode / stride)));
  const members = { tp: 1, cp: 1, ep: 1, dp: perNode(s.zeroStage === 3 ? s.shardGroup : s.dp, s.tp * s.cp), pp: 1 };
  const secondsOn = (kind: keyof typeof members) => (link: LinkKind, bytes: number, messageBytes: number) => (bytes > 0 ? bytes / busBandwidth(ctx, link, messageBytes, members[kind]) : 0);
  const seconds = secondsOn('pp');

  // Tensor parallel: 4 all-reduces (or RS+AG pairs) per layer per micro-batch, 6 with full recomputation.
  const recomputeCommFactor = s.recompute === 'full' ? 1.5 : 1;
  const tpMicro = s.tp > 1 ? tpElementsPerLayerPerMicroBatch(s.microBatch, localSeq, m.hidden, s.tp) * act * slowestLayers * recomputeCommFactor : 0;
  const tpMicroSeconds = secondsOn('tp')(links.tp, tpMicro, tokens * m.hidden * act);
  const tpExposedMicro = tpMicroSeconds * (s.overlap && s.sequenceParallel ? 1 - TP_OVERLAP_HIDDEN : 1);

  // Context parallel: ring exchange of K and V blocks (forward), K, V and their gradients (backward), hidden behind attention.
  const kvWidth = ((m.hidden / m.heads) * m.kvHeads) / Math.min(s.tp, m.kvHeads);
  const cpLayer = s.cp > 1 ? 3 * (s.cp - 1) * 2 * tokens * kvWidth * act : 0;
  const cpLayerSeconds = secondsOn('cp')(links.cp, cpLayer, 2 * tokens * kvWidth * act);
  const cpExposedLayer = s.overlap ? Math.max(0, cpLayerSeconds - attentionSeconds) : cpLayerSeconds;

  // Expert parallel: dispatch and combine all-to-alls forward and backward (and again with full recomputation) per MoE layer.
  const moeShare = m.moe ? moeLayerCount(m) / m.layers : 0;
  // FP8 training dispatches tokens in FP8 (1 byte) and combines them in 16 bits (DeepSeek-V3, Transformer Engine).
  const dispatchBytes = s.dtype === 'fp8' ? 1 : act;
  const epLayer = m.moe && s.ep > 1 ? (2 + (s.recompute === 'full' ? 1 : 0)) * (dispatchBytes + act) * (tokens / (s.sequenceParallel ? s.tp : 1)) * m.moe.topK * m.hidden * ((s.ep - 1) / s.ep) * moeShare : 0;
  const epLayerSeconds = secondsOn('ep')(links.ep, epLayer, (tokens * (m.moe?.topK ?? 1) * m.hidden * act) / s.ep);
  const epExposedLayer = epLayerSeconds * (s.overlap ? 1 - EP_OVERLAP_HIDDEN : 1);

  // Pipeline: b·s·h (÷t with scatter/gather) each way per micro-batch per boundary, v times with interleaving.
  const ppOne = s.pp > 1 ? ppElementsPerMicroBatch(s.microBatch, localSeq, m.hidden, s.tp, s.tp > 1) * act : 0;
  const ppTotalBytes = 2 * s.numMicroBatches * s.virtualStages * ppOne;
  const ppOneSeconds = seconds(links.pp, ppOne, ppOne);
  const ppTotalSeconds = 2 * s.numMicroBatches * s.virtualStages * ppOneSeconds;
  const ppExposed = s.overlap ? Math.min(ppTotalSeconds, 2 * (s.pp - 1) * s.virtualStages * ppOneSeconds) : ppTotalSeconds;

  // Data parallel (first stage's parameters): once per step, or ZeRO-3/FSDP gathers and reduce-scatters every micro-batch.
  const params = stageParamsPerGpu(ctx, s, 0);
  const paramsLocal = params.dense + params.experts;
  let dpBytes = 0;
  let dpSeconds = 0;
  let dpExposed = 0;
  const firstStageMicro = stageMicroBatchSeconds[0];
  if (s.zeroStage === 3 && s.dp > 1) {
    const g = s.shardGroup;
    const perMicro = g > 1 ? 3 * paramsLocal * act * ((g - 1) / g) : 0;
    const layerMessage = (paramsLocal / Math.max(1, s.layersPerStage[0])) * act;
    const perMicroSeconds = secondsOn('dp')(links.dp, perMicro, layerMessage);
    const replicas = s.dp / g;
    const crossBytes = replicas > 1 ? dpBytesSentPerRank(paramsLocal / g, act, replicas, 0) : 0;
    const crossSeconds = seconds(linkOf(replicas, s.tp * s.cp * g), crossBytes, Math.min(BUCKET_BYTES, (paramsLocal / g) * act));
    dpBytes = perMicro * s.numMicroBatches + crossBytes;
    dpSeconds = perMicroSeconds * s.numMicroBatches + crossSeconds;
    const exposedMicro = s.overlap ? Math.max(0, perMicroSeconds - firstStageMicro) + perMicroSeconds / Math.max(1, 3 * s.layersPerStage[0]) : perMicroSeconds;
    dpExposed = exposedMicro * s.numMicroBatches + (s.overlap ? Math.max(0, crossSeconds - (2 / 3) * firstStageMicro) : crossSeconds);
  } else if (s.dp > 1) {
    dpBytes = dpBytesSentPerRank(paramsLocal, act, s.dp, s.zeroStage);
    dpSeconds = secondsOn('dp')(links.dp, dpBytes, Math.min(BUCKET_BYTES, paramsLocal * act));
    const buckets = Math.max(1, Math.ceil((paramsLocal * act) / BUCKET_BYTES));
    const hidden = s.overlap ? Math.min(dpSeconds * (1 - 1 / buckets), (2 / 3) * firstStageMicro) : 0;
    dpExposed = dpSeconds - hidden;
  }

  const offloadedParams = paramsLocal / s.dp;
  const offloadBytes = s.offload === 'none' ? 0 : 2 * offloadedParams * act + (s.offload === 'all' ? 2 * paramsLocal * act : 0);
  const offloadSeconds = offloadBytes / ctx.hostLinkBytesPerSecond;

  const m_ = s.numMicroBatches;
  const commTotal: CommSeconds = {
    dp: dpSeconds, tp: tpMicroSeconds * m_, pp: ppTotalSeconds, cp: cpLayerSeconds * slowestLayers * m_, ep: epLayerSeconds * slowestLayers * m_, offload: offloadSeconds,
  };
  const commExposed: CommSeconds = {
    dp: dpExposed, tp: tpExposedMicro * m_, pp: ppExposed, cp: cpExposedLayer * slowestLayers * m_, ep: epExposedLayer * slowestLayers * m_, offload: offloadSeconds,
  };
  const commBytes = {
    dp: dpBytes, tp: tpMicro * m_, pp: ppTotalBytes, cp: cpLayer * slowestLayers * m_, ep: epLayer * slowestLayers * m_, offload: offloadBytes,
  };
  const computeSeconds = slowest * m_;
  const perMicroExposed = tpExposedMicro + (cpExposedLayer + epExposedLayer) * slowestLayers;
  const bubbleSeconds = ((s.pp - 1) / s.virtualStages) * (slowest + perMicroExposed);
  // Adam step: reads and writes the local weights, gradients and optimizer states once (memory-bound).
  const optimizerSeconds = (2 * (memory.weights + memory.gradients + memory.optimizer)) / memBw;
  const exposedTotal = Object.values(commExposed).reduce((a, b) => a + b, 0);
  const stepSeconds = computeSeconds + exposedTotal + bubbleSeconds + optimizerSeconds;
  return { computeSeconds, bubbleSeconds, optimizerSeconds, commBytes, commTotal, commExposed, links, stepSeconds, efficiency, stageMicroBatchSeconds };
}
