/** Turns a validated plan request into a resolved context (model, GPU, links) and strategy, with one-line reasons for invalid ones. */
import { ShardScopeError } from '../errors.js';
import { gpuSpec, modelPreset } from './catalogue.js';
import { powerCapClockFactor } from './efficiency.js';
import { layerMatmulParams, resolveModel, type ResolvedModel } from './model-math.js';
import { balancedLayersPerStage, layersPerStageProblem } from './pipeline-partition.js';
import type { GpuSpec, ModelSpec, StrategyInput } from './schemas.js';

/** Fraction of a link's datasheet per-direction bandwidth that NCCL rings reach (assumption; measured figures replace it). */
export const LINK_EFFICIENCY = 0.8;

/** Everything fixed about a plan except the strategy. */
export interface PlanContext {
  model: ResolvedModel;
  gpuId: string;
  gpu: GpuSpec;
  gpus: number;
  gpusPerNode: number;
  /** A fixed achieved fraction of peak given by the caller (`--efficiency`); else the efficiency model decides. */
  computeEfficiency?: number;
  /** Clock factor of a power cap below TDP (1 without one). */
  clockFactor: number;
  /** Power cap per GPU, when below TDP. */
  powerCapWatts?: number;
  intraNodeBytesPerSecond: number;
  interNodeBytesPerSecond: number;
  hostLinkBytesPerSecond: number;
}

/** A complete, valid strategy. */
export interface ResolvedStrategy {
  dp: number;
  tp: number;
  pp: number;
  /** Context-parallel ranks splitting the sequence. */
  cp: number;
  /** Expert-parallel ranks (carved from dp). */
  ep: number;
  virtualStages: number;
  /** Transformer layers on each pipeline stage (balanced, or as given). */
  layersPerStage: number[];
  microBatch: number;
  globalBatch: number;
  numMicroBatches: number;
  seqLen: number;
  zeroStage: 0 | 1 | 2 | 3;
  recompute: 'none' | 'selective' | 'full';
  sequenceParallel: boolean;
  dtype: 'bf16' | 'fp16' | 'fp8' | 'fp32';
  offload: 'none' | 'optimizer' | 'all';
  attention: 'flash' | 'standard';
  distributedOptimizer: boolean;
  /** ZeRO-3/FSDP sharding group (dp for full sharding, fewer for HSDP). */
  shardGroup: number;
  /** Communication overlapped with compute where stacks do it. */
  overlap: boolean;
}

/** Builds the context from a model (preset id or shape), a GPU (id or spec), counts and measured overrides. */
export function resolveContext(
  model: string | ModelSpec, gpu: string | GpuSpec, gpus: number, gpusPerNode: number | undefined,
  overrides: { computeEfficiency?: number; powerCapWatts?: number; intraNodeBytesPerSecond?: number; interNodeBytesPerSecond?: number } = {},
): PlanContext {
  const spec = typeof gpu === 'string' ? gpuSpec(gpu) : gpu;
  const powerCapWatts = overrides.powerCapWatts ?? spec.powerCapWatts;
  const capped = powerCapWatts !== undefined && powerCapWatts < spec.tdpWatts;
  return {
    model: resolveModel(typeof model === 'string' ? modelPreset(model) : model),
    gpuId: typeof gpu === 'string' ? gpu : spec.name,
    gpu: spec,
    gpus,
    gpusPerNode: Math.min(gpus, gpusPerNode ?? spec.defaultGpusPerNode),
    computeEfficiency: overrides.computeEfficiency,
    clockFactor: powerCapClockFactor(spec, powerCapWatts),
    powerCapWatts: capped ? powerCapWatts : undefined,
    intraNodeBytesPerSecond: overrides.intraNodeBytesPerSecond ?? spec.intraNodeBytesPerSecond * LINK_EFFICIENCY,
    interNodeBytesPerSecond: overrides.interNodeBytesPerSecond ?? spec.interNodeBytesPerSecond * LINK_EFFICIENCY,
    hostLinkBytesPerSecond: spec.hostLinkBytesPerSecond * LINK_EFFICIENCY,
  };
}

function bad(message: string): never {
  throw new ShardScopeError('bad-input', message);
}

