/**
 * A run as a Slurm job: the plan becomes an sbatch script (shown before it is submitted, kept with
 * the run), the job is watched (PENDING with its reason, RUNNING, the final state; nodes drained or
 * down mid-job), ranks are followed through their output files by the same run controller as local
 * and SSH runs, Stop is scancel, the job's end ends the run with its state, and Slurm's accounting
 * (elapsed, energy where configured) is kept with the run as an event.
 */
import { randomBytes } from 'node:crypto';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import type { EngineEvent } from '../../../src-shared/engine-events.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SlurmJobAccounting, SlurmJobRequest, SlurmJobStatus, SlurmNode, SlurmRunInfo } from '../../../src-shared/slurm.js';
import { newRunId, runTraining, type RunOptions } from '../launch/run-controller.js';
import type { TrainingSummary } from '../launch/run-summary.js';
import { runRecorded, type RecordedRunOptions } from '../runs/recorded-run.js';
import { INVENTORY_EVENT } from '../report/report-inventory.js';
import { buildSbatchScript } from './sbatch-script.js';
import { nodeHost } from './slurm-discover.js';
import { parseNode, parseScontrolRecords } from './slurm-parse.js';
import { jobAccounting } from './slurm-accounting.js';
import { cancelJob, submitJob } from './slurm-job.js';
import { slurmRankCommand, type SlurmEngineFiles } from './slurm-rank-command.js';
import { slurmRankProcess } from './slurm-rank-process.js';
import { startSlurmSampler } from './slurm-sampler.js';
import type { SlurmShell } from './slurm-shell.js';
import { watchJob } from './slurm-watch.js';

/** What to run on the cluster and where to keep it. */
export interface SlurmRunOptions extends Omit<RecordedRunOptions, 'runner' | 'hostOfRank' | 'planExtras' | 'launch' | 'workerPath' | 'hostId'> {
  shell: SlurmShell;
  request: SlurmJobRequest;
  engine: 'tfjs' | 'torch';
  files: SlurmEngineFiles;
  /** Job folder on the login host, visible from the nodes (shared file system). */
  jobDir: string;
  /** Shown the script before it is submitted; return false to stop there (a dry run). */
  onScript?: (script: string, jobDir: string) => boolean | void;
  onJobStatus?: (status: SlurmJobStatus) => void;
  onNode?: (node: SlurmNode) => void;
  /** What Slurm kept about the job once it ended (sacct, else scontrol), also stored as the `slurm-accounting` event. */
  onAccounting?: (accounting: SlurmJobAccounting) => void;
  pollMs?: number;
  /** GPU samples of the job's nodes every this many ms from a sampler step inside the job (0 = off). */
  sampleMs?: number;
  /** nvidia-smi on the nodes (default `nvidia-smi` from PATH). */
  nvidiaSmi?: string;
  /** Every batch of the nodes' samples, as it is stored (e.g. for live charts and live energy). */
  onTelemetry?: (batch: TelemetryBatch) => void;
}

/** The finished run with its job. */
export interface SlurmRunResult {
  summary: TrainingSummary;
  slurm: SlurmRunInfo & { state: string; accounting: SlurmJobAccounting | null };
}

function slurmEvent(type: string, data: Record<string, unknown>): EngineEvent {
  return { type, rank: null, timestampMs: Date.now(), ...data } as unknown as EngineEvent;
}

/** The job folder's path for a run under `base`. */
export function jobDirOf(base: string, runId: string): string {
  return `${base.replace(/\/+$/, '')}/${runId}`;
}

