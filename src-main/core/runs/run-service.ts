/**
 * Runs launched from the UI: one at a time on this machine (one rank per core), recorded in the
 * store, live updates pushed as `run` events, Stop cancels every rank. Also serves the History calls.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { DownsampledSeries, RunDetails, RunListItem } from '../../../src-shared/run-record.js';
import type { ExportedReport, ReportExportRequest, RunRequest, RunUpdate } from '../../../src-shared/run-live.js';
import type { Inventory } from '../../../src-shared/inventory.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { RunEnergyMeter } from './run-energy-meter.js';
import type { RunStore, StoreWriter } from '../store/index.js';
import type { PreparedRun } from '../launch/remote-launch.js';
import { newRunId } from '../launch/run-controller.js';
import { deployTorchToHosts } from '../launch/torch-deploy.js';
import { checkReferencePlan } from '../launch/torch-run.js';
import { runRecorded } from './recorded-run.js';
import type { WorkerRuntime } from '../launch/worker-runtime.js';
import { exportReport } from './report-export.js';
import type { Logger } from '../log/logger.js';
import { enginePreset, trainConfigOf } from './train-config.js';
import { runSpansOf, spanSummaryOf, type RunTimeline } from '../../../src-shared/run-spans.js';
import { spanEventsOf, tracedStepRange } from '../store/span-events.js';

/** Steps a timeline holds when the caller names none: the last ones traced (a long run's spans do not all fit a view). */
const TIMELINE_DEFAULT_STEPS = 100;

/** What the service needs from the app. */
export interface RunServiceDeps {
  store: RunStore;
  writer: StoreWriter;
  workerPath: string;
  hostId: string;
  emit: (update: RunUpdate) => void;
  getInventory: () => Promise<Inventory>;
  /** The app's sampling interval: live energy does not bridge gaps longer than 3 of them. */
  sampleIntervalMs: number;
  /** Where a run that fails with a bug (not an expected failure, which is recorded with the run) is logged. */
  log?: Logger;
  /** Connects to, deploys on and places ranks across the chosen hosts (request.hosts); absent: local runs only. */
  prepareHosts?: (hosts: NonNullable<RunRequest['hosts']>, worldSize: number, signal: AbortSignal, engine: 'tfjs' | 'torch') => Promise<PreparedRun>;
  /** The Node.js that runs local workers (the desktop app's own; default: this process's, see launch/worker-runtime.ts). */
  workerRuntime?: WorkerRuntime;
}

/** Starts, stops and lists runs. */
export class RunService {
  private active: { runId: string; controller: AbortController; done: Promise<unknown>; energy: RunEnergyMeter } | null = null;

  constructor(private readonly deps: RunServiceDeps) {}

  /** The run whose samples the host samplers should be filed under, if any. */
  get activeRunId(): string | null {
    return this.active?.runId ?? null;
  }

  /** Samples taken while a run goes count toward its live energy. */
  addTelemetry(batch: TelemetryBatch): void {
    this.active?.energy.add(batch);
  }

