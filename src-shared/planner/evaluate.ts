/** Evaluates one resolved strategy: memory per GPU (worst stage), communication, step time and energy. */
import { dpBytesSentPerRank, groupSpansNodes, ppElementsPerMicroBatch, tpElementsPerLayerPerMicroBatch, bubbleFraction } from './comm.js';
import { gpuStepEnergy, type LinkKind } from './energy.js';
import { activationBytesPerLayer, interleaveFactor, microBatchesInFlight, modelStateBytes, stateBytesPerParam } from './memory.js';
import { embeddingParams, hardwareFlopsPerStep, layerParams, modelFlopsPerStep, parameterCount } from './model-math.js';
import type { PlanContext, ResolvedStrategy } from './resolve.js';
import { explainMisfit } from './explain.js';

/** Memory one GPU needs, by part (bytes). */
export interface MemoryBreakdown {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  /** CUDA context, allocator and communication buffers (catalogue figure). */
  overhead: number;
  total: number;
}

/** The result of planning one strategy (the `plan --json` object). */
export interface PlanResult {
  model: { name: string; layers: number; hidden: number; heads: number; vocab: number; seqLen: number; params: number };
  cluster: { gpu: string; gpus: number; gpusPerNode: number; nodes: number; memoryPerGpuBytes: number };
  strategy: ResolvedStrategy;
  memoryPerGpuBytes: MemoryBreakdown;
  worstStage: 'first' | 'last';
  fits: boolean;
  why?: string;
  flopsPerStep: number;
  hardwareFlopsPerStep: number;
  commBytesPerStepPerGpu: { dp: number; tp: number; pp: number; offload: number };
  commSecondsPerStep: { dp: number; tp: number; pp: number; offload: number };
  links: { dp: LinkKind; tp: LinkKind; pp: LinkKind };
  timeBreakdownSeconds: { compute: number; communication: number; bubble: number };
  stepTimeSeconds: number;
  bubbleFraction: number;
  tokensPerSecond: number;
  tflopsPerGpu: number;
  mfu: number;
  energyJoulesPerStep: number;
  energySplitJoulesPerStep: { compute: number; communication: number; idle: number; host: number };
  joulesPerToken: number;
}

/** Activations a stage holds: in-flight micro-batches × its layers, plus a full-recompute replay's working layer and last-stage logits. */
function activationsOfStage(ctx: PlanContext, s: ResolvedStrategy, stage: number): number {
  const shape = { seqLen: s.seqLen, microBatch: s.microBatch, hidden: ctx.model.hidden, heads: ctx.model.heads, tp: s.tp, sequenceParallel: s.sequenceParallel };
  const perLayer = activationBytesPerLayer({ ...shape, recompute: s.recompute });
  const inFlight = microBatchesInFlight(s.pp, s.numMicroBatches, stage) * (stage === 0 ? interleaveFactor(s.pp, s.numMicroBatches, s.virtualStages) : 1);
  const replay = s.recompute === 'full' ? activationBytesPerLayer({ ...shape, recompute: 'none' }) : 0;
  // fp32 logits for the loss live on the last stage (not in Korthikanti's per-layer formulas).
  const logits = stage === s.pp - 1 ? (4 * s.seqLen * s.microBatch * ctx.model.vocab) / s.tp : 0;
  const dtypeScale = s.dtype === 'fp32' ? 2 : 1;
  return (perLayer * (ctx.model.layers / s.pp) * inFlight + replay) * dtypeScale + logits;
}

/** Memory of one pipeline stage's GPU by part. */
function memoryOfStage(ctx: PlanContext, s: ResolvedStrategy, stage: number): MemoryBreakdown {
  const m = ctx.model;
  const emb = embeddingParams(m);
  const isFirst = stage === 0;
  const isLast = stage === s.pp - 1;
  const tiedCopy = s.pp > 1 && m.tiedEmbeddings ? m.vocab * m.hidden : 0;
  const stageParams = (m.layers / s.pp) * layerParams(m) + (isFirst ? emb.input : 0) + (isLast ? emb.output + (isFirst ? 0 : tiedCopy) : 0);
  const states = modelStateBytes(stageParams / s.tp, s.dp, s.zeroStage, stateBytesPerParam(s.dtype));
  // ZeRO-3 gathers the layer it computes (DeepSpeed's estimator counts 4 bytes × largest layer).
  const gathered = s.zeroStage === 3 ? (4 * layerParams(m)) / s.tp : 0;
  const weights = (s.offload === 'all' ? 0 : states.weights) + gathered;
  const gradients = s.offload === 'none' ? states.gradients : 0;
  const optimizer = s.offload === 'none' ? states.optimizer : 0;
  const activations = activationsOfStage(ctx, s, stage);
  const overhead = ctx.gpu.runtimeOverheadBytes;
  return { weights, gradients, optimizer, activations, overhead, total: weights + gradients + optimizer + activations + overhead };
}

/** Stage parameters per GPU of the first stage (the DP gradient buffer each rank syncs). */
function firstStageParamsPerGpu(ctx: PlanContext, s: ResolvedStrategy): number {
  const m = ctx.model;
  const emb = embeddingParams(m);
  return ((m.layers / s.pp) * layerParams(m) + emb.input + (s.pp === 1 ? emb.output : 0)) / s.tp;
}

