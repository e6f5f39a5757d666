/** The versioned JSON report of one run or a comparison of runs (zod schema + types), shared by the CLI, the app and the UI. */
import { z } from 'zod';
import { runSpansReportSchema } from './report-spans-schema.js';

/** Version of the report layout; bump it (and docs/report-schema.md) on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

const source = z.enum(['measured', 'integrated', 'estimated']);
const nullableNumber = z.number().nullable();

/** One GPU of a host as the report lists it. */
export const reportGpuSchema = z.object({
  index: z.number().int(), name: z.string(), memoryTotalBytes: z.number(), powerLimitWatts: nullableNumber,
  pcieGeneration: nullableNumber, pcieWidth: nullableNumber,
  /** Whether the run's ranks used this GPU (placed on it, or their processes seen on it); null when the run kept no attribution. */
  usedByRun: z.boolean().nullable().optional(),
  /** The ranks that used it. */
  ranks: z.array(z.number().int()).optional(),
});

/** A host of the run: CPU, memory, GPUs, the links between its devices and bandwidth measured to others. */
export const reportHostSchema = z.object({
  id: z.string(), hostname: z.string(), cpuModel: z.string().nullable(), logicalCores: nullableNumber, memoryBytes: nullableNumber,
  gpus: z.array(reportGpuSchema),
  links: z.array(z.object({ from: z.string(), to: z.string(), connection: z.string() })),
  devices: z.array(z.object({ id: z.string(), kind: z.string(), name: z.string() })),
});

/** Bandwidth measured between two hosts (or devices), e.g. by `shardscope bench allreduce`. */
export const measuredBandwidthSchema = z.object({ from: z.string(), to: z.string(), bytesPerSecond: z.number(), kind: z.string() });

/** One figure the planner predicted, next to what was measured and the relative error ((measured - predicted) / predicted). */
export const predictionCheckSchema = z.object({
  metric: z.string(), unit: z.string(), predicted: nullableNumber, measured: nullableNumber, errorFraction: nullableNumber,
});

/** One step of one rank: its time split and where it ended. */
export const rankStepSchema = z.object({
  step: z.number().int(), rank: z.number().int(), endTimestampMs: z.number(),
  computeSeconds: z.number(), communicationSeconds: z.number(), bubbleSeconds: z.number(), totalSeconds: z.number(),
  bytesSent: z.number(),
  /** Largest framework (TF.js) memory of the rank during the step (`frameworkMemoryPeakBytes`, else `frameworkMemoryBytes`). */
  frameworkMemoryPeakBytes: z.number(), loss: nullableNumber,
  /** The rank process's memory as measured-vs-predicted counts it (src-shared/measured-vs-predicted.ts): VmHWM, else RSS; null when the worker sent neither. */
  rankMemoryBytes: nullableNumber.optional(),
  rankMemorySource: z.enum(['process-peak-vmhwm', 'process-rss', 'gpu-process-memory']).nullable().optional(),
});

/** A stored series, downsampled into time buckets (min, max, mean per bucket). */
export const reportSeriesSchema = z.object({
  host: z.string(), gpuIndex: z.number().int().nullable(), metric: z.string(), source, rawCount: z.number().int(),
  points: z.array(z.object({ timestampMs: z.number(), min: z.number(), max: z.number(), avg: z.number() })),
});

