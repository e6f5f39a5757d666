/**
 * The long-lived state behind the API while the app runs: the inventory (discovered once, refreshed
 * on demand), the local sampler and its recent samples, and the event bus to every UI.
 * Both the Electron app and the web server build one of these and serve its handlers.
 */
import type { ApiHandlers, AppInfo } from '../../../src-shared/api/contract.js';
import { LOCAL_HOST_ID, type HostInventory, type Inventory } from '../../../src-shared/inventory.js';
import { discoverLocalHost } from '../inventory/discover-local.js';
import { RecentSamples } from '../telemetry/recent-samples.js';
import { startHostSampler } from '../telemetry/host-sampler.js';
import { RunService } from '../runs/run-service.js';
import { RunStore, StoreWriter } from '../store/index.js';
import { ApiEventBus } from './event-bus.js';
import { createApiHandlers } from './handlers.js';
import { calibrationHandlers } from './calibration-handlers.js';
import { appClusterMembers } from '../calibration/cluster-members.js';
import { defaultHostSettingsPath } from '../hosts/host-settings.js';
import { HostsService } from '../hosts/hosts-service.js';
import { prepareRunOnHosts, runHostsOf } from '../hosts/run-hosts.js';
import { placeRanksOnHosts } from '../launch/remote-placement.js';
import type { SecretStore } from '../hosts/secret-store.js';
import { hostsHandlers } from './hosts-handlers.js';
import { ClusterSamplers } from '../telemetry/cluster-samplers.js';
import type { HostsState } from '../../../src-shared/api/hosts-contract.js';
import { slurmHandlers } from './slurm-handlers.js';
import { SlurmRunService } from '../slurm/slurm-run-service.js';
import { knownSlurmNodes, rememberSlurmDiscovery, slurmClustersPath } from '../slurm/known-slurm-nodes.js';
import { dirname, join } from 'node:path';
import type { WorkerRuntime } from '../launch/worker-runtime.js';
import { loggerFromEnv, type Logger } from '../log/logger.js';
import { PlannerThread } from '../planner/planner-thread.js';
import type { SearchRequest } from '../../../src-shared/planner/index.js';

/** What the app was started with. */
export interface AppServicesOptions {
  mode: AppInfo['mode'];
  version: string;
  sampleIntervalMs: number;
  nvidiaSmiPath?: string;
  /** The SQLite file runs and samples are kept in. */
  storePath: string;
  /** dist/worker.cjs, the program each rank runs. */
  workerPath: string;
  /** dist/planner-thread.cjs: strategy searches run there, off the event loop, in the desktop app and web mode alike. */
  plannerThreadPath: string;
  /** The Node.js that runs workers here and is shipped to hosts without one (desktop: its bundled runtime; default: this process's). */
  workerRuntime?: WorkerRuntime;
  /** Where SSH passwords may be kept (Electron: safeStorage); none in web mode, so they are used once. */
  secrets?: SecretStore;
  /** Core's log (default: the file in the data folder, level from SHARDSCOPE_LOG_LEVEL). */
  log?: Logger;
}

/** Running services; `close()` stops the sampler and leaves no child process. */
export interface AppServices {
  handlers: ApiHandlers;
  events: ApiEventBus;
  /** Where the transports log internal errors and refused senders. */
  log: Logger;
  close(): Promise<void>;
}