/** Computes memory, communication, time and energy of one valid strategy (no validation: see resolveStrategy); `why` unless explain is false. */
export function evaluateStrategy(ctx: PlanContext, s: ResolvedStrategy, explain = true): PlanResult {
  const m = ctx.model;
  const n = ctx.gpus;
  const first = memoryOfStage(ctx, s, 0);
  const last = s.pp > 1 ? memoryOfStage(ctx, s, s.pp - 1) : first;
  const memory = last.total > first.total ? last : first;
  const fits = memory.total <= ctx.gpu.memoryBytes;

  const bytesPerElement = s.dtype === 'fp32' ? 4 : 2;
  const layersPerStage = m.layers / s.pp;
  // Full recomputation replays the forward, and with it the forward all-reduces: 6 instead of 4 per layer.
  const recomputeCommFactor = s.recompute === 'full' ? 1.5 : 1;
  const tpBytes = s.tp > 1 ? tpElementsPerLayerPerMicroBatch(s.microBatch, s.seqLen, m.hidden, s.tp) * bytesPerElement * layersPerStage * s.numMicroBatches * recomputeCommFactor : 0;
  const ppBytes = s.pp > 1 ? 2 * s.numMicroBatches * s.virtualStages * ppElementsPerMicroBatch(s.microBatch, s.seqLen, m.hidden, s.tp, s.tp > 1) * bytesPerElement : 0;
  const paramsPerGpu = firstStageParamsPerGpu(ctx, s);
  const dpBytes = dpBytesSentPerRank(paramsPerGpu, bytesPerElement, s.dp, s.zeroStage);
  const offloadedParams = paramsPerGpu / s.dp;
  const offloadBytes = s.offload === 'none' ? 0 : 2 * offloadedParams * bytesPerElement + (s.offload === 'all' ? 2 * paramsPerGpu * bytesPerElement : 0);

  const linkOf = (spans: boolean): LinkKind => (spans ? 'network' : ctx.gpu.intraNodeLink);
  const links = {
    tp: linkOf(groupSpansNodes(s.tp, 1, ctx.gpusPerNode)),
    dp: linkOf(groupSpansNodes(s.dp, s.tp, ctx.gpusPerNode)),
    pp: linkOf(groupSpansNodes(s.pp, s.tp * s.dp, ctx.gpusPerNode)),
  };
  const bandwidth = (link: LinkKind) => (link === 'network' ? ctx.interNodeBytesPerSecond : ctx.intraNodeBytesPerSecond);
  const commSeconds = {
    dp: dpBytes / bandwidth(links.dp),
    tp: tpBytes / bandwidth(links.tp),
    pp: ppBytes / bandwidth(links.pp),
    offload: offloadBytes / ctx.hostLinkBytesPerSecond,
  };

  const peak = s.dtype === 'fp32' ? ctx.gpu.fp32FlopsPerSecond : (ctx.gpu.bf16FlopsPerSecond ?? ctx.gpu.fp32FlopsPerSecond);
  const tokensPerStep = s.globalBatch * s.seqLen;
  const flopsPerStep = modelFlopsPerStep(m, s.globalBatch, s.seqLen);
  const hwFlops = hardwareFlopsPerStep(m, s.globalBatch, s.seqLen, s.recompute);
  const computeSeconds = hwFlops / n / (peak * ctx.computeEfficiency);
  const bubble = bubbleFraction(s.pp, s.numMicroBatches, s.virtualStages);
  const bubbleSeconds = bubble * (computeSeconds + commSeconds.tp);
  const communicationSeconds = commSeconds.dp + commSeconds.tp + commSeconds.pp + commSeconds.offload;
  const stepTimeSeconds = computeSeconds + communicationSeconds + bubbleSeconds;

  const bytesByLink: Partial<Record<LinkKind, number>> = {};
  const addBytes = (link: LinkKind, bytes: number) => { bytesByLink[link] = (bytesByLink[link] ?? 0) + bytes; };
  addBytes(links.tp, tpBytes);
  addBytes(links.pp, ppBytes);
  addBytes(links.dp, dpBytes);
  addBytes('pcie', offloadBytes);
  const e = gpuStepEnergy(ctx.gpu, { compute: computeSeconds, communication: communicationSeconds, bubble: bubbleSeconds }, bytesByLink);
  const split = { compute: e.computeJoules * n, communication: (e.communicationJoules + e.linkJoules) * n, idle: e.idleJoules * n, host: e.hostJoules * n };
  const energyJoulesPerStep = split.compute + split.communication + split.idle + split.host;

  const result: PlanResult = {
    model: { name: m.name, layers: m.layers, hidden: m.hidden, heads: m.heads, vocab: m.vocab, seqLen: s.seqLen, params: parameterCount(m) },
    cluster: { gpu: ctx.gpuId, gpus: n, gpusPerNode: ctx.gpusPerNode, nodes: Math.ceil(n / ctx.gpusPerNode), memoryPerGpuBytes: ctx.gpu.memoryBytes },
    strategy: s,
    memoryPerGpuBytes: memory,
    worstStage: memory === first ? 'first' : 'last',
    fits,
    flopsPerStep,
    hardwareFlopsPerStep: hwFlops,
    commBytesPerStepPerGpu: { dp: dpBytes, tp: tpBytes, pp: ppBytes, offload: offloadBytes },
    commSecondsPerStep: commSeconds,
    links,
    timeBreakdownSeconds: { compute: computeSeconds, communication: communicationSeconds, bubble: bubbleSeconds },
    stepTimeSeconds,
    bubbleFraction: bubble,
    tokensPerSecond: tokensPerStep / stepTimeSeconds,
    tflopsPerGpu: hwFlops / n / stepTimeSeconds / 1e12,
    mfu: flopsPerStep / n / stepTimeSeconds / peak,
    energyJoulesPerStep,
    energySplitJoulesPerStep: split,
    joulesPerToken: energyJoulesPerStep / tokensPerStep,
  };
  if (!fits && explain) result.why = explainMisfit(result);
  return result;
}
