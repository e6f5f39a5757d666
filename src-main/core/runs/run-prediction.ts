/**
 * The prediction kept with a run of the built-in engine, to compare against: from the host's
 * calibration (the engine's measured segments, contention, collectives: src-shared/calibration)
 * when there is one for this model, else from the planner's catalogue `cpu` entry, and it says which.
 */
import { cpus, totalmem } from 'node:os';
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import { MissingCalibration, predictEngineRun, type EnginePrediction, type PredictionPlacement } from '../../../src-shared/calibration/engine-prediction.js';
import { engineRankShapes } from '../../../src-shared/calibration/engine-shapes.js';
import { predictEnergy, type EnergyRank } from '../../../src-shared/calibration/energy-prediction.js';
import { worldSizeOf, type TrainConfig } from '../../../src-shared/engine-config.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { gpuSpec, planStrategy, type GpuSpec, type PlanResult } from '../../../src-shared/planner/index.js';
import { busBandwidthFromTimings } from '../../../src-shared/planner/calibration-input.js';
import { torchStepPrediction, type TorchRunShape } from '../../../src-shared/calibration/torch-prediction.js';
import type { RunPrediction as StoredPrediction } from '../../../src-shared/run-prediction.js';

/** What a run's prediction was made from, kept with it (the one type: src-shared/run-prediction.ts). */
export type RunPrediction = StoredPrediction & { note: string };

/** Where each rank runs (host id per rank), to tell how many ranks share a host and which groups cross hosts. */
export function placementOf(config: TrainConfig, hostOfRank: (rank: number) => string): PredictionPlacement {
  const shapes = engineRankShapes(config);
  const perHost = new Map<string, number>();
  for (const r of shapes) perHost.set(hostOfRank(r.rank), (perHost.get(hostOfRank(r.rank)) ?? 0) + 1);
  const spans = (key: (r: (typeof shapes)[number]) => string) => {
    const groups = new Map<string, Set<string>>();
    for (const r of shapes) groups.set(key(r), (groups.get(key(r)) ?? new Set()).add(hostOfRank(r.rank)));
    return [...groups.values()].some((hosts) => hosts.size > 1);
  };
  return {
    ranksPerHost: Math.max(...perHost.values()),
    crossHost: { dp: spans((r) => `${r.stage}:${r.tpIndex}`), tp: spans((r) => `${r.stage}:${r.dpIndex}`), pp: spans((r) => `${r.dpIndex}:${r.tpIndex}`) },
  };
}

/**
 * Plans the run with one CPU core per rank: the catalogue's `cpu` entry describes a whole host, so
 * its peak FLOP/s is divided by that entry's core count (16) and memory by this host's cores.
 */
function plannerPrediction(config: TrainConfig, measured: Partial<GpuSpec> = {}): PlanResult | null {
  const { dp, tp, pp } = config.strategy;
  const world = dp * tp * pp;
  const host = gpuSpec('cpu');
  const perCore = { ...host, name: 'one CPU core', fp32FlopsPerSecond: host.fp32FlopsPerSecond / 16, memoryBytes: totalmem() / Math.max(1, cpus().length), ...measured };
  try {
    return planStrategy({
      // The engine computes attention with explicit score matrices (standard attention: s² scores stored).
      model: { ...config.model, ffnHidden: 4 * config.model.hidden, tiedEmbeddings: false, attention: 'standard' },
      cluster: { gpu: perCore, gpus: world, gpusPerNode: world },
      strategy: {
        dp, tp, pp,
        globalBatch: config.globalBatch,
        microBatch: Math.max(1, Math.floor(config.globalBatch / dp / config.microBatches)),
        zeroStage: config.zeroStage,
        recompute: config.recompute ? 'full' : 'none',
        dtype: 'fp32',
      },
    });
  } catch {
    return null;
  }
}

/**
 * The run's prediction: calibrated when `calibration` covers the model (the calibration of the host
 * that runs rank 0; cross-host groups use its cross-host figures where measured), else the planner's
 * catalogue estimate with a note saying the calibration is missing. Null when neither can represent the run.
 * With `calibrationOf`, ranks on other hosts compute at their own hosts' calibrated figures.
 */
export function predictLocalRun(config: TrainConfig, calibration: HostCalibration | null = null, hostOfRank: (rank: number) => string = () => LOCAL_HOST_ID,
  calibrationOf?: (hostId: string) => HostCalibration | null): RunPrediction | null {
  let missing = calibration ? '' : 'this host has no calibration (run shardscope calibrate)';
  if (calibration) {
    try {
      const prediction = predictEngineRun(config, calibration, placementOf(config, hostOfRank), calibrationOf, hostOfRank);
      return { ...prediction, note: `predicted from calibration #${calibration.id ?? '-'} of ${calibration.hostId} (${prediction.basis.origin}, ${new Date(calibration.measuredAtMs).toISOString()})` };
    } catch (error) {
      if (!(error instanceof MissingCalibration)) throw error;
      missing = error.message;
    }
  }
  const plan = plannerPrediction(config);
  return plan ? { ...plan, kind: 'planner-catalogue', note: `estimated from the catalogue's cpu entry: ${missing}` } : null;
}

