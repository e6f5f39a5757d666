/** Evaluates one resolved strategy: memory per GPU (worst stage), communication, step time and energy. */
import { bubbleFraction } from './comm.js';
import { sixteenBitPeak } from './efficiency.js';
import { gpuStepEnergy, type LinkKind } from './energy.js';
import { explainMisfit } from './explain.js';
import { hardwareFlopsPerStep, modelFlopsPerStep, parameterCount } from './model-math.js';
import type { PlanContext, ResolvedStrategy } from './resolve.js';
import { memoryOfStage, type MemoryBreakdown } from './stage-memory.js';
import { stepTime, type CommKind } from './step-time.js';

export type { MemoryBreakdown } from './stage-memory.js';

/** The result of planning one strategy (the `plan --json` object). */
export interface PlanResult {
  model: { name: string; layers: number; hidden: number; heads: number; vocab: number; seqLen: number; params: number; notes?: string[] };
  cluster: { gpu: string; gpus: number; gpusPerNode: number; nodes: number; memoryPerGpuBytes: number };
  strategy: ResolvedStrategy;
  memoryPerGpuBytes: MemoryBreakdown;
  /** The pipeline stage whose memory is reported (the one needing the most). */
  worstStage: 'first' | 'last' | 'middle';
  fits: boolean;
  why?: string;
  flopsPerStep: number;
  hardwareFlopsPerStep: number;
  commBytesPerStepPerGpu: Record<CommKind, number>;
  /** Seconds each kind of communication takes per step, hidden or not. */
  commSecondsPerStep: Record<CommKind, number>;
  /** Of those, the seconds not hidden behind compute (what the step time counts). */
  commExposedSecondsPerStep: Record<CommKind, number>;
  commHiddenSecondsPerStep: Record<CommKind, number>;
  links: { dp: LinkKind; tp: LinkKind; pp: LinkKind; cp: LinkKind; ep: LinkKind };
  /** communication = exposed communication only. */
  timeBreakdownSeconds: { compute: number; communication: number; bubble: number; optimizer: number };
  /** The efficiency model's achieved rates, and where they come from. */
  efficiency: { gemmFraction: number; gemmTflops: number; attentionTflops: number; source: 'model' | 'calibration' | 'override' };
  /** Transformer layers per pipeline stage. */
  layersPerStage: number[];
  stepTimeSeconds: number;
  bubbleFraction: number;
  tokensPerSecond: number;
  /** Hardware FLOP/s per GPU (incl. recomputation, Megatron's convention), in TFLOP/s. */
  tflopsPerGpu: number;
  /** Model FLOP/s per GPU (no recomputation), in TFLOP/s. */
  modelTflopsPerGpu: number;
  /** Model FLOPs over the 16-bit dense peak (fp32 peak for fp32 runs), also for FP8 runs. */
  mfu: number;
  energyJoulesPerStep: number;
  energySplitJoulesPerStep: { compute: number; communication: number; idle: number; host: number };
  joulesPerToken: number;
}

