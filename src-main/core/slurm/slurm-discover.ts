/**
 * Discovery of a Slurm cluster from its login host: partitions and nodes (`scontrol -o show
 * partition|node`), GPUs from each node's gres, and, with `probeGpus`, `nvidia-smi -q -x` run on
 * each available node in a short job step (`srun --immediate`) for models and memory. Nodes become
 * hosts (id = node name) with their partitions and state.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { GpuInfo, HostInventory } from '../../../src-shared/inventory.js';
import type { SlurmClusterInfo, SlurmNode } from '../../../src-shared/slurm.js';
import { buildDevices } from '../inventory/devices.js';
import { parseNvidiaSmiXml } from '../inventory/smi-xml-parse.js';
import { parseNode, parsePartition, parseScontrolRecords } from './slurm-parse.js';
import { runChecked, type SlurmShell } from './slurm-shell.js';

/** What to discover. */
export interface SlurmDiscoverOptions {
  /** Only nodes of this partition. */
  partition?: string;
  /** Run nvidia-smi on each available node inside a short job step. */
  probeGpus?: boolean;
  signal?: AbortSignal;
}

/** A discovered cluster and its nodes as hosts. */
export interface SlurmDiscovery {
  cluster: SlurmClusterInfo;
  hosts: HostInventory[];
}

/** Partitions and nodes of the cluster behind `shell`. */
export async function discoverSlurmCluster(shell: SlurmShell, options: SlurmDiscoverOptions = {}): Promise<SlurmDiscovery> {
  const { signal } = options;
  const partitions = parseScontrolRecords(await runChecked(shell, ['scontrol', '-o', 'show', 'partition'], { signal })).map(parsePartition);
  if (options.partition && !partitions.some((p) => p.name === options.partition)) {
    throw new ShardScopeError('bad-input', `--partition: no partition "${options.partition}" on ${shell.loginHost} (partitions: ${partitions.map((p) => p.name).join(', ') || 'none'})`);
  }
  const allNodes = parseScontrolRecords(await runChecked(shell, ['scontrol', '-o', 'show', 'node'], { signal })).map(parseNode);
  const nodes = options.partition ? allNodes.filter((n) => n.partitions.includes(options.partition!)) : allNodes;
  const config = await shell.run(['scontrol', 'show', 'config'], { signal });
  const clusterName = /^ClusterName\s*=\s*(\S+)/m.exec(config.stdout)?.[1] ?? null;
  const cluster: SlurmClusterInfo = { loginHost: shell.loginHost, clusterName, partitions, nodes, discoveredAtMs: Date.now() };
  const hosts: HostInventory[] = [];
  for (const node of nodes) {
    const probed = !options.probeGpus ? null : node.isAvailable ? await probeNodeGpus(shell, node, options.partition, signal) : { note: `not probed: the node is ${node.state}` };
    hosts.push(nodeHost(shell.loginHost, node, probed));
  }
  return { cluster, hosts };
}

/** `nvidia-smi -q -x` on one node in a short job step; a busy or failing node gives a note, not an error. */
async function probeNodeGpus(shell: SlurmShell, node: SlurmNode, partition: string | undefined, signal?: AbortSignal): Promise<{ gpus: GpuInfo[] } | { note: string }> {
  const gpuCount = node.gpus.reduce((sum, g) => sum + g.count, 0);
  const argv = [
    'srun', '--job-name=shardscope-probe', `--nodelist=${node.name}`, '--nodes=1', '--ntasks=1', '--immediate=10', '--time=1', '--quiet',
    ...(partition ? [`--partition=${partition}`] : []), ...(gpuCount > 0 ? [`--gres=gpu:${gpuCount}`] : []), 'nvidia-smi', '-q', '-x',
  ];
  const result = await shell.run(argv, { signal, timeoutMs: 60_000 });
  if (result.code !== 0) return { note: `nvidia-smi in a job step on ${node.name} failed: ${(result.stderr.trim() || `exit code ${result.code}`).split('\n').pop()}` };
  try {
    return { gpus: parseNvidiaSmiXml(result.stdout).gpus };
  } catch (error) {
    return { note: `nvidia-smi on ${node.name}: ${(error as Error).message}` };
  }
}

/** Gres-only GPUs: type and count are all Slurm knows; memory stays 0 and the note says so. */
function gresGpus(node: SlurmNode): GpuInfo[] {
  return node.gpus.flatMap((g) => Array.from({ length: g.count }, () => g.type ?? 'gpu')).map((type, index) => ({
    index, name: type, uuid: '', pciBusId: '', memoryTotalBytes: 0, memoryUsedBytes: 0, powerLimitWatts: null, powerDrawWatts: null,
    pcieGeneration: null, pcieWidth: null, driverVersion: '', cudaVersion: null, migMode: 'unsupported' as const, processes: [],
  }));
}

/** A node as a host of the cluster model. */
export function nodeHost(loginHost: string, node: SlurmNode, probed: { gpus: GpuInfo[] } | { note: string } | null): HostInventory {
  const gpus = probed && 'gpus' in probed ? probed.gpus : gresGpus(node);
  const source = probed && 'gpus' in probed ? null : `from Slurm gres (type and count only)${probed && 'note' in probed ? `; ${probed.note}` : '; --probe-gpus runs nvidia-smi on the node for models and memory'}`;
  const [platform, release] = (node.os ?? 'Linux').split(' ');
  return {
    id: node.name, hostname: node.hostname, isLocal: false, status: 'ok',
    os: { platform: platform.toLowerCase(), distro: platform, release: release ?? '', arch: node.arch ?? '' },
    cpu: { model: 'unknown (Slurm reports counts only)', physicalCores: node.cpus, logicalCores: node.cpus },
    memoryBytes: node.memoryBytes, nics: [], gpus, topology: null,
    devices: buildDevices(gpus, null, { model: 'cpu', memoryBytes: node.memoryBytes }),
    ...(gpus.length === 0 ? { gpuNote: 'no gpu gres on this node' } : source ? { gpuNote: `GPUs ${source}` } : {}),
    discoveredAtMs: Date.now(),
    slurm: { loginHost, partitions: node.partitions, state: node.state, reason: node.reason, isAvailable: node.isAvailable },
  };
}
