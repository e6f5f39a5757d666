/**
 * One training run (built-in engine or torch), kept in the store as it goes: the run record with its
 * plan and prediction first, then ranks, events and the end state (finished, failed or cancelled),
 * while live updates go to the caller. Used by the app and by `shardscope run`.
 */
import { worldSizeOf, type TrainConfig } from '../../../src-shared/engine-config.js';
import type { EngineEvent } from '../../../src-shared/engine-events.js';
import type { HostInventory } from '../../../src-shared/inventory.js';
import { ShardScopeError, toErrorPayload } from '../../../src-shared/errors.js';
import type { RunUpdate } from '../../../src-shared/run-live.js';
import { newRunId, runTraining, type RunOptions } from '../launch/run-controller.js';
import { runTorchTraining } from '../launch/torch-run.js';
import type { TorchEngineOptions } from '../launch/torch-rank-command.js';
import type { TorchProbe } from '../launch/torch-check.js';
import type { TrainingSummary } from '../launch/run-summary.js';
import type { RunStore, StoreWriter } from '../store/index.js';
import { INVENTORY_EVENT } from '../report/report-inventory.js';
import { CalibrationStore } from '../calibration/calibration-store.js';
import { energyRanksOf, predictLocalRun, predictTorchRun, torchRunShape, withPredictedEnergy } from './run-prediction.js';
import { learnFromRun, RunStepSeconds } from '../calibration/learn-from-run.js';
import { RunUpdateBatcher } from './update-batcher.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { placeRanks } from '../launch/placement.js';
import type { RemoteTarget } from '../ssh/target.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';
import { rankDevicesOf, RunTelemetry } from './run-telemetry.js';
import { startRunHostSamplers } from './run-host-samplers.js';
import { RunLogs } from './run-logs.js';

/** What to run and where to keep it. */
export interface RecordedRunOptions {
  config: TrainConfig;
  workerPath: string;
  store: RunStore;
  writer: StoreWriter;
  hostId: string;
  runId?: string;
  signal?: AbortSignal;
  onUpdate?: (update: RunUpdate) => void;
  /** Ranks' output lines, as they come (the updates carry them too, batched). */
  onLog?: (rank: number, line: string, stream: 'stdout' | 'stderr') => void;
  /** The hosts as discovered at launch, kept with the run for its report. */
  inventory?: HostInventory[];
  /** Torch engine: called with what each host's Python reported, before any rank starts. */
  onProbed?: (probes: Record<string, TorchProbe>) => void;
  /** Called once every rank is started, with their pids. */
  onStarted?: RunOptions['onStarted'];
  /** Called with the id once the run is recorded, before any rank starts; samplers' batches go to `telemetry.add`. */
  onRecorded?: (runId: string, telemetry: RunTelemetry) => void;
  /** The samplers' interval (live energy does not bridge gaps longer than 3 of them); default 500 ms. */
  sampleIntervalMs?: number;
  /** The run's SSH hosts, sampled (same sampler as this machine's) and discovered for the run while it goes. */
  remoteHosts?: { targets: Record<string, RemoteTarget>; knownHostsFile: KnownHostsFiles };
  /** Every batch of the run's SSH-host samplers (whole, for a live view); their run part is stored already. */
  onRemoteTelemetry?: (batch: TelemetryBatch) => void;
  /** Placement, spawners and rendezvous of a remote/mixed run (see launch/remote-launch.ts). */
  launch?: Pick<RunOptions, 'placements' | 'spawners' | 'masterAddr' | 'masterPort'>;
  /** Hosts the run uses (default: [hostId]). */
  hostIds?: string[];
  /** Training engine (default `tfjs`, the built-in worker; `torch` runs a PyTorch script per rank). */
  engine?: 'tfjs' | 'torch';
  /** Script and interpreter of the torch engine. */
  torch?: TorchEngineOptions;
  /** Runs the ranks instead of the local/SSH controllers (e.g. a Slurm job: core/slurm/slurm-run.ts). */
  runner?: (options: RunOptions) => Promise<TrainingSummary>;
  /** Host of a rank when placement happens inside the runner (e.g. the node Slurm allocated). */
  hostOfRank?: (rank: number) => string | undefined;
  /** Kept with the plan (e.g. `{slurm: {jobId, script}}`). */
  planExtras?: Record<string, unknown>;
  /** The Node.js that runs local workers (default: this process's). */
  workerRuntime?: RunOptions['workerRuntime'];
}

