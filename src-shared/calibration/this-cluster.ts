/** "This cluster" for the Planner: the known hosts' GPUs, or the built-in engine on their CPU slots, as one planning cluster, with where every figure came from. */
import type { GpuSpec } from '../planner/schemas.js';

/** What the Planner asks "this cluster" for: the model and global batch of its form (absent: the calibrated model, the engine's default batch). */
export interface ThisClusterRequest {
  model?: string;
  globalBatch?: number;
}

/** One strategy of the built-in engine on the hosts' CPU slots, predicted as a run of it would be (the same prediction the run keeps). */
export interface CpuCandidate {
  /** e.g. "dp=2 tp=1 pp=1 · ZeRO-1". */
  label: string;
  /** What the Run view's form takes to launch it; `hosts` only when ranks go beyond this machine. */
  request: { model: string; dp: number; tp: number; pp: number; microBatches: number; zeroStage: 0 | 1; recompute: boolean; globalBatch: number; hosts?: Array<{ id: string; slots: number }> };
  /** Ranks per host, in placement order (ranks fill the hosts in list order). */
  ranksPerHost: Array<{ host: string; ranks: number }>;
  /** `engine-calibrated`: from the hosts' calibrations; `planner-catalogue`: a needed calibration is missing (said in `source`). */
  kind: 'engine-calibrated' | 'planner-catalogue';
  stepTimeSeconds: number;
  tokensPerSecond: number;
  /** Each rank's predicted peak memory, in rank order. */
  rankPeakMemoryBytes: number[];
  /** What the memory figures predict (e.g. "process peak resident memory (VmHWM)"). */
  memorySource: string;
  /** Mean over ranks of the bytes a rank sends per step, by group. */
  commBytesPerStepPerRank: { dp: number; tp: number; pp: number };
  /** Where the figures came from: each host's calibration used (#id, age, stale), or the fallback and why. */
  source: string[];
  /** What the calibration lacked for this strategy (extrapolated or left out). */
  gaps: string[];
}

/** The built-in engine's candidate strategies on the CPU hosts: calibrated predictions fastest first, then catalogue estimates. */
export interface CpuClusterPlan {
  /** The engine model predicted (an engine preset id). */
  model: string;
  globalBatch: number;
  /** Ranks the hosts offer (their slots). */
  slots: number;
  candidates: CpuCandidate[];
  /** Strategies left out and why (the run's own validity rules), one line each. */
  rejected: string[];
  /** Why the model or batch differs from what was asked, or why there is no candidate. */
  notes: string[];
}

/** The cluster the app knows, or why it cannot be planned for. */
export type ThisCluster =
  | {
    available: true;
    kind: 'gpu';
    /** Catalogue entry or derived spec, calibrated figures (e.g. cross-host bus bandwidth) in its `calibration`. */
    gpu: GpuSpec;
    gpus: number;
    gpusPerNode: number;
    /** The slowest measured host-to-host link (link probe), null when none was probed. */
    interNodeBytesPerSecond: number | null;
    derivedFrom: string[];
  }
  | { available: true; kind: 'cpu'; cpu: CpuClusterPlan; derivedFrom: string[] }
  | { available: false; reason: string; derivedFrom: string[] };