/** Figures measured in a run (derived from its step events and sample series). */
export const measuredFiguresSchema = z.object({
  steps: z.number().int(), tokens: z.number(), trainingSeconds: z.number(), tokensPerSecond: nullableNumber,
  stepTimeSecondsMean: z.object({ compute: z.number(), communication: z.number(), bubble: z.number(), total: z.number() }),
  bubbleFraction: nullableNumber,
  /** Model FLOPs of one step (forward + backward, no recomputation), from the planner's formulas. */
  modelFlopsPerStep: nullableNumber,
  /** Model FLOP/s per device, in TFLOP/s. */
  tflopsPerDevice: nullableNumber,
  /** Peak FLOP/s per device from the GPU catalogue (at the plan's dtype), null when unknown. */
  peakFlopsPerSecondPerDevice: nullableNumber,
  mfu: nullableNumber,
  lastLoss: nullableNumber,
  bytesSentByKind: z.record(z.string(), z.number()),
  /** Bytes sent by all ranks per second of training, per collective kind. */
  bandwidthBytesPerSecondByKind: z.record(z.string(), z.number()),
  /** Bytes one rank sent per step, mean over ranks and steps. */
  bytesSentPerStepPerRank: z.number(),
  /** The same by parallelism kind (the group the bytes went through); null when the engine did not report it. */
  bytesSentPerStepPerRankByParallelism: z.object({ dp: z.number(), tp: z.number(), pp: z.number() }).nullable().optional(),
  memoryPeakPerGpu: z.array(z.object({ host: z.string(), gpuIndex: z.number().int(), peakBytes: z.number(), totalBytes: nullableNumber })),
  frameworkMemoryPeakBytesPerRank: z.array(z.object({ rank: z.number().int(), peakBytes: z.number() })),
  /** Each rank's peak process memory (VmHWM on CPU ranks), with its source. */
  rankPeakMemoryBytesPerRank: z.array(z.object({ rank: z.number().int(), peakBytes: z.number(), source: z.string() })).optional(),
  /** Mean step time after the first (warm-up) step, each step the slowest rank's: the measured side of a step-time prediction. */
  steadyStepSeconds: nullableNumber.optional(),
  /** Largest memory one device held: GPU memory series when ranks ran on GPUs, else the largest rank's process peak (VmHWM), else framework memory. */
  peakMemoryPerDeviceBytes: nullableNumber,
  peakMemorySource: z.enum(['gpu-memory', 'process-peak-vmhwm', 'process-rss', 'framework-memory']),
  powerMeanWatts: nullableNumber,
  energy: z.object({
    totalJoules: z.number(), gpuJoules: z.number(), cpuJoules: z.number(), gpuSource: source, cpuSource: source.nullable(),
    gapSeconds: z.number(), joulesPerStep: nullableNumber, joulesPerToken: nullableNumber,
    /** Per host of the run: its used GPUs' energy and its CPU energy (measured by RAPL or estimated). */
    perHost: z.array(z.object({ host: z.string(), gpuJoules: z.number(), cpuJoules: z.number(), cpuSource: source.nullable() })).optional(),
  }),
});

/** Everything the report holds about one run. */
/** A Slurm run's job: where it ran, the states it went through, node trouble, and what Slurm accounted of it. */
export const slurmJobReportSchema = z.object({
  jobId: z.string(), loginHost: z.string(),
  /** The sbatch script as submitted. */
  script: z.string(),
  states: z.array(z.object({ atMs: z.number(), state: z.string(), reason: z.string().nullable() })),
  nodeEvents: z.array(z.object({ atMs: z.number(), node: z.string(), state: z.string(), reason: z.string().nullable() })),
  /** sacct's figures (or the controller's without accounting storage); energy only where Slurm's energy accounting is configured. */
  accounting: z.object({
    source: z.enum(['sacct', 'scontrol']), state: z.string(), elapsedSeconds: nullableNumber, energyJoules: nullableNumber, energySource: z.string(), exitCode: z.string().nullable(),
  }).nullable(),
});

