/** `shardscope discover --slurm local` against a real two-node Slurm cluster started for this file. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownSlurmNodes, slurmClustersPath } from '../../src-main/core/slurm/known-slurm-nodes.js';
import { slurmUnavailableReason, startSlurmCluster, type SlurmCluster } from '../support/slurm-cluster/index.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
const skip = slurmUnavailableReason() ?? false;
let cluster: SlurmCluster;
const home = mkdtempSync(join(tmpdir(), 'ss-slurm-home-'));

before(async () => { if (!skip) cluster = await startSlurmCluster(); });
after(async () => { await cluster?.stop(); });

function shardscope(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...cluster.env, SHARDSCOPE_HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Host { id: string; gpus: Array<{ name: string; memoryTotalBytes: number }>; devices: Array<{ kind: string }>; gpuNote?: string; slurm: { partitions: string[]; state: string; reason: string | null; isAvailable: boolean } }

test('two nodes with two gres GPUs each, as hosts with their partition and state', { skip }, async () => {
  const { code, stdout, stderr } = await shardscope(['discover', '--slurm', 'local', '--json']);
  assert.equal(code, 0, stderr);
  const found = JSON.parse(stdout) as { slurm: { partitions: Array<{ name: string; isDefault: boolean; totalNodes: number }> }; hosts: Host[] };
  assert.deepEqual(found.slurm.partitions.map((p) => [p.name, p.isDefault, p.totalNodes]), [['gpu', true, 2]]);
  assert.deepEqual(found.hosts.map((h) => h.id), ['node1', 'node2']);
  for (const host of found.hosts) {
    assert.deepEqual(host.gpus.map((g) => g.name), ['rtx2080', 'rtx2080'], `${host.id}: gres type and count`);
    assert.equal(host.devices.filter((d) => d.kind === 'gpu').length, 2);
    assert.match(host.gpuNote ?? '', /gres \(type and count only\)/, 'memory is not invented: the note says what is known');
    assert.deepEqual([host.slurm.partitions, host.slurm.state, host.slurm.isAvailable], [['gpu'], 'idle', true]);
  }
  // Known from now on (the planner's `--cluster known`, the app's Cluster view): each node with its partition, state and GPUs.
  const known = knownSlurmNodes(slurmClustersPath({ SHARDSCOPE_HOME: home }));
  assert.deepEqual(known.map((n) => [n.host.id, n.loginHost, n.partitions, n.state, n.isAvailable, n.gpuCount]), [
    ['node1', 'local', ['gpu'], 'idle', true, 2], ['node2', 'local', ['gpu'], 'idle', true, 2],
  ]);
  assert.match(known[0].source, /^Slurm node of local, discovered \d{4}-\d\d-\d\dT.*\(GPUs from gres: type and count only\)$/);
});

test('--probe-gpus fills in models and memory from nvidia-smi run on each node in a job step; a drained node is shown with its reason and not probed', { skip }, async () => {
  cluster.slurm('scontrol', ['update', 'nodename=node2', 'state=drain', 'reason=fan failure']);
  try {
    const { code, stdout, stderr } = await shardscope(['discover', '--slurm', 'local', '--partition', 'gpu', '--probe-gpus', '--json']);
    assert.equal(code, 0, stderr);
    const hosts = (JSON.parse(stdout) as { hosts: Host[] }).hosts;
    const [node1, node2] = hosts;
    assert.deepEqual(node1.gpus.map((g) => g.name), ['NVIDIA GeForce RTX 2080', 'NVIDIA GeForce RTX 2080']);
    assert.ok(node1.gpus.every((g) => g.memoryTotalBytes > 7e9), 'memory from the recorded nvidia-smi output');
    assert.equal(node1.gpuNote, undefined);
    assert.deepEqual([node2.slurm.state, node2.slurm.reason, node2.slurm.isAvailable], ['idle+drain', 'fan failure', false]);
    assert.match(node2.gpuNote ?? '', /not probed: the node is idle\+drain/);
    // The known nodes follow the latest discovery: the drained node says so, the probed one has its models.
    const known = knownSlurmNodes(slurmClustersPath({ SHARDSCOPE_HOME: home }));
    assert.deepEqual(known.map((n) => [n.host.id, n.state, n.isAvailable]), [['node1', 'idle', true], ['node2', 'idle+drain', false]]);
    assert.match(known[0].source, /\(GPUs from nvidia-smi\)$/);
    const text = await shardscope(['discover', '--slurm', 'local']);
    assert.match(text.stdout, /node node2 \[gpu\] idle\+drain \(fan failure\)/);
  } finally {
    cluster.slurm('scontrol', ['update', 'nodename=node2', 'state=resume']);
  }
});

test('bad input: an unknown partition, and a login host without Slurm, are one-line errors', { skip }, async () => {
  const partition = await shardscope(['discover', '--slurm', 'local', '--partition', 'nope']);
  assert.equal(partition.code, 2);
  assert.match(partition.stderr, /no partition "nope" on local \(partitions: gpu\)/);
  const noSlurm = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'discover', '--slurm', 'local'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: '/nonexistent' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  assert.equal(noSlurm.code, 1);
  assert.match(noSlurm.stderr, /scontrol not found on local/);
  assert.equal(noSlurm.stderr.trim().split('\n').length, 1);
});
