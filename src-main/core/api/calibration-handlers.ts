/** Main-side handlers of the calibration calls: measure this host (progress pushed as `calibration` events), read its calibrations, "this cluster" for the Planner. */
import type Database from 'better-sqlite3';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { defaultGlobalBatch } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { CalibrationStore } from '../calibration/calibration-store.js';
import { measureHost } from '../calibration/measure-host.js';
import type { ClusterMembers } from '../calibration/cluster-members.js';
import { thisClusterOf } from '../calibration/cluster-plan.js';
import { loadHostSettings } from '../hosts/host-settings.js';
import { enginePreset } from '../runs/train-config.js';

/** What the handlers need. */
export interface CalibrationHandlerDeps {
  db: Database.Database;
  workerPath: string;
  hostId: string;
  version: string;
  emit: (line: string) => void;
  /** The hosts the app knows now (this machine, saved SSH hosts that answered, Slurm nodes) for "this cluster". */
  knownMembers?: () => Promise<ClusterMembers>;
  /** hosts.json, where the link probe keeps the measured links. */
  hostSettingsFile?: string;
}

/** The calibration part of the handler table; one calibration at a time. */
export function calibrationHandlers(deps: CalibrationHandlerDeps): Pick<ApiHandlers, 'calibrate' | 'getCalibration' | 'getThisCluster'> {
  const store = new CalibrationStore(deps.db);
  let running: Promise<unknown> | null = null;
  return {
    calibrate: async ({ model }) => {
      const preset = enginePreset(model);
      if (running) throw new ShardScopeError('unavailable', 'a calibration is already running on this host');
      const work = measureHost({ workerPath: deps.workerPath, hostId: deps.hostId, model: preset, globalBatch: defaultGlobalBatch, shardscopeVersion: deps.version, onProgress: deps.emit });
      running = work;
      try {
        return store.add(await work);
      } finally {
        running = null;
      }
    },
    getCalibration: async () => ({
      hostId: deps.hostId,
      latest: store.latest(deps.hostId),
      history: store.history(deps.hostId).map((c) => ({ id: c.id as number, measuredAtMs: c.measuredAtMs, origin: c.origin })),
    }),
    getThisCluster: async (request) => {
      const found = deps.knownMembers ? await deps.knownMembers() : { members: [], leftOut: [] };
      const links = deps.hostSettingsFile ? loadHostSettings(deps.hostSettingsFile).links : [];
      return thisClusterOf(found.members, found.leftOut, { links, calibrationOf: (id) => store.latest(id), nowMs: Date.now() }, request);
    },
  };
}
