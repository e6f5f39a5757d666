/** Turns a validated plan request into a resolved context (model, GPU, links) and strategy, with one-line reasons for invalid ones. */
import { ShardScopeError } from '../errors.js';
import { gpuSpec, modelPreset } from './catalogue.js';
import { resolveModel, type ResolvedModel } from './model-math.js';
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
  computeEfficiency: number;
  intraNodeBytesPerSecond: number;
  interNodeBytesPerSecond: number;
  hostLinkBytesPerSecond: number;
}

/** A complete, valid strategy. */
export interface ResolvedStrategy {
  dp: number;
  tp: number;
  pp: number;
  virtualStages: number;
  microBatch: number;
  globalBatch: number;
  numMicroBatches: number;
  seqLen: number;
  zeroStage: 0 | 1 | 2 | 3;
  recompute: 'none' | 'selective' | 'full';
  sequenceParallel: boolean;
  dtype: 'bf16' | 'fp16' | 'fp32';
  offload: 'none' | 'optimizer' | 'all';
}

/** Builds the context from a model (preset id or shape), a GPU (id or spec), counts and measured overrides. */
export function resolveContext(
  model: string | ModelSpec, gpu: string | GpuSpec, gpus: number, gpusPerNode: number | undefined,
  overrides: { computeEfficiency?: number; intraNodeBytesPerSecond?: number; interNodeBytesPerSecond?: number } = {},
): PlanContext {
  const spec = typeof gpu === 'string' ? gpuSpec(gpu) : gpu;
  return {
    model: resolveModel(typeof model === 'string' ? modelPreset(model) : model),
    gpuId: typeof gpu === 'string' ? gpu : spec.name,
    gpu: spec,
    gpus,
    gpusPerNode: Math.min(gpus, gpusPerNode ?? spec.defaultGpusPerNode),
    computeEfficiency: overrides.computeEfficiency ?? spec.computeEfficiency,
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
  if (input.dp === undefined && gpus % (tp * pp) !== 0) bad(`tp×pp = ${tp * pp} does not divide the ${gpus} GPUs`);
  const dp = input.dp ?? gpus / (tp * pp);
  if (dp * tp * pp !== gpus) bad(`dp×tp×pp = ${dp}×${tp}×${pp} = ${dp * tp * pp} is not the GPU count ${gpus}`);
  if (model.heads % tp !== 0) bad(`tp=${tp} does not divide the ${model.heads} attention heads of ${model.name}`);
  if (model.kvHeads % tp !== 0) bad(`tp=${tp} does not divide the ${model.kvHeads} key/value heads of ${model.name}`);
  if (model.ffnHidden % tp !== 0) bad(`tp=${tp} does not divide the MLP width ${model.ffnHidden} of ${model.name}`);
  const virtualStages = input.virtualStages ?? 1;
  if (virtualStages > 1 && pp === 1) bad('interleaved virtual stages need pp > 1');
  if (model.layers % (pp * virtualStages) !== 0) bad(`pp×virtual stages = ${pp * virtualStages} does not divide the ${model.layers} layers of ${model.name}`);
  const microBatch = input.microBatch ?? 1;
  const batchUnit = dp * microBatch;
  const globalBatch = input.globalBatch ?? Math.ceil((model.globalBatch ?? 512) / batchUnit) * batchUnit;
  if (globalBatch % batchUnit !== 0) bad(`global batch ${globalBatch} is not divisible by dp×micro-batch = ${dp}×${microBatch} = ${batchUnit}`);
  const numMicroBatches = globalBatch / batchUnit;
  if (virtualStages > 1 && numMicroBatches % pp !== 0) bad(`the interleaved schedule needs the ${numMicroBatches} micro-batches to be a multiple of pp=${pp}`);
  const seqLen = input.seqLen ?? model.maxPositions;
  if (model.positions === 'learned' && seqLen > model.maxPositions) bad(`seq-len ${seqLen} exceeds the ${model.maxPositions} learned positions of ${model.name}`);
  const zeroStage = input.zeroStage ?? 0;
  if (pp > 1 && zeroStage > 1) bad(`ZeRO-${zeroStage} cannot be combined with pipeline parallelism (pp=${pp}); use --zero 0 or 1`);
  const offload = input.offload ?? 'none';
  if (offload === 'optimizer' && zeroStage < 2) bad('optimizer offload needs ZeRO stage 2 or 3');
  if (offload === 'all' && zeroStage < 3) bad('parameter offload needs ZeRO stage 3');
  const sequenceParallel = input.sequenceParallel ?? false;
  if (sequenceParallel && tp === 1) bad('sequence parallelism needs tp > 1');
  const dtype = input.dtype ?? (ctx.gpu.bf16FlopsPerSecond === null ? 'fp32' : 'bf16');
  if (dtype !== 'fp32' && ctx.gpu.bf16FlopsPerSecond === null) bad(`${ctx.gpuId} has no 16-bit tensor units; use dtype fp32`);
  return {
    dp, tp, pp, virtualStages, microBatch, globalBatch, numMicroBatches, seqLen,
    zeroStage, recompute: input.recompute ?? 'none', sequenceParallel, dtype, offload,
  };
}
