/**
 * Slurm for the app: discover a cluster by its login host, preview a run's sbatch script, start
 * the run as a job (recorded like any run, live updates on `run`, job state and node changes on
 * `slurmJob`), and Stop it (scancel). Several jobs may run at once: the cluster schedules them.
 */
import type { SlurmDiscoveryResult, SlurmJobEvent, SlurmRunRequest } from '../../../src-shared/api/slurm-contract.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { RunUpdate } from '../../../src-shared/run-live.js';
import type { SlurmJobRequest } from '../../../src-shared/slurm.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { newRunId } from '../launch/run-controller.js';
import type { WorkerRuntime } from '../launch/worker-runtime.js';
import { RunEnergyMeter } from '../runs/run-energy-meter.js';
import { checkReferencePlan } from '../launch/torch-run.js';
import { enginePreset, trainConfigOf } from '../runs/train-config.js';
import type { RunStore, StoreWriter } from '../store/index.js';
import { slurmEngineFiles, slurmJobDirBase } from './slurm-engine-files.js';
import { discoverSlurmCluster } from './slurm-discover.js';
import { openSlurmLogin } from './slurm-login.js';
import { runOnSlurm, type SlurmRunOptions } from './slurm-run.js';

/** What the service needs from the app. */
export interface SlurmRunServiceDeps {
  store: RunStore;
  writer: StoreWriter;
  workerPath: string;
  /** Folder for job folders on a local login host (e.g. $SHARDSCOPE_HOME/slurm). */
  localJobDir: string;
  emitRun: (update: RunUpdate) => void;
  emitJob: (event: SlurmJobEvent) => void;
  /** The job's nodes' samples, for the live charts. */
  emitTelemetry?: (batch: TelemetryBatch) => void;
  env?: NodeJS.ProcessEnv;
  sampleMs?: number;
  /** The Node.js that runs the built-in engine's workers (the app's; default this process's). */
  workerRuntime?: WorkerRuntime;
}

/** The app's Slurm calls. */
export class SlurmRunService {
  private readonly active = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  constructor(private readonly deps: SlurmRunServiceDeps) {}

  /** Partitions and nodes of a cluster; each node a host. */
  async discover(args: { loginHost: string; partition?: string; probeGpus?: boolean }): Promise<SlurmDiscoveryResult> {
    const shell = await openSlurmLogin(args.loginHost, { env: this.deps.env });
    try {
      const { cluster, hosts } = await discoverSlurmCluster(shell, { partition: args.partition, probeGpus: args.probeGpus });
      return { slurm: cluster, hosts };
    } finally {
      shell.close();
    }
  }

  /** The sbatch script the request would submit (nothing is written or submitted). */
  async preview(request: SlurmRunRequest): Promise<{ script: string; jobDir: string }> {
    let shown = { script: '', jobDir: '' };
    await this.withJob(request, newRunId(), { onScript: (script, jobDir) => { shown = { script, jobDir }; return false; } });
    return shown;
  }

  /** Submits the job and records the run; resolves once recorded, with the run and job ids. */
  async start(request: SlurmRunRequest): Promise<{ runId: string; jobId: string }> {
    const runId = newRunId();
    const controller = new AbortController();
    let onRecorded: (jobId: string) => void = () => undefined;
    let onFailed: (error: unknown) => void = () => undefined;
    const recorded = new Promise<string>((resolve, reject) => { onRecorded = resolve; onFailed = reject; });
    let jobId = '';
    const sampleMs = this.deps.sampleMs ?? 1000;
    const energy = new RunEnergyMeter(3 * sampleMs);
    const done = this.withJob(request, runId, {
      signal: controller.signal,
      onUpdate: (update) => this.deps.emitRun({ ...update, energy: energy.snapshot() }),
      onTelemetry: (batch) => {
        energy.add(batch);
        this.deps.emitTelemetry?.(batch);
      },
      onJobStatus: (status) => { jobId = status.jobId; this.deps.emitJob({ runId, status }); },
      onNode: (node) => this.deps.emitJob({ runId, node }),
      onAccounting: (accounting) => this.deps.emitJob({ runId, accounting }),
      onRecorded: () => queueMicrotask(() => onRecorded(jobId)),
    }).catch(onFailed).finally(() => this.active.delete(runId));
    this.active.set(runId, { controller, done });
    const submitted = await recorded;
    return { runId, jobId: submitted || this.jobIdOf(runId) };
  }

  /** Stops a Slurm run (scancel); false when it is not one of this service's. */
  async stop(runId: string): Promise<{ stopped: boolean }> {
    const run = this.active.get(runId);
    if (!run) return { stopped: false };
    run.controller.abort();
    await run.done;
    return { stopped: true };
  }

  /** Cancels every job still going (app shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.active.keys()].map((runId) => this.stop(runId)));
  }

  private jobIdOf(runId: string): string {
    const plan = this.deps.store.getRun(runId)?.plan as { slurm?: { jobId?: string } } | null;
    return plan?.slurm?.jobId ?? '';
  }

  private async withJob(request: SlurmRunRequest, runId: string, extra: Partial<SlurmRunOptions>): Promise<unknown> {
    const { slurm, ...run } = request;
    const config = trainConfigOf({ ...run, model: enginePreset(run.model) });
    const engine = run.engine ?? 'tfjs';
    if (engine === 'torch') checkReferencePlan(config);
    const worldSize = run.dp * run.tp * run.pp;
    if (worldSize % slurm.nodes !== 0) throw new ShardScopeError('bad-input', `${slurm.nodes} nodes do not divide the ${worldSize} ranks of the strategy`);
    const tasksPerNode = worldSize / slurm.nodes;
    const gpusPerNode = slurm.gpusPerNode ?? 0;
    if (gpusPerNode % tasksPerNode !== 0) throw new ShardScopeError('bad-input', `${gpusPerNode} GPUs per node do not split over ${tasksPerNode} ranks per node`);
    const jobRequest: SlurmJobRequest = {
      nodes: slurm.nodes, tasksPerNode, gpusPerTask: gpusPerNode / tasksPerNode,
      ...(slurm.partition ? { partition: slurm.partition } : {}), ...(slurm.timeLimit ? { timeLimit: slurm.timeLimit } : {}),
      ...(slurm.account ? { account: slurm.account } : {}), ...(slurm.qos ? { qos: slurm.qos } : {}),
    };
    const shell = await openSlurmLogin(slurm.loginHost, { env: this.deps.env });
    try {
      const jobDir = await slurmJobDirBase(shell, this.deps.localJobDir);
      const files = await slurmEngineFiles(shell, engine, {}, this.deps.workerPath, jobDir, this.deps.workerRuntime);
      return await runOnSlurm({
        shell, request: jobRequest, config, engine, files, jobDir, runId, store: this.deps.store, writer: this.deps.writer,
        sampleMs: this.deps.sampleMs ?? 1000, ...extra,
      });
    } finally {
      shell.close();
    }
  }
}