/** Runs and records; resolves with the summary, or rejects after recording the failure. */
export async function runRecorded(options: RecordedRunOptions): Promise<TrainingSummary> {
  const { config, store, writer } = options;
  const runId = options.runId ?? newRunId();
  const startedAtMs = Date.now();
  const calibrations = new CalibrationStore(store.db);
  const calibration = calibrations.latest(options.hostId);
  const hostOfRank = (rank: number) => options.hostOfRank?.(rank) ?? options.launch?.placements?.[rank]?.host ?? options.hostId;
  const latestOf = (id: string) => calibrations.latest(id);
  const prediction = withPredictedEnergy(options.engine === 'torch' ? predictTorchRun(config, calibration, torchRunShape(config, options))
    : predictLocalRun(config, calibration, hostOfRank, latestOf), config, energyRanksOf(worldSizeOf(config.strategy), hostOfRank, options.engine ?? 'tfjs', latestOf), latestOf);
  const stepSeconds = new RunStepSeconds();
  store.createRun({
    id: runId, engine: options.engine ?? 'tfjs',
    strategy: { ...config.strategy, microBatches: config.microBatches, schedule: config.schedule, zeroStage: config.zeroStage, recompute: config.recompute, globalBatch: config.globalBatch },
    model: { ...config.model }, plan: { config, ...(options.engine === 'torch' ? { torch: { script: options.torch?.script ?? 'bundled', scriptArgs: options.torch?.scriptArgs ?? [] } } : {}), ...options.planExtras }, prediction, hosts: options.hostIds ?? [options.hostId], startedAtMs,
  });
  if (options.inventory) writer.addEvent(runId, { type: INVENTORY_EVENT, rank: null, timestampMs: startedAtMs, hosts: options.inventory });
  const placements = options.launch?.placements ?? placeRanks(worldSizeOf(config.strategy));
  const sampleIntervalMs = options.sampleIntervalMs ?? 500;
  const telemetry = new RunTelemetry({ runId, ranks: rankDevicesOf(placements, options.hostId), writer, localHostId: options.hostId, maxGapMs: 3 * sampleIntervalMs });
  const remote = options.remoteHosts && Object.keys(options.remoteHosts.targets).length > 0
    ? startRunHostSamplers({
      ...options.remoteHosts, intervalMs: sampleIntervalMs,
      onBatch: (batch) => { telemetry.add(batch); options.onRemoteTelemetry?.(batch); },
    })
    : null;
  options.onRecorded?.(runId, telemetry);
  const logs = new RunLogs(runId, writer);
  const batcher = new RunUpdateBatcher(runId, config.steps, startedAtMs, (u) => options.onUpdate?.(u));
  const onEvent = (event: EngineEvent) => {
    writer.addEvent(runId, event);
    if (event.type === 'run-start') {
      writer.addRanks(runId, [{ rank: event.rank, host: options.hostOfRank?.(event.rank) ?? options.launch?.placements?.[event.rank]?.host ?? options.hostId, device: event.device, backend: event.backend, paramsOnRank: event.paramsOnRank }]);
    } else if (event.type === 'step') {
      batcher.addRankStep(event);
      stepSeconds.add(event);
    }
  };
  try {
    const summary = await (options.runner ?? (options.engine === 'torch' ? runTorchTraining : runTraining))({
      ...options.launch, placements, torch: options.torch, config, runId, workerPath: options.workerPath, workerRuntime: options.workerRuntime, signal: options.signal, onEvent,
      onStarted: options.onStarted,
      onProbed: (probes: Record<string, TorchProbe>) => {
        // torch ranks take cuda:(local rank mod devices) where their host's PyTorch has CUDA
        const localRanks = new Map<string, number>();
        for (const p of placements) {
          const localRank = localRanks.get(p.host) ?? 0;
          localRanks.set(p.host, localRank + 1);
          const probe = probes[p.host];
          if (probe?.hasCuda && probe.cudaDeviceCount > 0 && p.device.startsWith('cpu')) telemetry.deviceUse.place(p.rank, `cuda:${localRank % probe.cudaDeviceCount}`);
        }
        options.onProbed?.(probes);
      },
      onSpawned: (ranks) => ranks.forEach((r) => telemetry.watchRank(r.rank, () => r.process.pid)),
      onProgress: (p) => batcher.addPoint({ step: p.step, loss: p.loss, stepSeconds: p.stepSeconds, tokensPerSecond: p.tokensPerSecond }),
      onLog: (rank, line, stream) => {
        batcher.addLog({ rank, line, stream });
        logs.add(rank, line, stream);
        options.onLog?.(rank, line, stream);
      },
    });
    await closeTelemetry(telemetry, remote, !options.runner);
    logs.finish();
    writer.flush();
    store.endRun(runId, { status: 'finished', endedAtMs: Date.now() });
    learnFromRun(calibrations, calibration, prediction, stepSeconds.mean(), runId);
    batcher.finish('finished');
    return summary;
  } catch (error) {
    const payload = toErrorPayload(error);
    const status = error instanceof ShardScopeError && error.kind === 'cancelled' ? 'cancelled' : 'failed';
    await closeTelemetry(telemetry, remote, !options.runner);
    logs.finish();
    writer.flush();
    store.endRun(runId, { status, endedAtMs: Date.now(), error: payload });
    batcher.finish(status, payload);
    throw error;
  }
}

/**
 * Stops the run's SSH-host samplers and keeps which devices the run used. A run with its own runner
 * (a Slurm job: its nodes, placement and sampler are the job's) keeps no attribution from here.
 */
async function closeTelemetry(telemetry: RunTelemetry, remote: { stop(): Promise<void> } | null, isPlacedHere: boolean): Promise<void> {
  await remote?.stop();
  if (isPlacedHere) telemetry.finish();
}
