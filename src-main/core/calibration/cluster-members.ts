/**
 * The hosts of "this cluster", discovered now: `local` (this machine), a hosts FILE (as `run --hosts`
 * takes: this machine and SSH hosts, with their slots), or `known` — what the app knows: this machine,
 * the SSH hosts saved in hosts.json (discovered again over SSH, host keys checked) and the Slurm
 * nodes discovered before (slurm-clusters.json) or kept in the store (the inventory of a Slurm run).
 * Each member says where it came from.
 */
import type Database from 'better-sqlite3';
import type { HostInventory } from '../../../src-shared/inventory.js';
import { ShardScopeError, type ErrorKind } from '../../../src-shared/errors.js';
import { loadHostSettings, targetOfSaved } from '../hosts/host-settings.js';
import { discoverLocalHost } from '../inventory/discover-local.js';
import { discoverRemoteHost } from '../inventory/remote-discovery.js';
import type { RunHost } from '../launch/remote-placement.js';
import { INVENTORY_EVENT } from '../report/report-inventory.js';
import { knownSlurmNodes, slurmClustersPath } from '../slurm/known-slurm-nodes.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';

/** One host of the cluster: what discovery found, how many ranks it takes, and where it came from. */
export interface ClusterMember {
  inventory: HostInventory;
  /** Ranks of the built-in engine it takes on CPUs (a hosts file's slots; else its logical cores). */
  slots: number;
  source: string;
}

/** The cluster's members and the hosts left out (with why). */
export interface ClusterMembers {
  members: ClusterMember[];
  leftOut: string[];
}