/** Writes the job folder, submits, runs and records; resolves with the summary, or rejects after recording the failure. Null for a dry run. */
export async function runOnSlurm(options: SlurmRunOptions): Promise<SlurmRunResult | null> {
  const { shell, request } = options;
  const config = options.files.dataPath ? { ...options.config, dataPath: options.files.dataPath } : options.config;
  const runId = options.runId ?? newRunId();
  const jobDir = jobDirOf(options.jobDir, runId);
  const worldSize = request.nodes * request.tasksPerNode;
  checkWorld(config, worldSize);
  const script = buildSbatchScript({ runId, title: titleOf(config, options.engine), jobDir, request, rank: slurmRankCommand(options.engine, config, runId, options.files) });
  if (options.onScript?.(script, jobDir) === false) return null;
  await shell.writeFile(`${jobDir}/config.json`, JSON.stringify(config));
  await shell.writeFile(`${jobDir}/secret`, randomBytes(32).toString('hex'), true);
  await shell.writeFile(`${jobDir}/job.sbatch`, script);
  const jobId = await submitJob(shell, `${jobDir}/job.sbatch`, options.signal).catch(async (error: unknown) => {
    // A refused job leaves nothing behind, its secret least of all.
    await shell.run(['rm', '-rf', jobDir]).catch(() => undefined);
    throw error;
  });
  const info: SlurmRunInfo = { loginHost: shell.loginHost, jobId, script, jobDir, request };
  let nodes: string[] = [];
  let finalState = 'UNKNOWN';
  let accounting: SlurmJobAccounting | null = null;
  const summary = await runRecorded({
    ...options, runId, workerPath: '', hostId: `slurm:${shell.loginHost}`,
    hostIds: options.hostIds ?? [`slurm:${shell.loginHost}${request.partition ? `/${request.partition}` : ''}`],
    planExtras: { slurm: info },
    hostOfRank: (rank) => nodes[Math.floor(rank / request.tasksPerNode)],
    runner: async (runOptions) => {
      const result = await runJob(options, runOptions, jobId, jobDir, (n) => { nodes = n; });
      finalState = result.state;
      accounting = result.accounting;
      if (result.error) throw result.error;
      return result.summary!;
    },
  });
  return { summary, slurm: { ...info, state: finalState, accounting } };
}

/** Watches the job, follows its ranks once it runs, and makes sure it has ended before returning. */
async function runJob(options: SlurmRunOptions, runOptions: RunOptions, jobId: string, jobDir: string, onNodes: (nodes: string[]) => void): Promise<{ summary?: TrainingSummary; error?: unknown; state: string; accounting: SlurmJobAccounting | null }> {
  const { shell, signal } = options;
  const emit = (type: string, data: Record<string, unknown>) => runOptions.onEvent?.(slurmEvent(type, data));
  emit('slurm-job', { jobId, loginHost: shell.loginHost, jobDir, request: options.request });
  const watch = watchJob({
    shell, jobId, pollMs: options.pollMs,
    onStatus: (status) => {
      emit('slurm-state', { jobId, state: status.state, reason: status.reason, nodes: status.nodes });
      options.onJobStatus?.(status);
    },
    onNode: (node) => {
      emit('slurm-node', { jobId, node: node.name, state: node.state, reason: node.reason });
      options.onNode?.(node);
    },
  });
  let cancelling: Promise<void> | null = null;
  const cancel = () => { cancelling ??= cancelJob(shell, jobId).catch(() => undefined); };
  const onAbort = () => cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  const jobEnded = watch.ended.then((s) => s.state);
  try {
    if (signal?.aborted) cancel();
    const started = await watch.started;
    let summary: TrainingSummary | undefined;
    let error: unknown;
    // A job that ended before its first poll saw it run still left its ranks' output to read.
    if (started.nodes.length === 0) {
      error = new ShardScopeError('worker-exit', `slurm job ${jobId} ended before it started`);
    } else {
      onNodes(started.nodes);
      // The job's nodes as hosts, kept with the run for its report (what Slurm says of them; gres GPUs).
      const shown = await shell.run(['scontrol', '-o', 'show', 'node', started.nodes.join(',')]).catch(() => null);
      if (shown?.code === 0) emit(INVENTORY_EVENT, { hosts: parseScontrolRecords(shown.stdout).map(parseNode).map((n) => nodeHost(shell.loginHost, n, null)) });
      const tasksPerNode = options.request.tasksPerNode;
      const placements = Array.from({ length: options.request.nodes * tasksPerNode }, (_, rank) => ({
        rank, host: started.nodes[Math.floor(rank / tasksPerNode)], device: options.request.gpusPerTask > 0 ? `gpu${rank % tasksPerNode}` : 'cpu',
      }));
      const context = { shell, jobId, jobDir, jobEnded, cancel };
      const spawner = (request: { rank: number }) => slurmRankProcess(context, request.rank);
      const sampler = options.sampleMs ? startSlurmSampler({
        shell, jobId, nodes: started.nodes, gpusPerNode: options.request.gpusPerTask * tasksPerNode, intervalMs: options.sampleMs, nvidiaSmi: options.nvidiaSmi,
        onBatch: (batch) => {
          options.writer.addTelemetry(batch, runOptions.runId ?? null);
          options.onTelemetry?.(batch);
        },
      }) : null;
      try {
        summary = await runTraining({
          ...runOptions, workerPath: '', placements, masterPort: 0, masterAddr: started.nodes[0], exitGraceMs: 60_000,
          spawners: Object.fromEntries(started.nodes.map((n) => [n, spawner])), rankCommand: () => ({ command: 'slurm', args: [], env: {} }),
        });
      } catch (caught) {
        error = caught;
      } finally {
        sampler?.stop();
      }
    }
    // The ranks are done: the job ends on its own within moments; one that lingers is cancelled.
    const final = await Promise.race([watch.ended, new Promise<null>((r) => setTimeout(() => r(null), 30_000).unref())]) ?? (cancel(), await watch.ended);
    const hasStarted = started.nodes.length > 0;
    if (error && !(error instanceof ShardScopeError && error.kind === 'bad-input')) error = endedError(final, jobId, signal?.aborted ?? false, !hasStarted, hasStarted ? error : undefined);
    else if (!error && final.state !== 'COMPLETED') error = endedError(final, jobId, false, false);
    await untilCompleted(shell, jobId);
    const accounting = await jobAccounting(shell, jobId).catch(() => null);
    if (accounting) {
      emit('slurm-accounting', { ...accounting });
      options.onAccounting?.(accounting);
    }
    return { summary, error, state: final.state, accounting };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    watch.stop();
  }
}

