/** What the UI asks to launch, and the live updates of a running run pushed to it. */
import { z } from 'zod';
import type { StepEvent } from './engine-events.js';
import type { RunStatus } from './run-record.js';

/** A launch request from the UI: a model preset (or a saved model id), a dp x tp x pp grid and run options. */
export const runRequestSchema = z.object({
  model: z.string().min(1).max(100),
  dp: z.number().int().min(1).max(64),
  tp: z.number().int().min(1).max(64),
  pp: z.number().int().min(1).max(64),
  steps: z.number().int().min(1).max(100_000),
  microBatches: z.number().int().min(1).max(1024).optional(),
  schedule: z.enum(['1f1b', 'gpipe']).optional(),
  zeroStage: z.union([z.literal(0), z.literal(1)]).optional(),
  recompute: z.boolean().optional(),
  globalBatch: z.number().int().min(1).max(4096).optional(),
  /** Training engine: the built-in TensorFlow.js worker (default) or PyTorch (the bundled reference script). */
  engine: z.enum(['tfjs', 'torch']).optional(),
  /** Torch engine: the user's own script on this machine (absolute path; default the bundled one), kept with the run. */
  script: z.string().min(1).max(1000).regex(/^\//, 'the script path must be absolute').optional(),
  /** Torch engine: extra arguments after the standard ones (`--dp D ... --steps N`), kept with the run. */
  scriptArgs: z.array(z.string().max(500)).max(64).optional(),
  /** Hosts to place the ranks on, in order (saved host ids, `local` for this machine); default this machine only. */
  hosts: z.array(z.object({ id: z.string().min(1).max(100), slots: z.number().int().min(1).max(64).optional() }).strict()).min(1).max(64).optional(),
}).strict();

/** A launch request. */
export type RunRequest = z.infer<typeof runRequestSchema>;

/** A step finished on every rank. */
export interface RunStepPoint {
  step: number;
  loss: number | null;
  /** Slowest rank's wall time for the step. */
  stepSeconds: number;
  tokensPerSecond: number;
}

/** A rank's output line. */
export interface RunLogLine {
  rank: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

/** Energy of a run so far: CPU power (RAPL `measured` or utilisation x TDP `estimated`) and GPU power, integrated. */
export interface RunEnergyPoint {
  timestampMs: number;
  cpuJoules: number;
  gpuJoules: number;
  cpuSource: 'measured' | 'estimated' | 'integrated' | null;
}

/** Pushed while a run goes (at most 4 a second): what happened since the previous update. */
export interface RunUpdate {
  runId: string;
  status: RunStatus;
  steps: number;
  stepsDone: number;
  startedAtMs: number;
  etaSeconds: number | null;
  points: RunStepPoint[];
  rankSteps: StepEvent[];
  logs: RunLogLine[];
  error: { kind: string; message: string } | null;
  /** Energy so far, where the app samples this run's hosts. */
  energy?: RunEnergyPoint;
}

/** The Export button's request: one run, or 2-4 runs compared, in one format. */
export const reportExportRequestSchema = z.object({
  runIds: z.array(z.string().min(1).max(100).regex(/^[\w.-]+$/)).min(1).max(4),
  format: z.enum(['html', 'pdf', 'json', 'csv', 'trace']),
}).strict();

/** An export request. */
export type ReportExportRequest = z.infer<typeof reportExportRequestSchema>;

/** An exported report, to be saved by the UI. */
export interface ExportedReport {
  fileName: string;
  mimeType: string;
  base64: string;
}
