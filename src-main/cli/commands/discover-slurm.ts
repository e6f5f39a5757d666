/**
 * `shardscope discover --slurm local|HOST [--partition P] [--probe-gpus] [--json] [--identity FILE] [--known-hosts FILE]`:
 * a Slurm cluster's partitions and nodes from its login host; each node one entry in `hosts` (id = node name).
 */
import { existsSync } from 'node:fs';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { rememberSlurmDiscovery, slurmClustersPath } from '../../core/slurm/known-slurm-nodes.js';
import { discoverSlurmCluster } from '../../core/slurm/slurm-discover.js';
import { openSlurmLogin } from '../../core/slurm/slurm-login.js';
import { parseFlags } from '../args.js';
import { printJson, printLine, type CliCommand } from '../io.js';

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** True when `discover` was asked about a Slurm cluster. */
export function isSlurmDiscover(args: string[]): boolean {
  return args.some((a) => a === '--slurm' || a.startsWith('--slurm='));
}

/** The `discover --slurm` command. */
export const discoverSlurmCommand: CliCommand = async (args, io) => {
  const { values } = parseFlags(args, {
    slurm: { type: 'string' }, partition: { type: 'string' }, 'probe-gpus': { type: 'boolean' }, json: { type: 'boolean' },
    identity: { type: 'string', multiple: true }, 'known-hosts': { type: 'string' },
  });
  if (!values.slurm) throw new ShardScopeError('bad-input', '--slurm needs local or the login host ([user@]host[:port])');
  const missingIdentity = values.identity?.find((file) => !existsSync(file));
  if (missingIdentity) throw new ShardScopeError('bad-input', `--identity: no such file ${missingIdentity}`);
  const shell = await openSlurmLogin(values.slurm, { env: io.env, identityFiles: values.identity, knownHostsFile: values['known-hosts'], signal: io.signal });
  try {
    const { cluster, hosts } = await discoverSlurmCluster(shell, { partition: values.partition, probeGpus: values['probe-gpus'], signal: io.signal });
    // Known from now on (plan --cluster known, the app's Cluster view), with the time of this discovery.
    rememberSlurmDiscovery(slurmClustersPath(io.env), cluster, hosts);
    if (values.json) {
      printJson(io, { slurm: cluster, hosts });
      return 0;
    }
    printLine(io, `slurm cluster ${cluster.clusterName ?? '(unnamed)'} via ${cluster.loginHost}`);
    for (const p of cluster.partitions) printLine(io, `  partition ${p.name}${p.isDefault ? ' (default)' : ''}: ${p.state}, ${p.totalNodes} nodes ${p.nodes}, max time ${p.maxTime}`);
    for (const host of hosts) {
      const s = host.slurm!;
      printLine(io, `  node ${host.id} [${s.partitions.join(',')}] ${s.state}${s.reason ? ` (${s.reason})` : ''}: ${host.cpu.logicalCores} cpus, ${gib(host.memoryBytes)}`);
      const gpus = host.gpus.map((g) => `${g.name}${g.memoryTotalBytes ? ` ${gib(g.memoryTotalBytes)}` : ''}`);
      printLine(io, `    gpus: ${gpus.length ? gpus.join(', ') : 'none'}${host.gpuNote ? ` (${host.gpuNote})` : ''}`);
    }
    return 0;
  } finally {
    shell.close();
  }
};
