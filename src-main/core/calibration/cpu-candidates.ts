/**
 * "This cluster" without GPUs: the built-in engine's strategies that fit the hosts' CPU slots (dp, tp, pp,
 * micro-batches, ZeRO-1), each checked by the rules a run applies (trainConfigOf) and predicted exactly as
 * the run would record it (predictLocalRun: the hosts' calibrations, else the catalogue with the reason),
 * calibrated ones fastest first, then catalogue estimates. Every candidate names the calibrations (host, #id, age) or the fallback it came from.
 */
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { CpuCandidate, CpuClusterPlan, ThisClusterRequest } from '../../../src-shared/calibration/this-cluster.js';
import { defaultGlobalBatch, engineModelIds, modelPresets, type ModelConfig, type TrainConfig } from '../../../src-shared/engine-config.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { predictLocalRun } from '../runs/run-prediction.js';
import { trainConfigOf } from '../runs/train-config.js';
import { calibrationLine } from './calibration-line.js';
import type { ClusterMember } from './cluster-members.js';

/** The most ranks a run from the app has (the launch request's limit). */
const MAX_RANKS = 64;
/** The most candidates listed (the fastest). */
const MAX_CANDIDATES = 40;

/** What the candidates read besides the members. */
export interface CandidateFacts {
  calibrationOf: (hostId: string) => HostCalibration | null;
  nowMs: number;
}

function sameShape(a: ModelConfig, b: ModelConfig): boolean {
  return a.layers === b.layers && a.hidden === b.hidden && a.heads === b.heads && a.vocab === b.vocab && a.seqLen === b.seqLen;
}

