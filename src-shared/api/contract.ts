/**
 * ShardScopeApi: the only contract between the UI and the main process.
 * Each call's arguments have a schema (validated on the main side, whatever the transport);
 * results and pushed events are typed here. Electron's preload and the web-mode client both
 * implement ShardScopeApi from these tables; main-side handlers are written once against them.
 */
import { z } from 'zod';
import type { Inventory } from '../inventory.js';
import type { TelemetryBatch } from '../telemetry.js';
import type { PlacementPreview } from '../placement.js';
import type { DownsampledSeries, RunDetails, RunListItem } from '../run-record.js';
import type { RunTimeline } from '../run-spans.js';
import { reportExportRequestSchema, runRequestSchema, type ExportedReport, type RunUpdate } from '../run-live.js';
import { planRequestSchema, searchRequestSchema, type GpuSpec, type ModelSpec, type PlanResult, type SearchResult } from '../planner/index.js';
import type { CalibrationState } from '../calibration/calibration-record.js';
import type { ThisCluster } from '../calibration/this-cluster.js';
import { discoverSlurmArgsSchema, slurmRunRequestSchema, type SlurmDiscoveryResult, type SlurmJobEvent } from './slurm-contract.js';
import { calibrateArgsSchema, type CalibrateResult, type KnownCalibrations } from './calibration-contract.js';
import { acceptHostKeyArgsSchema, addHostArgsSchema, discoverHostsArgsSchema, importSshConfigArgsSchema, probeLinksArgsSchema, setHostRuntimeArgsSchema, type AcceptHostKeyResult, type HostsState, type ImportSshConfigResult } from './hosts-contract.js';

const runIdSchema = z.string().min(1).max(100).regex(/^[\w.-]+$/);

/** Argument schemas of every request/response call, as tuples. */
export const apiArgSchemas = {
  getInventory: z.tuple([]),
  refreshInventory: z.tuple([]),
  getRecentTelemetry: z.tuple([z.object({ windowMs: z.number().int().positive().max(3_600_000) })]),
  getAppInfo: z.tuple([]),
  plan: z.tuple([planRequestSchema]),
  searchPlans: z.tuple([searchRequestSchema]),
  getPlannerCatalogue: z.tuple([]),
  startRun: z.tuple([runRequestSchema]),
  previewPlacement: z.tuple([runRequestSchema]),
  stopRun: z.tuple([z.object({ runId: runIdSchema })]),
  listRuns: z.tuple([]),
  getRun: z.tuple([z.object({ runId: runIdSchema })]),
  getRunSeries: z.tuple([z.object({ runId: runIdSchema, maxPoints: z.number().int().min(10).max(5000) })]),
  getRunTimeline: z.tuple([z.object({ runId: runIdSchema, fromStep: z.number().int().min(0).optional(), toStep: z.number().int().min(0).optional() })]),
  exportReport: z.tuple([reportExportRequestSchema]),
  listHosts: z.tuple([]),
  addHost: z.tuple([addHostArgsSchema]),
  importSshConfig: z.tuple([importSshConfigArgsSchema]),
  removeHost: z.tuple([z.object({ hostId: z.string().min(1).max(100) }).strict()]),
  discoverHosts: z.tuple([discoverHostsArgsSchema]),
  acceptHostKey: z.tuple([acceptHostKeyArgsSchema]),
  probeLinks: z.tuple([probeLinksArgsSchema]),
  discoverSlurm: z.tuple([discoverSlurmArgsSchema]),
  knownSlurmClusters: z.tuple([]),
  previewSlurmJob: z.tuple([slurmRunRequestSchema]),
  startSlurmRun: z.tuple([slurmRunRequestSchema]),
  setHostRuntime: z.tuple([setHostRuntimeArgsSchema]),
  calibrate: z.tuple([calibrateArgsSchema]),
  getCalibration: z.tuple([]),
  getCalibrations: z.tuple([]),
  getThisCluster: z.tuple([z.object({ model: z.string().min(1).max(100).regex(/^[\w.-]+$/).optional(), globalBatch: z.number().int().min(0).max(4096).optional() }).strict()]),
} as const;