/** Waits (up to 20 s) while Slurm is still ending the job's processes on its nodes (state COMPLETING). */
async function untilCompleted(shell: SlurmShell, jobId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const result = await shell.run(['squeue', '-h', '-j', jobId, '-t', 'COMPLETING', '-o', '%i']);
    if (result.code !== 0 || result.stdout.trim() === '') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The run's error for a job that ended (or never started) with `status` (exported for its tests). */
export function endedError(status: SlurmJobStatus, jobId: string, isCancelledHere: boolean, isBeforeStart: boolean, cause?: unknown): ShardScopeError {
  const when = isBeforeStart ? ' before it started' : '';
  const reason = status.reason ? ` (${status.reason})` : '';
  if (status.state === 'CANCELLED') {
    return new ShardScopeError('cancelled', isCancelledHere ? `run cancelled: slurm job ${jobId} cancelled (scancel)${when}` : `slurm job ${jobId} was cancelled outside ShardScope${when}${reason}`, { jobId });
  }
  if (status.state === 'COMPLETED' && cause instanceof ShardScopeError) return cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  const what = status.state === 'TIMEOUT' ? 'reached its time limit (TIMEOUT)' : `ended ${status.state}${reason}`;
  return new ShardScopeError('worker-exit', `slurm job ${jobId} ${what}${when}${detail}`, { jobId, state: status.state });
}

function titleOf(config: TrainConfig, engine: string): string {
  const { dp, tp, pp } = config.strategy;
  return `${config.model.name} dp=${dp} tp=${tp} pp=${pp}, ${config.steps} steps, engine ${engine}`;
}

function checkWorld(config: TrainConfig, worldSize: number): void {
  const { dp, tp, pp } = config.strategy;
  if (dp * tp * pp !== worldSize) {
    throw new ShardScopeError('bad-input', `the job has ${worldSize} tasks (nodes x tasks per node) but the strategy dp=${dp} tp=${tp} pp=${pp} needs ${dp * tp * pp} ranks`);
  }
}