/** How to discover. */
export interface ClusterDiscoveryOptions {
  knownHostsFile: KnownHostsFiles;
  nvidiaSmiPath?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** A host discovery could not reach at all (failedHost: no CPU found), as opposed to one whose nvidia-smi failed. */
function isUnreached(host: HostInventory): boolean {
  return host.status === 'error' && host.cpu.logicalCores === 0;
}

function localMember(host: HostInventory, slots: number | null, source: string): ClusterMember {
  return { inventory: host, slots: slots ?? Math.max(1, host.cpu.logicalCores), source };
}

/** A hosts file's hosts; one that cannot be discovered is an error naming it (the file asked for it). */
export async function membersOfHostsFile(hosts: RunHost[], file: string, options: ClusterDiscoveryOptions): Promise<ClusterMembers> {
  const members = await Promise.all(hosts.map(async (h): Promise<ClusterMember> => {
    if (h.kind === 'local') return localMember(await discoverLocalHost({ nvidiaSmiPath: options.nvidiaSmiPath, env: options.env, signal: options.signal }), h.devices.length, `this machine (${file})`);
    const found = await discoverRemoteHost(h.target, { knownHostsFile: options.knownHostsFile, signal: options.signal, runtime: { node: h.node, python: h.python } });
    if (isUnreached(found)) {
      throw new ShardScopeError((found.error?.kind ?? 'ssh-unreachable') as ErrorKind, `host ${h.id} of ${file} could not be discovered: ${found.error?.message ?? 'unknown error'}`);
    }
    return { inventory: found, slots: h.devices.length, source: `SSH host ${h.target.user}@${h.target.host}:${h.target.port} (${file})` };
  }));
  return { members, leftOut: [] };
}

/** The Slurm nodes kept in the store: the newest recorded inventory of each node (the inventory events of Slurm runs). */
export function storedSlurmNodes(db: Database.Database): Array<{ host: HostInventory; recordedAtMs: number; runId: string }> {
  const hasEvents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
  if (!hasEvents) return [];
  const rows = db.prepare('SELECT run, timestamp_ms AS timestampMs, data_json FROM events WHERE type = ? ORDER BY timestamp_ms DESC, id DESC LIMIT 500').all(INVENTORY_EVENT) as Array<{ run: string; timestampMs: number; data_json: string }>;
  const seen = new Map<string, { host: HostInventory; recordedAtMs: number; runId: string }>();
  for (const row of rows) {
    let hosts: HostInventory[] = [];
    try { hosts = (JSON.parse(row.data_json) as { hosts?: HostInventory[] }).hosts ?? []; } catch { continue; }
    for (const host of hosts) {
      if (!host.slurm) continue;
      const key = `${host.slurm.loginHost}\0${host.id}`;
      if (!seen.has(key)) seen.set(key, { host, recordedAtMs: row.timestampMs, runId: row.run });
    }
  }
  return [...seen.values()];
}

/** What the app knows: this machine, the saved SSH hosts (unreachable ones left out, said), the stored Slurm nodes. */
export async function knownMembers(hostSettingsFile: string, db: Database.Database | null, options: ClusterDiscoveryOptions, slurmClustersFile: string = slurmClustersPath(options.env)): Promise<ClusterMembers> {
  const leftOut: string[] = [];
  const local = localMember(await discoverLocalHost({ nvidiaSmiPath: options.nvidiaSmiPath, env: options.env, signal: options.signal }), null, 'this machine');
  const saved = loadHostSettings(hostSettingsFile).hosts;
  const remote = await Promise.all(saved.map(async (s): Promise<ClusterMember | null> => {
    const found = await discoverRemoteHost(targetOfSaved(s), { knownHostsFile: options.knownHostsFile, signal: options.signal, runtime: { node: s.node, python: s.python } });
    if (isUnreached(found)) {
      leftOut.push(`${s.id}: not reached (${found.error?.message ?? 'unknown error'})`);
      return null;
    }
    return localMember(found, null, `saved SSH host ${s.user}@${s.host}:${s.port} (${hostSettingsFile})`);
  }));
  // Slurm nodes: as discovered (slurm-clusters.json), then any only a Slurm run's inventory in the store knows
  const discovered = knownSlurmNodes(slurmClustersFile).map((n) => ({ host: n.host as HostInventory, source: n.source }));
  const recorded = (db ? storedSlurmNodes(db) : []).filter(({ host }) => !discovered.some((d) => d.host.id === host.id && d.host.slurm?.loginHost === host.slurm?.loginHost))
    .map(({ host, recordedAtMs, runId }) => ({ host, source: `Slurm node of ${host.slurm?.loginHost} as recorded by run ${runId} at ${new Date(recordedAtMs).toISOString()}` }));
  const slurmMembers = [...discovered, ...recorded].filter(({ host }) => {
    if (host.slurm?.isAvailable === false) leftOut.push(`${host.id}: Slurm node ${host.slurm.state}${host.slurm.reason ? ` (${host.slurm.reason})` : ''}`);
    return host.slurm?.isAvailable !== false;
  }).map(({ host, source }) => localMember(host, null, source));
  const members = [local, ...remote.filter((m): m is ClusterMember => m !== null), ...slurmMembers];
  const ids = new Set<string>();
  return { members: members.filter((m) => (ids.has(m.inventory.id) ? false : (ids.add(m.inventory.id), true))), leftOut };
}

/** `local` as a cluster of one member. */
export async function localMembers(options: ClusterDiscoveryOptions): Promise<ClusterMembers> {
  return { members: [localMember(await discoverLocalHost({ nvidiaSmiPath: options.nvidiaSmiPath, env: options.env, signal: options.signal }), null, 'this machine')], leftOut: [] };
}

/**
 * The app's known hosts, as its inventory already holds them (no new discovery): this machine, the saved
 * SSH hosts that answered their last discovery, the Slurm nodes discovered this session and those in the store.
 */
export function appClusterMembers(local: HostInventory[], statuses: ReadonlyArray<{ hostId: string; state: 'ok' | 'error'; inventory: HostInventory }>, sessionSlurmNodes: HostInventory[], db: Database.Database): ClusterMembers {
  const leftOut: string[] = [];
  const members: ClusterMember[] = local.map((h) => localMember(h, null, 'this machine'));
  for (const s of statuses) {
    if (s.state === 'ok' && !isUnreached(s.inventory)) members.push(localMember({ ...s.inventory, id: s.hostId }, null, `saved SSH host ${s.hostId} (last discovery ${new Date(s.inventory.discoveredAtMs).toISOString()})`));
    else leftOut.push(`${s.hostId}: ${s.inventory.error?.message ?? 'not reached at its last discovery'}`);
  }
  const slurm = [...sessionSlurmNodes.map((host) => ({ host, source: `Slurm node of ${host.slurm?.loginHost} (discovered this session)` })),
    ...storedSlurmNodes(db).map(({ host, recordedAtMs, runId }) => ({ host, source: `Slurm node of ${host.slurm?.loginHost} as recorded by run ${runId} at ${new Date(recordedAtMs).toISOString()}` }))];
  for (const { host, source } of slurm) {
    if (members.some((m) => m.inventory.id === host.id)) continue;
    if (host.slurm?.isAvailable === false) leftOut.push(`${host.id}: Slurm node ${host.slurm.state}${host.slurm.reason ? ` (${host.slurm.reason})` : ''}`);
    else members.push(localMember(host, null, source));
  }
  return { members, leftOut };
}