  /** Validates the request, records the run and starts its ranks; resolves with the id once recorded, rejects when it cannot be recorded. */
  async start(request: RunRequest): Promise<{ runId: string }> {
    if (this.active) throw new ShardScopeError('unavailable', `run ${this.active.runId} is still going: stop it first (one run at a time on this machine)`);
    const config = trainConfigOf({ ...request, model: enginePreset(request.model) });
    const runId = newRunId();
    const inventory = (await this.deps.getInventory()).hosts;
    const controller = new AbortController();
    const energy = new RunEnergyMeter(3 * this.deps.sampleIntervalMs);
    if (request.engine === 'torch') checkReferencePlan(config);
    const prepared = request.hosts ? await this.prepareHosts(request, controller.signal) : null;
    const torch = prepared && request.engine === 'torch' ? await deployTorchToHosts(prepared, {}, controller.signal).catch((error: unknown) => {
      prepared.close();
      throw error;
    }) : undefined;
    const startedMeanwhile = this.activeRunId; // preparing hosts takes seconds: another start may have won
    if (startedMeanwhile) {
      prepared?.close();
      throw new ShardScopeError('unavailable', `run ${startedMeanwhile} started meanwhile: stop it first (one run at a time)`);
    }
    let isRecorded = false;
    let onRecorded: () => void = () => undefined;
    const recorded = new Promise<void>((resolve) => { onRecorded = () => { isRecorded = true; resolve(); }; });
    const outcome = runRecorded({
      config, runId, workerPath: this.deps.workerPath, store: this.deps.store, writer: this.deps.writer, hostId: this.deps.hostId,
      signal: controller.signal, onUpdate: (update) => this.deps.emit({ ...update, energy: energy.snapshot() }), onRecorded, inventory, engine: request.engine, torch, workerRuntime: this.deps.workerRuntime,
      ...(prepared ? { hostIds: prepared.hostIds, launch: { placements: prepared.placements, spawners: prepared.spawners, masterAddr: prepared.masterAddr, masterPort: prepared.masterPort } } : {}),
    });
    // Once recorded, the run's end (finished, failed, cancelled) is in the store and its updates; a bug is also logged.
    const done = outcome.catch((error: unknown) => {
      if (isRecorded && !(error instanceof ShardScopeError)) this.deps.log?.error(`run ${runId} failed with an internal error`, error);
    }).finally(() => {
      prepared?.close();
      if (this.active?.runId === runId) this.active = null;
    });
    this.active = { runId, controller, done, energy };
    try {
      // A run that could not be recorded rejects before onRecorded: that is this call's error, not a run id.
      await Promise.race([recorded, outcome.then(() => undefined)]);
    } catch (error) {
      if (this.active?.runId === runId) this.active = null;
      throw error;
    }
    return { runId };
  }

  /** Remote/mixed runs (either engine): host keys, deploy and placement happen before anything is recorded, so a refusal is the call's error. */
  private prepareHosts(request: RunRequest, signal: AbortSignal): Promise<PreparedRun> {
    if (!this.deps.prepareHosts) throw new ShardScopeError('unavailable', 'runs on other hosts are not available here');
    return this.deps.prepareHosts(request.hosts!, request.dp * request.tp * request.pp, signal, request.engine ?? 'tfjs');
  }

  /** Cancels a running run; resolves once every rank has stopped. */
  async stop(runId: string): Promise<{ stopped: boolean }> {
    if (!this.active || this.active.runId !== runId) return { stopped: false };
    this.active.controller.abort();
    await this.active.done;
    return { stopped: true };
  }

  /** Every stored run, newest first. */
  list(): RunListItem[] {
    return this.deps.store.listRuns();
  }

  /** One run with its ranks, events and summary. */
  get(runId: string): RunDetails {
    if (!this.deps.store.getRun(runId)) throw new ShardScopeError('not-found', `no run "${runId}"`);
    return this.deps.store.runDetails(runId);
  }

  /** A run's spans, clocks and span summary for the timeline: steps fromStep..toStep, by default the last 100 traced. */
  timeline(runId: string, fromStep?: number, toStep?: number): RunTimeline {
    const run = this.deps.store.getRun(runId);
    if (!run) throw new ShardScopeError('not-found', `no run "${runId}"`);
    const { ranks } = this.deps.store.runDetails(runId, 1);
    const traced = tracedStepRange(this.deps.store, runId);
    const lastStep = Math.min(toStep ?? Number.MAX_SAFE_INTEGER, traced?.lastStep ?? 0);
    const firstStep = Math.max(fromStep ?? lastStep - TIMELINE_DEFAULT_STEPS + 1, traced?.firstStep ?? 0);
    const spans = runSpansOf(spanEventsOf(this.deps.store, runId, firstStep, lastStep));
    const num = (value: unknown) => (typeof value === 'number' ? value : 1);
    return {
      runId, ranks, ...spans, summary: spanSummaryOf(spans, num(run.strategy.pp), num(run.strategy.microBatches)),
      steps: traced ? { firstStep, lastStep, tracedFirstStep: traced.firstStep, tracedLastStep: traced.lastStep } : null,
    };
  }

  /** A run's sample series, downsampled for display. */
  series(runId: string, maxPoints: number): DownsampledSeries[] {
    return this.deps.store.runSeries(runId, { maxPoints });
  }

  /** A report of stored runs as a file to download. */
  exportReport(request: ReportExportRequest): Promise<ExportedReport> {
    for (const runId of request.runIds) this.get(runId);
    return exportReport(this.deps.store, request);
  }

  /** Stops the active run, if any (app shutdown). */
  async close(): Promise<void> {
    if (this.active) await this.stop(this.active.runId);
  }
}