/** Fills the knobs left out and checks the strategy against the model and cluster; invalid ones throw `bad-input`. */
export function resolveStrategy(ctx: PlanContext, input: StrategyInput): ResolvedStrategy {
  const { model, gpus } = ctx;
  const tp = input.tp ?? 1;
  const pp = input.pp ?? 1;
  const cp = input.cp ?? 1;
  const fixed = tp * pp * cp;
  if (input.dp === undefined && gpus % fixed !== 0) bad(`${cp > 1 ? 'tp×pp×cp' : 'tp×pp'} = ${fixed} does not divide the ${gpus} GPUs`);
  const dp = input.dp ?? gpus / fixed;
  if (dp * fixed !== gpus) bad(cp > 1 ? `dp×tp×pp×cp = ${dp}×${tp}×${pp}×${cp} = ${dp * fixed} is not the GPU count ${gpus}` : `dp×tp×pp = ${dp}×${tp}×${pp} = ${dp * fixed} is not the GPU count ${gpus}`);
  if (model.heads % tp !== 0) bad(`tp=${tp} does not divide the ${model.heads} attention heads of ${model.name}`);
  if (model.kvHeads % tp !== 0 && tp % model.kvHeads !== 0) bad(`tp=${tp} does not divide the ${model.kvHeads} key/value heads of ${model.name}`);
  const ffn = model.moe ? model.moe.expertFfnHidden : model.ffnHidden;
  if (ffn % tp !== 0) bad(`tp=${tp} does not divide the MLP width ${ffn} of ${model.name}`);
  const ep = input.ep ?? 1;
  if (ep > 1 && !model.moe) bad(`ep=${ep} needs a mixture-of-experts model; ${model.name} is dense`);
  if (model.moe && model.moe.experts % ep !== 0) bad(`ep=${ep} does not divide the ${model.moe.experts} experts of ${model.name}`);
  if (dp % ep !== 0) bad(`ep=${ep} must divide dp=${dp} (expert-parallel ranks are carved from data-parallel ones)`);
  const virtualStages = input.virtualStages ?? 1;
  if (virtualStages > 1 && pp === 1) bad('interleaved virtual stages need pp > 1');
  if (model.layers < pp * virtualStages) bad(`pp×virtual stages = ${pp * virtualStages} exceeds the ${model.layers} layers of ${model.name}`);
  let layersPerStage: number[];
  if (input.layersPerStage) {
    const problem = layersPerStageProblem(input.layersPerStage, pp, model.layers);
    if (problem) bad(problem);
    layersPerStage = input.layersPerStage;
  } else if (model.layers % pp === 0) {
    layersPerStage = Array.from({ length: pp }, () => model.layers / pp);
  } else {
    // Uneven: the input embedding counts as one layer and the LM head as at least one (its GEMM cost), as Megatron-DeepSpeed and Llama 3 split them.
    const headLayers = Math.max(1, (model.hidden * model.vocab) / layerMatmulParams(model));
    layersPerStage = balancedLayersPerStage(model.layers, pp, 1, headLayers);
  }
  if (virtualStages > 1 && layersPerStage.some((l) => l < virtualStages)) bad(`every pipeline stage needs at least ${virtualStages} layers for ${virtualStages} virtual stages`);
  const microBatch = input.microBatch ?? 1;
  const batchUnit = dp * microBatch;
  const globalBatch = input.globalBatch ?? Math.ceil((model.globalBatch ?? 512) / batchUnit) * batchUnit;
  if (globalBatch % batchUnit !== 0) bad(`global batch ${globalBatch} is not divisible by dp×micro-batch = ${dp}×${microBatch} = ${batchUnit}`);
  const numMicroBatches = globalBatch / batchUnit;
  if (virtualStages > 1 && numMicroBatches % pp !== 0) bad(`the interleaved schedule needs the ${numMicroBatches} micro-batches to be a multiple of pp=${pp}`);
  const seqLen = input.seqLen ?? model.maxPositions;
  if (model.positions === 'learned' && seqLen > model.maxPositions) bad(`seq-len ${seqLen} exceeds the ${model.maxPositions} learned positions of ${model.name}`);
  if (seqLen % cp !== 0) bad(`cp=${cp} does not divide the sequence length ${seqLen}`);
  const attention = input.attention ?? model.attention;
  if (cp > 1 && attention !== 'flash') bad('context parallelism needs flash (fused) attention: ring attention exchanges key/value blocks of a fused kernel');
  const distributedOptimizer = input.distributedOptimizer ?? false;
  const zeroStage = input.zeroStage ?? (distributedOptimizer ? 1 : 0);
  if (distributedOptimizer && zeroStage === 0) bad('the distributed optimizer shards optimizer states (ZeRO-1); it cannot be combined with --zero 0');
  // ZeRO-2/3 with pipeline stages: DeepSpeed refuses it, but FSDP/FSDP2 with PP trains (torchtitan, Llama 3-style); planned as such.
  const shardGroup = input.shardGroup ?? dp;
  if (shardGroup !== dp && zeroStage < 3) bad('a shard group (HSDP) needs ZeRO-3/FSDP (--zero 3)');
  if (dp % shardGroup !== 0) bad(`shard group ${shardGroup} does not divide dp=${dp}`);
  const offload = input.offload ?? 'none';
  if (offload === 'optimizer' && zeroStage < 2) bad('optimizer offload needs ZeRO stage 2 or 3');
  if (offload === 'all' && zeroStage < 3) bad('parameter offload needs ZeRO stage 3');
  const sequenceParallel = input.sequenceParallel ?? false;
  if (sequenceParallel && tp === 1) bad('sequence parallelism needs tp > 1');
  const dtype = input.dtype ?? (ctx.gpu.bf16FlopsPerSecond !== null ? 'bf16' : ctx.gpu.fp16FlopsPerSecond ? 'fp16' : 'fp32');
  if (dtype === 'bf16' && ctx.gpu.bf16FlopsPerSecond === null) bad(ctx.gpu.fp16FlopsPerSecond ? `${ctx.gpuId} has no BF16 tensor units; use dtype fp16` : `${ctx.gpuId} has no 16-bit tensor units; use dtype fp32`);
  if (dtype === 'fp16' && !ctx.gpu.fp16FlopsPerSecond && ctx.gpu.bf16FlopsPerSecond === null) bad(`${ctx.gpuId} has no 16-bit tensor units; use dtype fp32`);
  if (dtype === 'fp8' && !ctx.gpu.fp8FlopsPerSecond) bad(`${ctx.gpuId} has no FP8 tensor units; use dtype bf16`);
  return {
    dp, tp, pp, cp, ep, virtualStages, layersPerStage, microBatch, globalBatch, numMicroBatches, seqLen,
    zeroStage, recompute: input.recompute ?? 'none', sequenceParallel, dtype, offload,
    attention, distributedOptimizer, shardGroup, overlap: input.overlap ?? true,
  };
}