/** Information about the running app, for the UI's status line. */
export interface AppInfo {
  version: string;
  mode: 'desktop' | 'web';
  sampleIntervalMs: number;
}

/** Result type of each call. */
export interface ApiResults {
  getInventory: Inventory;
  refreshInventory: Inventory;
  getRecentTelemetry: TelemetryBatch;
  getAppInfo: AppInfo;
  plan: PlanResult;
  searchPlans: SearchResult;
  getPlannerCatalogue: { models: Record<string, ModelSpec>; gpus: Record<string, GpuSpec> };
  startRun: { runId: string };
  /** rank -> host -> device -> backend before launch, with why GPUs stay idle (src-shared/placement.ts). */
  previewPlacement: PlacementPreview;
  stopRun: { stopped: boolean };
  listRuns: RunListItem[];
  getRun: RunDetails;
  getRunSeries: DownsampledSeries[];
  getRunTimeline: RunTimeline;
  exportReport: ExportedReport;
  listHosts: HostsState;
  addHost: HostsState;
  importSshConfig: ImportSshConfigResult;
  removeHost: HostsState;
  discoverHosts: HostsState;
  acceptHostKey: AcceptHostKeyResult;
  probeLinks: HostsState;
  discoverSlurm: SlurmDiscoveryResult;
  /** The Slurm clusters discovered before (kept in slurm-clusters.json), as their last discoveries left them. */
  knownSlurmClusters: SlurmDiscoveryResult[];
  previewSlurmJob: { script: string; jobDir: string };
  startSlurmRun: { runId: string; jobId: string };
  setHostRuntime: HostsState;
  /** Each calibrated host's stored calibration and, with several hosts, the links measured between them. */
  calibrate: CalibrateResult;
  /** This machine's calibration state (the Planner's figures). */
  getCalibration: CalibrationState;
  /** Every known host's (this machine and the saved SSH hosts): latest calibration, history, or never calibrated. */
  getCalibrations: KnownCalibrations;
  /** The known hosts' GPUs, or the built-in engine's candidates on their CPUs, as the Planner's "this cluster", with where each figure came from. */
  getThisCluster: ThisCluster;
}

/** Events pushed from main to the UI. */
export interface ApiEvents {
  telemetry: TelemetryBatch;
  inventory: Inventory;
  run: RunUpdate;
  hosts: HostsState;
  calibration: { hostId: string; line: string };
  slurmJob: SlurmJobEvent;
}

export type ApiMethodName = keyof typeof apiArgSchemas;
export type ApiEventName = keyof ApiEvents;
/** Arguments as a caller gives them (defaults may be left out). */
export type ApiArgs<K extends ApiMethodName> = z.input<(typeof apiArgSchemas)[K]>;
/** Arguments as a handler receives them, after validation filled in defaults. */
export type ApiParsedArgs<K extends ApiMethodName> = z.output<(typeof apiArgSchemas)[K]>;

/** The fixed list of calls, for the preload and the web client (never a generic send). */
export const apiMethodNames = Object.keys(apiArgSchemas) as ApiMethodName[];
/** The fixed list of pushed events. */
export const apiEventNames: readonly ApiEventName[] = ['telemetry', 'inventory', 'run', 'hosts', 'slurmJob', 'calibration'];

/** Calls as the renderer sees them. */
export type ShardScopeApiCalls = {
  [K in ApiMethodName]: (...args: ApiArgs<K>) => Promise<ApiResults[K]>;
};

/** The whole contract: calls plus a subscription to pushed events. */
export interface ShardScopeApi extends ShardScopeApiCalls {
  /** Subscribes to one pushed event; returns the unsubscribe function. */
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

/** Main-side implementation of the calls: validated arguments in, results out. */
export type ApiHandlers = {
  [K in ApiMethodName]: (...args: ApiParsedArgs<K>) => Promise<ApiResults[K]>;
};

/** IPC channel for a call; one fixed prefix so the preload only forwards known channels. */
export function ipcChannel(method: ApiMethodName): string {
  return `shardscope:${method}`;
}

/** IPC channel for a pushed event. */
export function ipcEventChannel(event: ApiEventName): string {
  return `shardscope-event:${event}`;
}