export const runReportSchema = z.object({
  id: z.string(), engine: z.string(), status: z.enum(['running', 'finished', 'failed', 'cancelled', 'interrupted']),
  error: z.object({ kind: z.string(), message: z.string() }).nullable(),
  startedAtMs: z.number(), endedAtMs: nullableNumber, durationSeconds: z.number(),
  model: z.record(z.string(), z.unknown()), strategy: z.record(z.string(), z.unknown()),
  /** Short label of the layout, e.g. `dp=2 tp=2 pp=1`. */
  strategyLabel: z.string(),
  worldSize: z.number().int(),
  inventory: z.object({
    hosts: z.array(reportHostSchema), measuredBandwidth: z.array(measuredBandwidthSchema),
    /** `recorded`: the inventory stored with the run; `ranks`: only what the ranks' records say. */
    origin: z.enum(['recorded', 'ranks']),
  }),
  ranks: z.array(z.object({ rank: z.number().int(), host: z.string(), device: z.string(), backend: z.string(), paramsOnRank: z.number() })),
  /**
   * Per rank: its host and device, the GPUs it used, its processes' peak GPU memory (compute-apps) and the
   * mean utilisation/power of its GPU(s) (device-level, shared by `gpuSharedByRanks` ranks); absent for runs that kept none.
   */
  rankDevices: z.array(z.object({
    rank: z.number().int(), host: z.string(), device: z.string(), gpuIndexes: z.array(z.number().int()), peakGpuMemoryBytes: nullableNumber,
    meanGpuUtilisationPercent: nullableNumber.optional(), meanGpuPowerWatts: nullableNumber.optional(), gpuSharedByRanks: z.number().int().optional(),
  })).optional(),
  plan: z.unknown().nullable(),
  prediction: z.unknown().nullable(),
  measured: measuredFiguresSchema,
  predictionChecks: z.array(predictionCheckSchema),
  rankSteps: z.array(rankStepSchema),
  loss: z.array(z.object({ step: z.number().int(), loss: z.number() })),
  series: z.array(reportSeriesSchema),
  /** Per-rank spans at real times and their summary (exposed communication, bubble, idle); absent when the run recorded none. */
  spans: runSpansReportSchema.optional(),
  /** The Slurm job of a run launched on a Slurm cluster. */
  slurm: slurmJobReportSchema.optional(),
});

/** The runs side by side, and which was fastest / used least energy per token, from measured data. */
export const comparisonSchema = z.object({
  rows: z.array(z.object({
    runId: z.string(), strategyLabel: z.string(),
    /** Distinct per run in this comparison (strategy, id suffix when strategies repeat, status when not finished). */
    label: z.string(),
    status: z.enum(['running', 'finished', 'failed', 'cancelled', 'interrupted']),
    steps: z.number().int(), stepsPlanned: nullableNumber,
    tokensPerSecond: nullableNumber, joulesPerToken: nullableNumber,
    stepTimeSeconds: z.number(), mfu: nullableNumber, bytesSentPerStepPerRank: z.number(), peakMemoryBytes: nullableNumber,
  })),
  /** Ranked among finished runs only. */
  fastestRunId: z.string().nullable(),
  leastEnergyPerTokenRunId: z.string().nullable(),
  /** Runs that did not finish: shown, not ranked. */
  unrankedRunIds: z.array(z.string()),
  /** Configuration fields whose values differ between the runs (values in row order). */
  differences: z.array(z.object({ field: z.string(), values: z.array(z.string()) })),
  /** Sentences for people: the ranking with its figures, the runs not ranked and why, what differs. */
  verdict: z.string(),
});

/** The whole report. */
export const reportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  generator: z.object({ name: z.literal('shardscope'), version: z.string() }),
  generatedAtMs: z.number(),
  title: z.string(),
  runs: z.array(runReportSchema).min(1),
  comparison: comparisonSchema.nullable(),
});

/** The report as JSON. */
export type Report = z.infer<typeof reportSchema>;
/** One run in a report. */
export type RunReport = z.infer<typeof runReportSchema>;
/** The Slurm job of a run in a report. */
export type SlurmJobReport = z.infer<typeof slurmJobReportSchema>;
/** Measured figures of a run. */
export type MeasuredFigures = z.infer<typeof measuredFiguresSchema>;
/** A predicted-vs-measured row. */
export type PredictionCheck = z.infer<typeof predictionCheckSchema>;
/** One rank's step. */
export type RankStep = z.infer<typeof rankStepSchema>;
/** A downsampled series. */
export type ReportSeries = z.infer<typeof reportSeriesSchema>;
/** A host of the inventory section. */
export type ReportHost = z.infer<typeof reportHostSchema>;
/** The comparison block. */
export type Comparison = z.infer<typeof comparisonSchema>;