/** How a torch run sits: ranks on its most loaded host (from the placements), and whether it runs the bundled script with DDP. */
export function torchRunShape(config: TrainConfig, options: { hostId: string; launch?: { placements?: Array<{ host: string }> }; torch?: { script?: string; scriptArgs?: string[] } }): TorchRunShape {
  const placements = options.launch?.placements;
  return {
    ranksPerHost: placementOf(config, (rank) => placements?.[rank]?.host ?? options.hostId).ranksPerHost,
    bundledScript: options.torch?.script === undefined && !(options.torch?.scriptArgs ?? []).includes('--fsdp'),
  };
}

/**
 * The prediction of a PyTorch-engine run on this host: from the reference script's own step where calibrate timed
 * it (torch-prediction.ts), else the planner with a rank's compute at the torch matmul
 * throughput calibrate measured (median over the model's GEMM shapes) and its collectives at the measured Gloo
 * all-reduce bus bandwidth, else the catalogue's cpu entry with a note saying why.
 */
export function predictTorchRun(config: TrainConfig, calibration: HostCalibration | null, run: TorchRunShape = { ranksPerHost: worldSizeOf(config.strategy), bundledScript: true }): RunPrediction | null {
  const torch = calibration?.torch;
  if (!calibration || !torch) {
    const plan = plannerPrediction(config);
    const why = calibration ? `calibration #${calibration.id ?? '-'} of ${calibration.hostId} has no PyTorch figures (${calibration.missing.find((m) => m.startsWith('torch engine')) ?? 'not measured'})` : 'this host has no calibration (run shardscope calibrate)';
    return plan ? { ...plan, kind: 'planner-catalogue', note: `estimated from the catalogue's cpu entry: ${why}` } : null;
  }
  const stepped = torchStepPrediction(config, calibration, run, plannerPrediction(config));
  if (stepped) return stepped;
  const rates = torch.matmul.map((m) => m.flopsPerSecond).sort((a, b) => a - b);
  const matmul = rates[Math.floor(rates.length / 2)];
  const gloo = busBandwidthFromTimings(torch.glooAllReduce.map((p) => ({ op: 'allReduce' as const, groupSize: 2, scope: 'host' as const, bytes: p.bytes, seconds: p.seconds })));
  const source = `calibration #${calibration.id ?? '-'} of ${calibration.hostId} (${new Date(calibration.measuredAtMs).toISOString()}): torch ${torch.torchVersion} matmul on ${torch.device} at the GEMM shapes of ${torch.model}, Gloo all-reduce between 2 ranks`;
  const plan = plannerPrediction(config, { name: `one rank of torch ${torch.torchVersion} on ${torch.device}`, fp32FlopsPerSecond: matmul, computeEfficiency: 1, ...(gloo.intraNodeBusBandwidth ? { calibration: { intraNodeBusBandwidth: gloo.intraNodeBusBandwidth, source } } : {}) });
  const sameModel = torch.model === config.model.name ? '' : ` (GEMMs timed at the shapes of ${torch.model}, not ${config.model.name})`;
  return plan ? { ...plan, kind: 'planner-torch-calibrated', note: `predicted by the planner from ${source}: ${(matmul / 1e9).toFixed(1)} GFLOP/s per rank${sameModel}` } : null;
}

/**
 * The prediction with its energy (src-shared/calibration/energy-prediction.ts): power from the hosts' calibrations x the
 * predicted step time. A calibrated prediction without calibrated power gets J/token null and the gap said; a catalogue
 * prediction (no calibration) keeps the catalogue's figure, its basis saying so.
 */
export function withPredictedEnergy(prediction: RunPrediction | null, config: TrainConfig, ranks: EnergyRank[], calibrationOf: (hostId: string) => HostCalibration | null): RunPrediction | null {
  if (!prediction) return null;
  const energy = predictEnergy({ stepTimeSeconds: prediction.stepTimeSeconds, tokensPerStep: config.globalBatch * config.model.seqLen, ranks, calibrationOf });
  if (energy.joulesPerToken === null && prediction.kind === 'planner-catalogue') {
    return { ...prediction, energy: { ...energy, joulesPerToken: prediction.joulesPerToken, basis: 'estimated by the planner from the catalogue\'s cpu entry' } };
  }
  return { ...prediction, joulesPerToken: energy.joulesPerToken, energy };
}

/** The ranks' hosts and GPUs for the energy prediction: torch ranks on a host whose calibration ran torch on CUDA take GPU (local rank mod GPUs), as torch runs place them. */
export function energyRanksOf(worldSize: number, hostOfRank: (rank: number) => string, engine: 'tfjs' | 'torch', calibrationOf: (hostId: string) => HostCalibration | null): EnergyRank[] {
  const localRanks = new Map<string, number>();
  return Array.from({ length: worldSize }, (_, rank) => {
    const hostId = hostOfRank(rank);
    const local = localRanks.get(hostId) ?? 0;
    localRanks.set(hostId, local + 1);
    const c = calibrationOf(hostId);
    const gpus = c?.gpuPower?.gpus.length ?? 0;
    return { rank, hostId, gpuIndex: engine === 'torch' && c?.torch?.device.startsWith('cuda') && gpus > 0 ? local % gpus : null };
  });
}
