/** Stored runs as the UI and the CLI see them: records, ranks, events, series and derived figures. */
import type { RunPrediction } from './run-prediction.js';
import type { SampleSource } from './telemetry.js';

/** Lifecycle of a run. */
export type RunStatus = 'running' | 'finished' | 'failed' | 'cancelled' | 'interrupted';

/** What a run was asked to do, kept with it (plan and prediction come from the planner as JSON). */
export interface NewRun {
  id: string;
  /** Training engine, e.g. `tfjs` or `torch`. */
  engine: string;
  /** Parallel layout, e.g. `{dp: 2, tp: 1, pp: 1, microBatch: 1, ...}`. */
  strategy: Record<string, unknown>;
  /** Model shape, e.g. `{name, layers, hidden, heads, vocab, seqLen}`. */
  model: Record<string, unknown>;
  /** The plan the run was launched from (planner output), or null. */
  plan: unknown;
  /** The prediction for this run (calibrated engine figures, or the planner's catalogue result), or null. */
  prediction: RunPrediction | null;
  /** Host ids the run uses. */
  hosts: string[];
  startedAtMs: number;
}

/** Energy of a run, split by GPU and CPU, with where each figure came from. */
export interface RunEnergy {
  totalJoules: number;
  gpuJoules: number;
  cpuJoules: number;
  /** GPU energy is power integrated over time. */
  gpuSource: SampleSource;
  /** `measured` from RAPL counters, `estimated` from utilisation x TDP, null when no CPU data. */
  cpuSource: SampleSource | null;
  /** Time inside the run where power samples were missing and nothing was integrated. */
  gapSeconds: number;
  joulesPerStep: number | null;
  joulesPerToken: number | null;
  /** Per host of the run: its used GPUs' energy and its CPU energy with where that came from. */
  perHost?: HostEnergy[];
}

/** One host's share of a run's energy. */
export interface HostEnergy {
  host: string;
  /** Only the GPUs the run's ranks used (0 when they ran on CPU). */
  gpuJoules: number;
  cpuJoules: number;
  /** `measured` (RAPL) or `estimated` (utilisation x TDP); null without CPU power samples. */
  cpuSource: SampleSource | null;
}

/** Figures derived from a run's events and samples (stored when it ends, computed live before). */
export interface RunSummary {
  steps: number;
  tokens: number;
  /** Sum over steps of the slowest rank's step time. */
  trainingSeconds: number;
  tokensPerSecond: number | null;
  lastLoss: number | null;
  /** Bytes sent by all ranks over all collective kinds. */
  bytesMoved: number;
  /** Bytes sent by all ranks, per collective kind. */
  bytesByKind: Record<string, number>;
  energy: RunEnergy;
}

/** A stored run. */
export interface RunRecord extends NewRun {
  status: RunStatus;
  error: { kind: string; message: string } | null;
  endedAtMs: number | null;
  summary: RunSummary | null;
}

/** One rank of a run and where it ran. */
export interface RankRecord {
  rank: number;
  host: string;
  device: string;
  backend: string;
  paramsOnRank: number;
}

/** A stored event: the engine's JSON event with its type, rank and time pulled out for queries. */
export interface StoredEvent {
  rank: number | null;
  timestampMs: number;
  type: string;
  data: Record<string, unknown>;
}

/** One run with everything kept about it, for the run and report views. */
export interface RunDetails {
  run: RunRecord;
  ranks: RankRecord[];
  events: StoredEvent[];
  summary: RunSummary;
}

/** One line of `shardscope runs --json` and of the History view. */
export interface RunListItem {
  id: string;
  engine: string;
  strategy: Record<string, unknown>;
  status: RunStatus;
  /** ISO 8601. */
  startedAt: string;
  durationSeconds: number;
  tokensPerSecond: number | null;
  energyJoules: number;
  joulesPerToken: number | null;
  bytesMoved: number;
  hosts: string[];
  /** Step time kept with the run's prediction, the measured steady step time, and (measured - predicted) / predicted (src-shared/measured-vs-predicted.ts). */
  stepTimeCheck?: { predictedSeconds: number | null; measuredSeconds: number | null; errorFraction: number | null };
  /** The Slurm job of a run launched on a Slurm cluster (absent otherwise). */
  slurmJobId?: string;
}

/** Identifies one stored series: a metric of a host (gpuIndex null) or of one GPU, in a run or outside one. */
export interface SeriesKey {
  run: string | null;
  host: string;
  gpuIndex: number | null;
  /** Metric name with its unit, e.g. `powerWatts`, `memoryUsedBytes`. */
  metric: string;
}

/** One bucket of a downsampled series: min, max and mean of the raw points in it. */
export interface SeriesBucket {
  /** Time of the first and last raw point in the bucket. */
  startMs: number;
  endMs: number;
  min: number;
  max: number;
  avg: number;
  count: number;
}

/** A series downsampled for display; the raw points stay in the store. */
export interface DownsampledSeries extends SeriesKey {
  source: SampleSource;
  rawCount: number;
  buckets: SeriesBucket[];
}
