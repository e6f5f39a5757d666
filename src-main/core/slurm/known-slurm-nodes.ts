/**
 * The Slurm nodes ShardScope knows: every discovery of a cluster (`discover --slurm`, the app's
 * "Add Slurm cluster") is kept in `$SHARDSCOPE_HOME/slurm-clusters.json`, one entry per login host
 * with its nodes as hosts (partitions, state, reason, GPUs from gres or nvidia-smi) and when they
 * were discovered. The planner's `--cluster known` and the app's Cluster view read them back; a
 * node's state is as of its discovery, which each entry says.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { HostInventory } from '../../../src-shared/inventory.js';
import type { SlurmDiscoveryResult } from '../../../src-shared/api/slurm-contract.js';
import type { SlurmClusterInfo, SlurmNode, SlurmPartition } from '../../../src-shared/slurm.js';

/** A known Slurm node: the node as a host (its `slurm` field holds login host, partitions, state, reason) and where that comes from. */
export interface KnownSlurmNode {
  host: HostInventory & { slurm: NonNullable<HostInventory['slurm']> };
  loginHost: string;
  partitions: string[];
  state: string;
  isAvailable: boolean;
  /** GPUs the node has (from gres: type and count only, unless nvidia-smi was probed). */
  gpuCount: number;
  discoveredAtMs: number;
  /** e.g. `Slurm node of local, discovered 2026-12-03T08:00:00.000Z (GPUs from gres: type and count only)`. */
  source: string;
}

const slurmHostSchema = z.object({
  id: z.string().min(1),
  gpus: z.array(z.object({}).passthrough()),
  discoveredAtMs: z.number(),
  slurm: z.object({ loginHost: z.string(), partitions: z.array(z.string()), state: z.string(), reason: z.string().nullable(), isAvailable: z.boolean() }),
}).passthrough();

const clusterSchema = z.object({
  loginHost: z.string().min(1),
  clusterName: z.string().nullable(),
  discoveredAtMs: z.number(),
  partitions: z.array(z.object({ name: z.string() }).passthrough()),
  nodes: z.array(z.object({ name: z.string() }).passthrough()),
  hosts: z.array(slurmHostSchema),
}).strict();

const fileSchema = z.object({ version: z.literal(1), clusters: z.array(clusterSchema) }).strict();

type KnownFile = z.infer<typeof fileSchema>;

/** `$SHARDSCOPE_HOME/slurm-clusters.json`, else `~/.shardscope/slurm-clusters.json`. */
export function slurmClustersPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.SHARDSCOPE_HOME || join(env.HOME || homedir(), '.shardscope'), 'slurm-clusters.json');
}

function load(file: string): KnownFile {
  if (!existsSync(file)) return { version: 1, clusters: [] };
  const parsed = fileSchema.safeParse((() => { try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return null; } })());
  if (!parsed.success) throw new ShardScopeError('bad-input', `${file} is not a valid Slurm clusters file; fix or delete it`);
  return parsed.data;
}

/**
 * Keeps a discovery: the cluster's nodes replace the ones known of that login host with the same
 * name (a discovery of one partition leaves the other nodes as they were). Written atomically.
 */
export function rememberSlurmDiscovery(file: string, cluster: SlurmClusterInfo, hosts: HostInventory[]): void {
  const known = load(file);
  const previous = known.clusters.find((c) => c.loginHost === cluster.loginHost);
  const fresh = hosts.filter((h) => h.slurm);
  const kept = (previous?.hosts ?? []).filter((h) => !fresh.some((n) => n.id === h.id));
  const keptNodes = (previous?.nodes ?? []).filter((n) => !cluster.nodes.some((f) => f.name === n.name));
  type Entry = KnownFile['clusters'][number];
  const entry: Entry = {
    loginHost: cluster.loginHost, clusterName: cluster.clusterName, discoveredAtMs: cluster.discoveredAtMs,
    partitions: cluster.partitions as unknown as Entry['partitions'], nodes: [...keptNodes, ...cluster.nodes as unknown as Entry['nodes']], hosts: [...kept, ...fresh] as Entry['hosts'],
  };
  const next: KnownFile = { version: 1, clusters: [...known.clusters.filter((c) => c.loginHost !== cluster.loginHost), entry] };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Every known cluster as its last discoveries left it (partitions of the latest, nodes merged), e.g. for the app's list of clusters. */
export function knownSlurmClusters(file: string = slurmClustersPath()): SlurmDiscoveryResult[] {
  return load(file).clusters.map((c) => ({
    slurm: { loginHost: c.loginHost, clusterName: c.clusterName, partitions: c.partitions as unknown as SlurmPartition[], nodes: c.nodes as unknown as SlurmNode[], discoveredAtMs: c.discoveredAtMs },
    hosts: c.hosts as unknown as HostInventory[],
  }));
}

/** Every known Slurm node, of every cluster (optionally one login host), each with its partition, state and GPUs as last discovered. */
export function knownSlurmNodes(file: string = slurmClustersPath(), loginHost?: string): KnownSlurmNode[] {
  return load(file).clusters.filter((c) => !loginHost || c.loginHost === loginHost).flatMap((c) => c.hosts.map((raw) => {
    const host = raw as unknown as KnownSlurmNode['host'];
    return {
      host, loginHost: c.loginHost, partitions: host.slurm.partitions, state: host.slurm.state, isAvailable: host.slurm.isAvailable,
      gpuCount: host.gpus.length, discoveredAtMs: host.discoveredAtMs,
      source: `Slurm node of ${c.loginHost}, discovered ${new Date(host.discoveredAtMs).toISOString()} (GPUs from ${host.gpus.some((g) => g.memoryTotalBytes > 0) ? 'nvidia-smi' : 'gres: type and count only'})`,
    };
  }));
}
