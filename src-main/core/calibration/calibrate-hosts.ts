/**
 * `calibrate --hosts FILE`: calibrates every host of a hosts file, one after the other (so no host's
 * figures are taken while another host loads a shared link or core): this machine as `calibrate`
 * does, SSH hosts through the runtime a run ships there (worker bundle and Node.js, remote-launch.ts),
 * then, for every pair of hosts, our collectives with one rank on each (the `cross-host` figures
 * predictions of groups that span hosts read) and the link probe (latency and bandwidth, kept in hosts.json).
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { CollectiveTiming, HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { ModelConfig } from '../../../src-shared/engine-config.js';
import { prepareRun, type PreparedRun } from '../launch/remote-launch.js';
import type { RunHost } from '../launch/remote-placement.js';
import type { WorkerRuntime } from '../launch/worker-runtime.js';
import { probeLinks, type LinkMeasurement } from '../probe/link-probe.js';
import { workerBundleOf } from '../ssh/deploy.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';
import { measureHost, runWorker } from './measure-host.js';
import { measureTorch, torchCalibrationFiles, torchCalibrationScriptPath } from './measure-torch.js';

/** What to calibrate and how. */
export interface CalibrateHostsOptions {
  hosts: RunHost[];
  knownHostsFile: KnownHostsFiles;
  workerPath: string;
  workerRuntime?: WorkerRuntime;
  model: ModelConfig;
  globalBatch: number;
  shardscopeVersion: string;
  reps?: number;
  /** Seconds of the link probe per pair (default 2). */
  linkSeconds?: number;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Every host's calibration (cross-host figures included) and the measured links. */
export interface CalibratedHosts {
  calibrations: HostCalibration[];
  links: LinkMeasurement[];
}

/** Measures the hosts; the caller stores the calibrations and the links. */
export async function calibrateHosts(options: CalibrateHostsOptions): Promise<CalibratedHosts> {
  const say = (line: string) => options.onProgress?.(line);
  const hosts = options.hosts.map((h) => ({ ...h, devices: [h.devices[0]] }));
  say(`connecting to ${hosts.filter((h) => h.kind === 'remote').map((h) => h.id).join(', ') || 'no remote host'} and shipping the worker runtime`);
  const prepared = await prepareRun({
    hosts, worldSize: hosts.length, bundle: workerBundleOf(dirname(options.workerPath)), knownHostsFile: options.knownHostsFile,
    shippableNodePath: options.workerRuntime?.shippableNodePath, signal: options.signal,
  });
  try {
    const calibrations: HostCalibration[] = [];
    const torchScripts = await prepared.deployFiles(torchCalibrationFiles(), options.signal);
    for (const host of hosts) {
      const isRemote = host.kind === 'remote';
      const torch = isRemote ? { measureTorch: () => measureTorch({
        hostId: host.id, model: options.model, globalBatch: options.globalBatch, reps: options.reps, onProgress: options.onProgress, signal: options.signal,
        spawner: prepared.spawners[host.id], python: host.python, scriptPath: torchScripts[host.id][torchCalibrationScriptPath()],
      }) } : {};
      calibrations.push(await measureHost({
        workerPath: options.workerPath, workerRuntime: options.workerRuntime, hostId: host.id, model: options.model, globalBatch: options.globalBatch,
        shardscopeVersion: options.shardscopeVersion, onProgress: options.onProgress, signal: options.signal, reps: options.reps,
        env: isRemote ? undefined : options.env, spawner: prepared.spawners[host.id], freePort: () => prepared.freePort(host.id, options.signal),
        ...torch,
      }));
    }
    const crossHost = new Map<string, Array<{ peer: string; timings: CollectiveTiming[] }>>();
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        const [a, b] = [hosts[i].id, hosts[j].id];
        say(`${a} <-> ${b}: collectives with one rank on each host, against message size`);
        const timings = await crossHostCollectives(prepared, a, b, options);
        for (const [self, peer] of [[a, b], [b, a]]) crossHost.set(self, [...(crossHost.get(self) ?? []), { peer, timings }]);
      }
    }
    let links: LinkMeasurement[] = [];
    if (hosts.length > 1) {
      say(`link probe between every pair of ${hosts.map((h) => h.id).join(', ')}`);
      links = await probeLinks(prepared, { workerPath: options.workerPath, workerRuntime: options.workerRuntime, seconds: options.linkSeconds, signal: options.signal });
    }
    return { calibrations: calibrations.map((c) => withCrossHost(c, crossHost.get(c.hostId) ?? [])), links };
  } finally {
    prepared.close();
  }
}

/** calibrate-collective-rank with rank 0 on `a` (the rendezvous) and rank 1 on `b`. */
async function crossHostCollectives(prepared: PreparedRun, a: string, b: string, options: CalibrateHostsOptions): Promise<CollectiveTiming[]> {
  const port = await prepared.freePort(a, options.signal);
  const secret = randomBytes(24).toString('hex');
  const outs = await Promise.all([a, b].map((hostId, rank) => runWorker(
    { workerPath: options.workerPath, workerRuntime: options.workerRuntime, spawner: prepared.spawners[hostId], hostId, signal: options.signal, onProgress: options.onProgress, env: prepared.spawners[hostId] ? undefined : options.env },
    ['calibrate-collective-rank', '--rank', String(rank), '--world', '2', '--master-addr', prepared.addresses[a], '--master-port', String(port), '--reps', String(options.reps ?? 5)],
    { SHARDSCOPE_RUN_SECRET: secret }, rank,
  )));
  return outs[0].trim().split('\n').filter(Boolean).map((line) => ({ ...(JSON.parse(line) as Omit<CollectiveTiming, 'scope'>), scope: 'cross-host' as const }));
}

/**
 * A host's calibration with its cross-host figures: with one peer, that pair's; with several, per op
 * and size the slowest pair's (a group spanning hosts moves at its slowest link), the peers named.
 */
export function withCrossHost(calibration: HostCalibration, pairs: Array<{ peer: string; timings: CollectiveTiming[] }>): HostCalibration {
  if (pairs.length === 0) return calibration;
  const slowest = new Map<string, CollectiveTiming>();
  for (const { timings } of pairs) {
    for (const t of timings) {
      const key = `${t.op}:${t.groupSize}:${t.bytes}`;
      if ((slowest.get(key)?.seconds ?? -1) < t.seconds) slowest.set(key, t);
    }
  }
  const peers = pairs.map((p) => p.peer);
  return {
    ...calibration,
    collectives: [...calibration.collectives.filter((c) => c.scope !== 'cross-host'), ...slowest.values()],
    crossHostPeers: peers,
    missing: calibration.missing.filter((m) => !m.startsWith('collectives across hosts')),
  };
}
