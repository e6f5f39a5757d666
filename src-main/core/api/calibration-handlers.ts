/**
 * Main-side handlers of the calibration calls: measure this machine, or saved SSH hosts and the links
 * between them (progress pushed as `calibration` events naming the host), read every known host's
 * calibrations, "this cluster" for the Planner.
 */
import type Database from 'better-sqlite3';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { CalibrateResult, KnownHostCalibration } from '../../../src-shared/api/calibration-contract.js';
import type { CalibrationState, HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import { defaultGlobalBatch } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { CalibrationStore } from '../calibration/calibration-store.js';
import { calibrateHosts } from '../calibration/calibrate-hosts.js';
import { measureHost } from '../calibration/measure-host.js';
import type { ClusterMembers } from '../calibration/cluster-members.js';
import { thisClusterOf } from '../calibration/cluster-plan.js';
import { loadHostSettings, saveLinks } from '../hosts/host-settings.js';
import type { HostsService } from '../hosts/hosts-service.js';
import { runHostsOf } from '../hosts/run-hosts.js';
import type { WorkerRuntime } from '../launch/worker-runtime.js';
import { enginePreset } from '../runs/train-config.js';

/** What the handlers need. */
export interface CalibrationHandlerDeps {
  db: Database.Database;
  workerPath: string;
  /** The Node.js that runs workers here and is shipped to SSH hosts without one (as for runs). */
  workerRuntime?: WorkerRuntime;
  hostId: string;
  version: string;
  /** One progress line and the host it is about (pushed as a `calibration` event). */
  emit: (line: string, hostId: string) => void;
  /** The saved SSH hosts (hosts.json, their discovery state, known_hosts): without it only this machine is calibrated. */
  hosts?: HostsService;
  /** Aborted when the app closes: a calibration in flight stops its workers and stores nothing. */
  signal?: AbortSignal;
  /** The hosts the app knows now (this machine, saved SSH hosts that answered, Slurm nodes) for "this cluster". */
  knownMembers?: () => Promise<ClusterMembers>;
  /** hosts.json, where the link probe keeps the measured links. */
  hostSettingsFile?: string;
}

/** The calibration part of the handler table; one calibration at a time. */
export function calibrationHandlers(deps: CalibrationHandlerDeps): Pick<ApiHandlers, 'calibrate' | 'getCalibration' | 'getCalibrations' | 'getThisCluster'> {
  const store = new CalibrationStore(deps.db);
  let running: Promise<unknown> | null = null;
  const stateOf = (hostId: string): CalibrationState => ({
    hostId,
    latest: store.latest(hostId),
    history: store.history(hostId).map((c) => ({ id: c.id as number, measuredAtMs: c.measuredAtMs, origin: c.origin })),
  });
  return {
    calibrate: async ({ model, hosts: chosen, reps, globalBatch }) => {
      const preset = enginePreset(model);
      const onlyHere = !chosen || (chosen.length === 1 && chosen[0] === LOCAL_HOST_ID);
      if (!onlyHere && !deps.hosts) throw new ShardScopeError('unavailable', 'this app has no saved hosts to calibrate: only this machine (local)');
      const runHosts = onlyHere || !deps.hosts ? null : runHostsOf(deps.hosts, chosen.map((id) => ({ id })));
      if (running) throw new ShardScopeError('unavailable', 'a calibration is already running');
      const common = { workerPath: deps.workerPath, workerRuntime: deps.workerRuntime, model: preset, globalBatch: globalBatch ?? defaultGlobalBatch, shardscopeVersion: deps.version, reps, signal: deps.signal };
      let work: Promise<CalibrateResult>;
      if (!runHosts || !deps.hosts) {
        work = measureHost({ ...common, hostId: deps.hostId, onProgress: (line) => deps.emit(line, deps.hostId) })
          .then((c) => ({ calibrations: [store.add(c)], links: [] }));
      } else {
        const service = deps.hosts;
        const ids = runHosts.map((h) => h.id);
        const progress = progressByHost(ids, deps.emit);
        work = calibrateHosts({ ...common, hosts: runHosts, knownHostsFile: service.knownHostsFiles, onProgress: progress.onLine })
          .catch((error: unknown) => { throw namingHost(error, ids, progress.current()); })
          .then((done) => {
            const calibrations: HostCalibration[] = done.calibrations.map((c) => store.add(c));
            if (done.links.length) saveLinks(service.settingsFile, done.links);
            return { calibrations, links: done.links };
          });
      }
      running = work;
      try {
        return await work;
      } finally {
        running = null;
      }
    },
    getCalibration: async () => stateOf(deps.hostId),
    getCalibrations: async () => {
      const here: KnownHostCalibration = { ...stateOf(deps.hostId), kind: 'local', reachable: 'ok', reachError: null };
      if (!deps.hosts) return { hosts: [here] };
      const state = deps.hosts.state();
      return {
        hosts: [here, ...state.hosts.map((h): KnownHostCalibration => {
          const status = state.statuses.find((s) => s.hostId === h.id);
          const error = status?.inventory.error;
          return {
            ...stateOf(h.id), kind: 'ssh', reachable: status?.state ?? 'unchecked',
            reachError: status?.state === 'error' ? (error ? `${error.kind}: ${error.message}` : 'did not answer') : null,
          };
        })],
      };
    },
    getThisCluster: async (request) => {
      const found = deps.knownMembers ? await deps.knownMembers() : { members: [], leftOut: [] };
      const links = deps.hostSettingsFile ? loadHostSettings(deps.hostSettingsFile).links : [];
      return thisClusterOf(found.members, found.leftOut, { links, calibrationOf: (id) => store.latest(id), nowMs: Date.now() }, request);
    },
  };
}

/**
 * calibrateHosts measures one host after the other and each host's lines start with its id (`cpu-host: …`,
 * `local <-> cpu-host: …`); the lines in between (a worker's own) belong to the host named last.
 */
function progressByHost(ids: readonly string[], emit: (line: string, hostId: string) => void): { onLine: (line: string) => void; current: () => string } {
  let current = ids[0];
  return {
    onLine: (line) => {
      const text = line.trimStart();
      const named = ids.find((id) => text.startsWith(`${id}: `) || text.startsWith(`${id} <-> `));
      if (named) current = named;
      emit(line, current);
    },
    current: () => current,
  };
}

/** An expected failure as one line that names a host: SSH errors already do; others are said of the host being measured. */
function namingHost(error: unknown, ids: readonly string[], current: string): unknown {
  if (!(error instanceof ShardScopeError)) return error; // a bug: kept as it is (logged with its stack)
  const failure = error;
  const line = failure.message.split('\n').find((l) => l.trim() !== '') ?? failure.message;
  if (ids.some((id) => line.includes(id)) && line === failure.message) return failure;
  return new ShardScopeError(failure.kind, ids.some((id) => line.includes(id)) ? line : `${current}: ${line}`, failure.details);
}
