/**
 * Prediction of a run of the built-in engine (src-worker) from a host's calibration: the segments it
 * really runs (fp32, TP/PP sub-layers whose backward re-runs their forward, recomputation, the fused
 * tape of dp-only ranks), the real schedule, Adam on typed arrays, the runtime's memory baseline and
 * the collectives' measured times at the sizes the step sends. Pure: the caller passes the calibration.
 */
import type { TrainConfig } from '../engine-config.js';
import type { CollectiveOp, CollectiveTiming, EngineCalibration, EngineSegment, HostCalibration } from './calibration-record.js';
import { bytesSent, engineRankShapes, microBatchSequences, type EngineRankShape } from './engine-shapes.js';
import { playSchedule, type OpCost, type ScheduleOp } from './engine-schedule.js';
import { interpolate, robustAffineFit } from './interpolate.js';
import { predictRankMemory, type RankMemoryParts } from './engine-memory.js';

/** One rank's predicted step. */
export interface RankPrediction {
  rank: number;
  stage: number;
  stepSeconds: { compute: number; communication: number; bubble: number; total: number };
  bytesSentPerStep: { dp: number; tp: number; pp: number };
  memoryBytes: RankMemoryParts;
}

/** The prediction of one run, shaped like the planner's result where the figures are the same. */
export interface EnginePrediction {
  kind: 'engine-calibrated';
  basis: { hostId: string; calibrationId: number | null; measuredAtMs: number; origin: string; engine: string; backend: string };
  stepTimeSeconds: number;
  tokensPerSecond: number;
  /** Mean over ranks, as the measured breakdown is averaged. */
  timeBreakdownSeconds: { compute: number; communication: number; bubble: number };
  bubbleFraction: number;
  /** Mean over ranks of bytes sent per step, by the group they go through (as the engine counts them). */
  commBytesPerStepPerGpu: { dp: number; tp: number; pp: number };
  /** The rank with the largest predicted peak resident memory (VmHWM). */
  memoryPerGpuBytes: RankMemoryParts;
  ranks: RankPrediction[];
  /** Figures the calibration lacked (the prediction extrapolated or left them out). */
  gaps: string[];
  /** Which groups spanned hosts (learning from the run refines those groups' cross-host figures only). */
  crossHost?: PredictionPlacement['crossHost'];
}

/** Why no prediction can be made from this calibration. */
export class MissingCalibration extends Error {
  readonly kind = 'not-found';
}

function segmentSeconds(engine: EngineCalibration, segment: EngineSegment, tp: number, batch: number, gaps: Set<string>): number {
  const points = engine.segments.filter((s) => s.segment === segment && s.tp === tp).map((s) => [s.batch, s.seconds] as const);
  // affine in the micro-batch's rows; the fit smooths the noise of timings on a shared host
  const { value, dropped } = robustAffineFit(points, batch);
  if (dropped) gaps.add(`${segment} (TP shard 1/${tp}) at micro-batch ${dropped[0]}: ${(dropped[1] * 1e3).toFixed(0)} ms measured, over 50% off the line of the other sizes: left out (a burst of load while calibrating)`);
  if (value === null) throw new MissingCalibration(`no ${segment} timing for a TP shard of ${tp} in the calibration of ${engine.model.name}`);
  if (!points.some(([b]) => b === batch)) gaps.add(`${segment} at micro-batch ${batch} not measured: read off the fitted line`);
  return value;
}

/** Seconds of one collective call; null group = no call. */
function collectiveSeconds(collectives: CollectiveTiming[], op: CollectiveOp, groupSize: number, bytes: number, scope: 'host' | 'cross-host', gaps: Set<string>): number {
  if (groupSize <= 1) return 0;
  let points = collectives.filter((c) => c.op === op && c.groupSize === groupSize && c.scope === scope);
  if (points.length === 0 && scope === 'cross-host' && collectives.some((c) => c.op === op && c.scope === 'host')) {
    gaps.add(`${op} across hosts not calibrated: this host's own figures used (right only when the hosts' link is as fast as loopback)`);
    return collectiveSeconds(collectives, op, groupSize, bytes, 'host', gaps);
  }
  if (points.length === 0) {
    points = collectives.filter((c) => c.op === op && c.scope === scope);
    gaps.add(`${op} in groups of ${groupSize} (${scope}) not measured: ${points.length ? `scaled from groups of ${points[0].groupSize}` : 'left at 0'}`);
    const ratio = points.length ? ((groupSize - 1) / groupSize) / ((points[0].groupSize - 1) / points[0].groupSize) : 0;
    points = points.filter((p) => p.groupSize === points[0].groupSize).map((p) => ({ ...p, seconds: p.seconds * ratio }));
  }
  return interpolate(points.map((c) => [c.bytes, c.seconds] as const), bytes) ?? 0;
}

