/** Main-side handlers of ShardScopeApi, written once for both transports (IPC and WebSocket). */
import type { ApiHandlers, AppInfo } from '../../../src-shared/api/contract.js';
import type { Inventory } from '../../../src-shared/inventory.js';
import type { RunService } from '../runs/run-service.js';
import type { RecentSamples } from '../telemetry/recent-samples.js';
import { plannerHandlers } from './planner-handlers.js';
import type { hostsHandlers } from './hosts-handlers.js';
import type { calibrationHandlers } from './calibration-handlers.js';
import type { slurmHandlers } from './slurm-handlers.js';

/** What the handlers read from; side effects come in as these functions. */
export interface HandlerDeps {
  appInfo: AppInfo;
  getInventory(): Promise<Inventory>;
  refreshInventory(): Promise<Inventory>;
  recent: RecentSamples;
  runs: RunService;
  /** The Hosts calls (hosts-handlers.ts). */
  hosts: ReturnType<typeof hostsHandlers>;
  /** Where strategy searches run (default: in this thread). */
  searchPlans?: Parameters<typeof plannerHandlers>[0];
  /** The calibration calls (calibration-handlers.ts). */
  calibration: ReturnType<typeof calibrationHandlers>;
  /** The Slurm calls (slurm-handlers.ts), and Stop of a Slurm run. */
  slurm: ReturnType<typeof slurmHandlers> & { stop(runId: string): Promise<{ stopped: boolean }> };
}

/** Builds the handler table from its dependencies. */
export function createApiHandlers(deps: HandlerDeps): ApiHandlers {
  return {
    getAppInfo: async () => deps.appInfo,
    getInventory: () => deps.getInventory(),
    refreshInventory: () => deps.refreshInventory(),
    getRecentTelemetry: async ({ windowMs }) => deps.recent.window(windowMs),
    ...plannerHandlers(deps.searchPlans),
    startRun: (request) => deps.runs.start(request),
    previewPlacement: (request) => deps.runs.previewPlacement(request),
    // A run is either the local service's or a Slurm job's.
    stopRun: async ({ runId }) => {
      const local = await deps.runs.stop(runId);
      return local.stopped ? local : deps.slurm.stop(runId);
    },
    listRuns: async () => deps.runs.list(),
    getRun: async ({ runId }) => deps.runs.get(runId),
    getRunSeries: async ({ runId, maxPoints }) => deps.runs.series(runId, maxPoints),
    getRunTimeline: async ({ runId, fromStep, toStep }) => deps.runs.timeline(runId, fromStep, toStep),
    exportReport: (request) => deps.runs.exportReport(request),
    ...deps.hosts,
    ...deps.calibration,
    discoverSlurm: deps.slurm.discoverSlurm,
    knownSlurmClusters: deps.slurm.knownSlurmClusters,
    previewSlurmJob: deps.slurm.previewSlurmJob,
    startSlurmRun: deps.slurm.startSlurmRun,
  };
}