/** Discovers this machine, starts the local sampler and returns the handlers that serve them. */
export async function startAppServices(options: AppServicesOptions): Promise<AppServices> {
  const log = options.log ?? loggerFromEnv(process.env);
  const events = new ApiEventBus(log);
  const recent = new RecentSamples({ maxAgeMs: 60 * 60 * 1000 });
  // Discovery runs in the background (a hung nvidia-smi must not hold the app's start); close() stops it.
  const stopping = new AbortController();
  let inventory: Promise<Inventory> = discover();

  function discover(): Promise<Inventory> {
    const found = discoverLocalHost({ nvidiaSmiPath: options.nvidiaSmiPath, signal: stopping.signal }).then((host) => ({ hosts: [host] }));
    found.catch(() => {}); // callers that await it see the failure; nobody awaiting is not an error
    return found;
  }

  // Slurm nodes: those of every cluster discovered before (kept in slurm-clusters.json, state as of then), refreshed by a new discovery.
  const slurmClustersFile = slurmClustersPath(process.env);
  let slurmNodes: HostInventory[] = (() => {
    try {
      return knownSlurmNodes(slurmClustersFile).map((n) => n.host);
    } catch (error) {
      log.error('known Slurm nodes not read', error);
      return [];
    }
  })();
  const withSlurmNodes = (local: Inventory): Inventory => ({ hosts: [...local.hosts, ...slurmNodes] });

  const hostId = LOCAL_HOST_ID;
  const store = RunStore.open(options.storePath);
  const writer = new StoreWriter(store, { onError: (error) => {
    console.error(`store: ${error instanceof Error ? error.message : String(error)}`);
    log.error('store writer failed', error);
  } });
  // Hosts: $SHARDSCOPE_HOME/hosts.json; keys checked against $SHARDSCOPE_HOME/known_hosts then ~/.ssh/known_hosts (read only), trust written to the first.
  // Every saved host that answered its discovery is sampled live for the Cluster view (and for a run on it).
  let cluster: ClusterSamplers | null = null;
  const hosts = new HostsService({
    settingsFile: defaultHostSettingsPath(process.env), secrets: options.secrets, shippableNodePath: options.workerRuntime?.shippableNodePath,
    onChange: (state) => {
      events.emit('hosts', state);
      void cluster?.sync(reachableHosts(state));
    },
  });
  const reachableHosts = (state: HostsState) => state.statuses.filter((s) => s.state === 'ok').flatMap((s) => {
    try { return [{ id: s.hostId, target: hosts.targetOf(hosts.savedHost(s.hostId)) }]; } catch { return []; }
  });
  const runs = new RunService({
    store, writer, workerPath: options.workerPath, workerRuntime: options.workerRuntime, hostId, emit: (update) => events.emit('run', update), getInventory: () => inventory,
    sampleIntervalMs: options.sampleIntervalMs, log,
    prepareHosts: (choices, worldSize, signal, engine) => prepareRunOnHosts(hosts, choices, worldSize, { workerPath: options.workerPath, workerRuntime: options.workerRuntime, engine, signal }),
    knownHostsFile: hosts.knownHostsFiles,
    isSampled: (hostId) => cluster?.hostIds.includes(hostId) ?? false,
    placeOnHosts: (choices, worldSize) => {
      const known = hosts.state().statuses;
      return {
        placements: placeRanksOnHosts(worldSize, runHostsOf(hosts, choices)),
        inventory: known.filter((s) => choices.some((c) => c.id === s.hostId)).map((s) => ({ ...s.inventory, id: s.hostId })),
      };
    },
    onRemoteTelemetry: (batch) => {
      recent.add(batch);
      events.emit('telemetry', batch);
    },
  });
  cluster = new ClusterSamplers({
    knownHostsFile: hosts.knownHostsFiles, intervalMs: Math.max(options.sampleIntervalMs, 500),
    onBatch: (batch) => {
      recent.add(batch);
      runs.addTelemetry(batch);
      events.emit('telemetry', batch);
    },
  });
  const slurm = new SlurmRunService({
    store, writer, workerPath: options.workerPath, workerRuntime: options.workerRuntime, localJobDir: join(dirname(options.storePath), 'slurm'),
    emitRun: (update) => events.emit('run', update), emitJob: (event) => events.emit('slurmJob', event),
    emitTelemetry: (batch) => { recent.add(batch); events.emit('telemetry', batch); },
  });
  const sampler = startHostSampler({ kind: 'local', hostId, nvidiaSmiPath: options.nvidiaSmiPath }, {
    intervalMs: options.sampleIntervalMs,
    onBatch: (batch) => {
      recent.add(batch);
      // Samples are kept with the run they were taken during (only its GPUs), the rest as the host's history.
      runs.addTelemetry(batch);
      events.emit('telemetry', batch);
    },
  });

  const planner = new PlannerThread(options.plannerThreadPath);
  const handlers = createApiHandlers({
    searchPlans: (request: SearchRequest) => planner.search(request),
    appInfo: { mode: options.mode, version: options.version, sampleIntervalMs: options.sampleIntervalMs },
    // The UI's cluster: this machine, and the nodes of the Slurm clusters discovered (now or before).
    getInventory: () => inventory.then(withSlurmNodes),
    refreshInventory: async () => {
      inventory = discover();
      const fresh = withSlurmNodes(await inventory);
      events.emit('inventory', fresh);
      return fresh;
    },
    recent,
    runs,
    hosts: hostsHandlers(hosts, { workerPath: options.workerPath, workerRuntime: options.workerRuntime }),
    calibration: calibrationHandlers({
      db: store.db, workerPath: options.workerPath, workerRuntime: options.workerRuntime, hostId, version: options.version,
      emit: (line, about) => events.emit('calibration', { hostId: about, line }), hosts, signal: stopping.signal,
      hostSettingsFile: hosts.settingsFile, knownMembers: async () => appClusterMembers((await inventory).hosts, hosts.state().statuses, slurmNodes, store.db),
    }),
    slurm: {
      ...slurmHandlers(slurm, slurmClustersFile),
      discoverSlurm: async (args) => {
        const found = await slurm.discover(args);
        rememberSlurmDiscovery(slurmClustersFile, found.slurm, found.hosts);
        const isSame = (a: HostInventory, b: HostInventory) => a.id === b.id && a.slurm?.loginHost === b.slurm?.loginHost;
        slurmNodes = [...slurmNodes.filter((h) => !found.hosts.some((n) => isSame(h, n))), ...found.hosts];
        events.emit('inventory', withSlurmNodes(await inventory));
        return found;
      },
      stop: (runId) => slurm.stop(runId),
    },
  });

  return {
    handlers,
    events,
    log,
    close: async () => {
      stopping.abort();
      await planner.close();
      hosts.close();
      await runs.close();
      await cluster?.close();
      await slurm.close();
      await sampler.stop();
      writer.close();
      store.close();
    },
  };
}