/** Where the run's groups sit: `cross-host` when a group spans hosts (the caller knows the placement). */
export interface PredictionPlacement {
  ranksPerHost: number;
  crossHost: { dp: boolean; tp: boolean; pp: boolean };
}

/**
 * Predicts a run of the built-in engine on a calibrated host (rank 0's). With `calibrationOf` and `hostOfRank`,
 * each rank computes at its own host's figures, and a stage (its TP/DP ranks in lockstep) at its slowest host's.
 * Throws MissingCalibration when the calibration lacks what the run needs.
 */
export function predictEngineRun(config: TrainConfig, calibration: HostCalibration, placement: PredictionPlacement,
  calibrationOf?: (hostId: string) => HostCalibration | null, hostOfRank?: (rank: number) => string): EnginePrediction {
  const engine = calibration.engines.find((e) => e.engine === 'tfjs' && sameShape(e.model, config.model));
  if (!engine) throw new MissingCalibration(`host ${calibration.hostId} has no calibration of the built-in engine at the shapes of ${config.model.name}: run shardscope calibrate --model ${config.model.name}`);
  const gaps = new Set<string>();
  const engineOfRank = (rank: number): EngineCalibration => {
    const host = hostOfRank?.(rank);
    if (!host || !calibrationOf || host === calibration.hostId) return engine;
    const own = calibrationOf(host)?.engines.find((e) => e.engine === 'tfjs' && sameShape(e.model, config.model));
    if (!own) gaps.add(`host ${host} has no calibration at the shapes of ${config.model.name}: its ranks predicted at ${calibration.hostId}'s figures`);
    return own ?? engine;
  };
  const { dp, tp, pp } = config.strategy;
  const { model } = config;
  const b = microBatchSequences(config);
  const activationBytes = b * model.seqLen * model.hidden * 4;
  // ranks sharing a host cannot speed each other up: a measured slowdown below 1 is the host's load changing between the probes
  const contention = (e: EngineCalibration) => e.concurrency.map((c) => [c.processes, Math.max(1, c.slowdown)] as const);
  if (engine.concurrency.some((c) => c.slowdown < 1)) gaps.add(`contention measured below 1 (${engine.concurrency.filter((c) => c.slowdown < 1).map((c) => `${c.processes} ranks x${c.slowdown.toFixed(2)}`).join(', ')}): taken as 1, ranks cannot speed each other up`);
  const slowdownAt = (computing: number) => interpolate(contention(engine), computing) ?? 1;
  // ranks slow each other only while they compute at the same time: all of them under DP/TP (lockstep),
  // fewer under a pipeline (waits); settled by replaying with the concurrency the last pass showed
  let computing = placement.ranksPerHost;
  let slowdown = slowdownAt(computing);
  const slowdownOf = (e: EngineCalibration) => (e === engine ? slowdown : interpolate(contention(e), computing) ?? 1);
  if (engine.concurrency.length === 0 && placement.ranksPerHost > 1) gaps.add('no contention measurement: ranks sharing the host assumed not to slow each other');
  const scope = (kind: 'dp' | 'tp' | 'pp') => (placement.crossHost[kind] ? 'cross-host' : 'host') as 'host' | 'cross-host';
  const shapes = engineRankShapes(config);
  // a stage computes at the pace of its slowest host (its TP and DP ranks wait for each other)
  const stageEngines = (s: number) => [...new Set(shapes.filter((r) => r.stage === s).map((r) => engineOfRank(r.rank)))];
  let stage = 0;
  // TP ranks sharing this host: their sub-layers' slowdown and their waits at each all-reduce, as the TP-layer probe measured them
  const lockstepTp = tp > 1 && scope('tp') === 'host' && calibration.tpLockstep?.tp === tp ? calibration.tpLockstep : null;
  if (tp > 1 && scope('tp') === 'host' && !lockstepTp) gaps.add(`TP ${tp} in lockstep not calibrated (calibration made before it was measured, or for another TP size): TP ranks taken to slow each other as the fused step's ranks do`);
  const tpSlowdown = (sg: EngineSegment) => {
    if (!lockstepTp) return null;
    // more ranks on the host than the TP group: the group's own slowdown times what the extra ranks add
    const extra = Math.max(1, slowdown / slowdownAt(tp));
    return Math.max(1, sg.endsWith('-backward') ? lockstepTp.backwardSlowdown : lockstepTp.forwardSlowdown) * extra;
  };
  const seg = (sg: EngineSegment, shard = tp) => Math.max(...stageEngines(stage).map((e) => segmentSeconds(e, sg, shard, b, gaps) * (e === engine ? tpSlowdown(sg) ?? slowdownOf(e) : slowdownOf(e))));
  const copySeconds = (bytes: number) => (2 * bytes) / engine.memoryBandwidthBytesPerSecond;
  const tpAllReduce = (bytes: number) => collectiveSeconds(calibration.collectives, 'allReduce', tp, bytes, scope('tp'), gaps) + 2 * copySeconds(bytes) + (lockstepTp?.waitPerSyncSeconds ?? 0);
  const ppSend = collectiveSeconds(calibration.collectives, 'send', pp, activationBytes, scope('pp'), gaps) + copySeconds(activationBytes);
  const isFused = tp === 1 && pp === 1 && !config.recompute;
  const stageShape = (s: number) => shapes.find((r) => r.stage === s) as EngineRankShape;

  const cost = (s: number, op: ScheduleOp): OpCost => {
    stage = s;
    const r = stageShape(s);
    const layers = r.endLayer - r.firstLayer;
    if (isFused) return op.kind === 'forward' ? { computeSeconds: seg('fused', 1), communicationSeconds: 0, handOverSeconds: 0 } : { computeSeconds: 0, communicationSeconds: 0, handOverSeconds: 0 };
    const forwardLayers = layers * (seg('attn-forward') + seg('mlp-forward')) + (r.hasEmbedding ? seg('embed-forward') : 0);
    const forwardTp = 2 * layers * tpAllReduce(activationBytes);
    if (op.kind === 'forward') {
      const sends = !r.hasHead;
      return { computeSeconds: forwardLayers + (r.hasHead ? seg('head') : 0), communicationSeconds: forwardTp + (sends ? ppSend : 0), handOverSeconds: 0 };
    }
    const recompute = config.recompute ? forwardLayers : 0;
    const backward = layers * (seg('attn-backward') + seg('mlp-backward')) + (r.hasEmbedding ? seg('embed-backward') : 0);
    const backwardTp = 2 * layers * tpAllReduce(activationBytes + 2 * model.hidden * 4) + (config.recompute ? forwardTp : 0);
    return { computeSeconds: recompute + backward, communicationSeconds: backwardTp + (r.hasEmbedding ? 0 : ppSend), handOverSeconds: 0 };
  };
  const play = (): RankPrediction[] => {
    const timelines = playSchedule(config.schedule, config.microBatches, pp, cost);
    return shapes.map((r) => rankOf(r, timelines[r.stage]));
  };
  const rankOf = (r: EngineRankShape, t: ReturnType<typeof playSchedule>[number]): RankPrediction => {
    const own = engineOfRank(r.rank);
    // the optimizer step ends with the DP sync, so a rank waits for its group's slowest host
    const groupEngines = [own, ...(config.strategy.dp > 1 ? stageEngines(r.stage) : [])];
    const optimizerCompute = Math.max(...groupEngines.map((e) => optimizerSeconds(config, r, e, calibration.collectives, scope('dp'), gaps).compute * slowdownOf(e)));
    const optimizer = optimizerSeconds(config, r, own, calibration.collectives, scope('dp'), gaps);
    const compute = t.computeSeconds + optimizerCompute;
    // ranks in a TP or DP group wait at each sync for the one the shared cores delayed (calibrated jitter)
    // (TP's waits, where the TP-layer probe measured them, are in each TP all-reduce already)
    const syncWait = (config.strategy.dp > 1 || (config.strategy.tp > 1 && !lockstepTp)) ? (calibration.lockstep?.waitFraction ?? 0) * compute : 0;
    const communication = t.communicationSeconds + optimizer.communication + syncWait;
    const total = t.endSeconds + optimizerCompute + optimizer.communication + syncWait;
    return {
      rank: r.rank, stage: r.stage,
      stepSeconds: { compute, communication, bubble: t.bubbleSeconds, total },
      bytesSentPerStep: bytesSent(config, r),
      memoryBytes: predictRankMemory(config, r, own, t.maxInFlight, isFused, (hostOfRank && calibrationOf && hostOfRank(r.rank) !== calibration.hostId ? calibrationOf(hostOfRank(r.rank)) : calibration)?.collectiveMemory),
    };
  };
  if (!calibration.lockstep && (tp > 1 || dp > 1)) gaps.add('lockstep jitter not calibrated (calibration made before it was measured): ranks assumed to reach their syncs together');
  let ranks = play();
  for (let pass = 0; pp > 1 && placement.ranksPerHost > 1 && pass < 3; pass += 1) {
    const step = Math.max(...ranks.map((r) => r.stepSeconds.total));
    const hosts = Math.max(1, shapes.length / placement.ranksPerHost);
    computing = Math.min(placement.ranksPerHost, Math.max(1, ranks.reduce((a, r) => a + r.stepSeconds.compute, 0) / hosts / step));
    slowdown = slowdownAt(computing);
    ranks = play();
  }
  const stepTimeSeconds = Math.max(...ranks.map((r) => r.stepSeconds.total));
  const mean = (f: (r: RankPrediction) => number) => ranks.reduce((sum, r) => sum + f(r), 0) / ranks.length;
  const worst = ranks.reduce((a, r) => (r.memoryBytes.total > a.memoryBytes.total ? r : a), ranks[0]);
  const bubble = mean((r) => r.stepSeconds.bubble);
  return {
    kind: 'engine-calibrated',
    basis: {
      hostId: calibration.hostId, calibrationId: calibration.id ?? null, measuredAtMs: calibration.measuredAtMs,
      origin: calibration.origin.kind === 'run' ? `refined from run ${calibration.origin.runId}` : 'shardscope calibrate', engine: 'tfjs', backend: engine.backend,
    },
    stepTimeSeconds,
    tokensPerSecond: (config.globalBatch * model.seqLen) / stepTimeSeconds,
    timeBreakdownSeconds: { compute: mean((r) => r.stepSeconds.compute), communication: mean((r) => r.stepSeconds.communication), bubble },
    bubbleFraction: stepTimeSeconds > 0 ? bubble / stepTimeSeconds : 0,
    commBytesPerStepPerGpu: { dp: mean((r) => r.bytesSentPerStep.dp), tp: mean((r) => r.bytesSentPerStep.tp), pp: mean((r) => r.bytesSentPerStep.pp) },
    memoryPerGpuBytes: worst.memoryBytes,
    ranks,
    gaps: [...gaps],
    crossHost: { ...placement.crossHost },
  };
}