/** Computes memory, communication, time and energy of one valid strategy (no validation: see resolveStrategy); `why` unless explain is false. */
export function evaluateStrategy(ctx: PlanContext, s: ResolvedStrategy, explain = true): PlanResult {
  const m = ctx.model;
  const n = ctx.gpus;
  const first = memoryOfStage(ctx, s, 0);
  const last = s.pp > 1 ? memoryOfStage(ctx, s, s.pp - 1) : first;
  const widest = s.layersPerStage.indexOf(Math.max(...s.layersPerStage.slice(1, -1), 0), 1);
  const middle = s.pp > 2 && widest > 0 ? memoryOfStage(ctx, s, widest) : first;
  const memory = [first, last, middle].reduce((a, b) => (b.total > a.total ? b : a));
  const fits = memory.total <= ctx.gpu.memoryBytes;
  const t = stepTime(ctx, s, first);

  const peak = (s.dtype === 'fp32' ? ctx.gpu.fp32FlopsPerSecond : sixteenBitPeak(ctx.gpu));
  const tokensPerStep = s.globalBatch * s.seqLen;
  const flopsPerStep = modelFlopsPerStep(m, s.globalBatch, s.seqLen);
  const hwFlops = hardwareFlopsPerStep(m, s.globalBatch, s.seqLen, s.recompute);
  const exposed = Object.values(t.commExposed).reduce((a, b) => a + b, 0);
  const hidden = Object.fromEntries(Object.entries(t.commTotal).map(([k, v]) => [k, Math.max(0, v - t.commExposed[k as CommKind])])) as Record<CommKind, number>;

  const bytesByLink: Partial<Record<LinkKind, number>> = {};
  const addBytes = (link: LinkKind, bytes: number) => { bytesByLink[link] = (bytesByLink[link] ?? 0) + bytes; };
  for (const kind of ['tp', 'pp', 'dp', 'cp', 'ep'] as const) addBytes(t.links[kind], t.commBytes[kind]);
  addBytes('pcie', t.commBytes.offload);
  const powerGpu = ctx.powerCapWatts !== undefined ? { ...ctx.gpu, tdpWatts: ctx.powerCapWatts } : ctx.gpu;
  const e = gpuStepEnergy(powerGpu, { compute: t.computeSeconds + t.optimizerSeconds, communication: exposed, bubble: t.bubbleSeconds }, bytesByLink);
  const split = { compute: e.computeJoules * n, communication: (e.communicationJoules + e.linkJoules) * n, idle: e.idleJoules * n, host: e.hostJoules * n };
  const energyJoulesPerStep = split.compute + split.communication + split.idle + split.host;
  const stepTimeSeconds = t.stepSeconds;

  const result: PlanResult = {
    model: { name: m.name, layers: m.layers, hidden: m.hidden, heads: m.heads, vocab: m.vocab, seqLen: s.seqLen, params: parameterCount(m), ...(m.notes.length > 0 ? { notes: m.notes } : {}) },
    cluster: { gpu: ctx.gpuId, gpus: n, gpusPerNode: ctx.gpusPerNode, nodes: Math.ceil(n / ctx.gpusPerNode), memoryPerGpuBytes: ctx.gpu.memoryBytes },
    strategy: s,
    memoryPerGpuBytes: memory,
    worstStage: memory === first ? 'first' : memory === last ? 'last' : 'middle',
    fits,
    flopsPerStep,
    hardwareFlopsPerStep: hwFlops,
    commBytesPerStepPerGpu: t.commBytes,
    commSecondsPerStep: t.commTotal,
    commExposedSecondsPerStep: t.commExposed,
    commHiddenSecondsPerStep: hidden,
    links: t.links,
    timeBreakdownSeconds: { compute: t.computeSeconds, communication: exposed, bubble: t.bubbleSeconds, optimizer: t.optimizerSeconds },
    efficiency: { gemmFraction: t.efficiency.gemmFraction, gemmTflops: t.efficiency.gemmFlopsPerSecond / 1e12, attentionTflops: t.efficiency.attentionFlopsPerSecond / 1e12, source: t.efficiency.source },
    layersPerStage: s.layersPerStage,
    stepTimeSeconds,
    bubbleFraction: bubbleFraction(s.pp, s.numMicroBatches, s.virtualStages),
    tokensPerSecond: tokensPerStep / stepTimeSeconds,
    tflopsPerGpu: hwFlops / n / stepTimeSeconds / 1e12,
    modelTflopsPerGpu: flopsPerStep / n / stepTimeSeconds / 1e12,
    mfu: flopsPerStep / n / stepTimeSeconds / peak,
    energyJoulesPerStep,
    energySplitJoulesPerStep: split,
    joulesPerToken: energyJoulesPerStep / tokensPerStep,
  };
  if (!fits && explain) result.why = explainMisfit(result);
  return result;
}