/** The engine model to predict: the one asked for when the engine trains it, else the one the first host's calibration measured. */
function modelOf(asked: string | undefined, first: HostCalibration | null, notes: string[]): string {
  if (asked && Object.hasOwn(modelPresets, asked)) return asked;
  const measured = first?.engines.find((e) => e.engine === 'tfjs');
  const calibrated = measured ? engineModelIds().find((id) => sameShape(modelPresets[id], measured.model)) : undefined;
  const chosen = calibrated ?? engineModelIds()[0];
  const why = asked ? `${asked} is for planning only (the built-in engine trains ${engineModelIds().join(', ')})` : 'no model asked';
  notes.push(`${why}: candidates for ${chosen}${calibrated ? `, the model calibration #${first?.id ?? '-'} of ${first?.hostId} measured` : ' (no host calibrated the built-in engine yet)'}`);
  return chosen;
}

/** World sizes tried: 1, the powers of two below the slots, and all the slots. */
function worldSizes(slots: number): number[] {
  const sizes = new Set<number>([1, slots]);
  for (let w = 2; w < slots; w *= 2) sizes.add(w);
  return [...sizes].sort((a, b) => a - b);
}

/** Every dp x tp x pp grid of `world` ranks with its micro-batch and ZeRO choices (before the run's rules). */
function gridsOf(world: number): Array<Pick<TrainConfig, 'microBatches' | 'zeroStage'> & { dp: number; tp: number; pp: number }> {
  const grids = [];
  for (let tp = 1; tp <= world; tp += 1) {
    for (let pp = 1; pp * tp <= world; pp += 1) {
      if (world % (tp * pp) !== 0) continue;
      const dp = world / (tp * pp);
      for (const microBatches of pp > 1 ? [2 * pp, 4 * pp] : [1]) {
        for (const zeroStage of dp > 1 ? [0, 1] as const : [0] as const) grids.push({ dp, tp, pp, microBatches, zeroStage });
      }
    }
  }
  return grids;
}

function labelOf(c: { dp: number; tp: number; pp: number; microBatches: number; zeroStage: number }): string {
  return `dp=${c.dp} tp=${c.tp} pp=${c.pp}${c.pp > 1 ? ` · ${c.microBatches} micro-batches` : ''}${c.zeroStage === 1 ? ' · ZeRO-1' : ''}`;
}

/** The candidates for the members' slots, calibrated fastest first, then catalogue estimates; members on Slurm are left out (a Slurm job is launched from its own form). */
export function cpuCandidatesOf(members: ClusterMember[], request: ThisClusterRequest, facts: CandidateFacts): CpuClusterPlan {
  const notes: string[] = [];
  const usable = members.filter((m) => !m.inventory.slurm);
  if (usable.length < members.length) notes.push(`Slurm nodes left out of the CPU candidates (launch on Slurm from the Run view's Slurm form): ${members.filter((m) => m.inventory.slurm).map((m) => m.inventory.id).join(', ')}`);
  const allSlots = usable.flatMap((m) => Array.from({ length: m.slots }, () => m.inventory.id));
  const slots = allSlots.slice(0, MAX_RANKS);
  if (allSlots.length > MAX_RANKS) notes.push(`the hosts offer ${allSlots.length} rank slots; a run from the app has at most ${MAX_RANKS}: the first ${MAX_RANKS} used`);
  const model = modelOf(request.model, slots.length ? facts.calibrationOf(slots[0]) : null, notes);
  const globalBatch = request.globalBatch && request.globalBatch > 0 ? request.globalBatch : defaultGlobalBatch;
  if (!request.globalBatch) notes.push(`global batch ${globalBatch}: the built-in engine's default (none given)`);
  const rejected: string[] = [];
  const candidates: CpuCandidate[] = [];
  for (const world of worldSizes(slots.length)) {
    for (const grid of gridsOf(world)) {
      let config: TrainConfig;
      try {
        config = trainConfigOf({ model: { ...modelPresets[model] }, dp: grid.dp, tp: grid.tp, pp: grid.pp, steps: 1, globalBatch, microBatches: grid.microBatches, zeroStage: grid.zeroStage, recompute: false });
      } catch (error) {
        rejected.push(`${labelOf(grid)}: ${(error as Error).message}`);
        continue;
      }
      const candidate = candidateOf(config, model, slots, facts);
      if (candidate) candidates.push(candidate);
      else rejected.push(`${labelOf(grid)}: neither the calibration nor the catalogue can represent it`);
    }
  }
  // calibrated predictions first, fastest first; catalogue estimates (a calibration lacked the strategy's figures) after them
  candidates.sort((a, b) => (a.kind === b.kind ? a.stepTimeSeconds - b.stepTimeSeconds : a.kind === 'engine-calibrated' ? -1 : 1));
  if (candidates.length > MAX_CANDIDATES) notes.push(`the ${MAX_CANDIDATES} fastest of ${candidates.length} candidates listed`);
  if (slots.length === 0) notes.push('no host to place ranks on');
  return { model, globalBatch, slots: slots.length, candidates: candidates.slice(0, MAX_CANDIDATES), rejected, notes };
}

function candidateOf(config: TrainConfig, model: string, slots: string[], facts: CandidateFacts): CpuCandidate | null {
  const { dp, tp, pp } = config.strategy;
  const world = dp * tp * pp;
  const hostOfRank = (rank: number) => slots[rank];
  const used = [...new Set(slots.slice(0, world))];
  const prediction = predictLocalRun(config, facts.calibrationOf(slots[0]), hostOfRank, facts.calibrationOf);
  if (!prediction) return null;
  const ranksPerHost = used.map((host) => ({ host, ranks: slots.slice(0, world).filter((s) => s === host).length }));
  const hostLines = used.map((host) => {
    const c = facts.calibrationOf(host);
    return c ? `${host}: ${calibrationLine(c, facts.nowMs)}` : `${host}: no calibration (run shardscope calibrate${host === LOCAL_HOST_ID ? '' : ' --hosts FILE'})`;
  });
  const request = {
    model, dp, tp, pp, microBatches: config.microBatches, zeroStage: config.zeroStage, recompute: config.recompute, globalBatch: config.globalBatch,
    ...(used.some((h) => h !== LOCAL_HOST_ID) ? { hosts: ranksPerHost.map((h) => ({ id: h.host, slots: h.ranks })) } : {}),
  };
  const label = labelOf({ dp, tp, pp, microBatches: config.microBatches, zeroStage: config.zeroStage });
  if (prediction.kind === 'engine-calibrated') {
    return {
      label, request, ranksPerHost, kind: 'engine-calibrated', stepTimeSeconds: prediction.stepTimeSeconds, tokensPerSecond: prediction.tokensPerSecond,
      rankPeakMemoryBytes: prediction.ranks.map((r) => r.memoryBytes.total), memorySource: prediction.memoryPerGpuBytes.measuredAs,
      commBytesPerStepPerRank: { ...prediction.commBytesPerStepPerGpu }, source: [prediction.note, ...hostLines], gaps: prediction.gaps,
    };
  }
  const plan = prediction;
  return {
    label, request, ranksPerHost, kind: 'planner-catalogue', stepTimeSeconds: plan.stepTimeSeconds, tokensPerSecond: plan.tokensPerSecond,
    rankPeakMemoryBytes: Array.from({ length: world }, () => plan.memoryPerGpuBytes.total),
    memorySource: 'the planner\'s memory model (model states and activations; no runtime baseline, not a process peak)',
    commBytesPerStepPerRank: { dp: plan.commBytesPerStepPerGpu.dp, tp: plan.commBytesPerStepPerGpu.tp, pp: plan.commBytesPerStepPerGpu.pp },
    source: [prediction.note, ...hostLines], gaps: [],
  };
}