/** Gradient sync and Adam (optimizer-step.ts), the parameter refresh, the loss all-reduce of the last stage. */
function optimizerSeconds(config: TrainConfig, r: EngineRankShape, engine: EngineCalibration, collectives: CollectiveTiming[], scope: 'host' | 'cross-host', gaps: Set<string>): { compute: number; communication: number } {
  const { dp } = config.strategy;
  const gradBytes = r.params * 4;
  const elementPass = (elements: number) => (8 * elements) / engine.memoryBandwidthBytesPerSecond;
  const adam = (r.optimizerStateElements / 2) * engine.adamSecondsPerElement;
  // zeroing the gradients at step start, scaling by 1/dp, rebuilding the tensors after the update
  let compute = elementPass(r.params) / 2 + adam + r.params * engine.refreshSecondsPerElement + (dp > 1 ? elementPass(r.params / (config.zeroStage === 1 ? dp : 1)) : 0);
  let communication = 0;
  if (dp > 1) {
    if (config.zeroStage === 1) {
      communication += collectiveSeconds(collectives, 'reduceScatter', dp, gradBytes, scope, gaps) + collectiveSeconds(collectives, 'allGather', dp, gradBytes, scope, gaps);
      compute += elementPass(r.params / dp) / 2;
    } else communication += collectiveSeconds(collectives, 'allReduce', dp, gradBytes, scope, gaps);
    if (r.hasHead) communication += collectiveSeconds(collectives, 'allReduce', dp, 4, scope, gaps);
  }
  return { compute, communication };
}

function sameShape(a: TrainConfig['model'], b: TrainConfig['model']): boolean {
  return a.layers === b.layers && a.hidden === b.hidden && a.heads === b.heads && a.vocab === b.vocab && a.seqLen === b.seqLen;
}
