/**
 * Runs on a host as GPU servers often are: every system command on its PATH but `node`. A torch
 * run there needs only its Python + torch (the rank launcher is Python: no Node.js starts, none is
 * shipped); a built-in-engine run across this machine and that host ships this machine's Node.js
 * once and trains with it, and the next run finds it by hash.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { newRunId, runTraining } from '../../../src-main/core/launch/run-controller.js';
import { prepareRun } from '../../../src-main/core/launch/remote-launch.js';
import type { RunHost } from '../../../src-main/core/launch/remote-placement.js';
import { deployTorchToHosts } from '../../../src-main/core/launch/torch-deploy.js';
import { runTorchTraining } from '../../../src-main/core/launch/torch-run.js';
import { workerBundleOf } from '../../../src-main/core/ssh/deploy.js';
import { namespacePids } from '../../support/ssh-cluster/netns.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

const root = join(__dirname, '..', '..', '..');
const distDir = join(root, 'dist');
const workerPath = join(distDir, 'worker.cjs');
const dataPath = join(root, 'resources', 'corpus', 'licenses.txt');
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
let cluster: SshCluster;

before(async () => { cluster = await startSshCluster([{ name: 'bare', smi: { kind: 'missing' }, node: 'missing' }]); });
after(async () => { await cluster?.stop(); });

function bare(slots: number): RunHost {
  return { kind: 'remote', id: 'bare', target: clusterTarget(cluster, 'bare'), devices: Array.from({ length: slots }, (_, i) => `cpu:${i}`) };
}

function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(); } catch { return ''; }
}

/** Command lines of the processes living in the bare host's namespace. */
function onBare(): string[] {
  return namespacePids(cluster.host('bare').namespace).map(cmdline).filter(Boolean);
}

function cacheEntries(homeDir: string): string[] {
  const dir = join(homeDir, '.cache', 'shardscope');
  return existsSync(dir) ? readdirSync(dir) : [];
}

test('a PyTorch run on the host without Node.js: Python launcher, no Node.js started or shipped', { skip: hasTorch ? false : '/usr/bin/python3 has no torch' }, async () => {
  const prepared = await prepareRun({ hosts: [bare(2)], worldSize: 2, knownHostsFile: cluster.knownHostsFile, bundle: workerBundleOf(distDir), dataPath, engine: 'torch' });
  const config: TrainConfig = { model: { name: 'tiny', layers: 2, hidden: 64, heads: 4, vocab: 256, seqLen: 64 }, strategy: { dp: 2, tp: 1, pp: 1 }, steps: 12, globalBatch: 8, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 0, learningRate: 3e-3 };
  const seen: string[][] = [];
  try {
    assert.equal(prepared.deploys.bare.node, null, 'no Node.js prepared for a torch host');
    assert.match(prepared.deploys.bare.launcherArgv.join(' '), /^python3 \S+\/\.cache\/shardscope\/data-[0-9a-f]{16}-launch\.py$/);
    const torch = await deployTorchToHosts(prepared);
    const summary = await runTorchTraining({
      config, runId: newRunId(), placements: prepared.placements, spawners: prepared.spawners, masterAddr: prepared.masterAddr, masterPort: prepared.masterPort, torch,
      onProgress: (p) => { if (p.step === 1) seen.push(onBare()); },
    });
    assert.match(summary.backend, /gloo-ddp/);
    assert.equal(summary.losses.length, 12);
    assert.ok(summary.losses.slice(-3).reduce((a, b) => a + b) / 3 < summary.losses[0], `loss falls: ${summary.losses[0]} -> ${summary.losses.at(-1)}`);
  } finally {
    prepared.close();
  }
  const during = seen[0] ?? [];
  assert.equal(during.filter((c) => c.includes('launch.py')).length, 2, `two Python launchers on the host: ${during.join(' | ')}`);
  assert.ok(during.filter((c) => c.includes('train_gpt')).length >= 2, 'two ranks of the script');
  assert.deepEqual(during.filter((c) => /(^|\/)node\s/.test(c)), [], 'no Node.js process on the host');
  assert.deepEqual(cacheEntries(prepared.deploys.bare.homeDir).filter((n) => n.startsWith('node-') || n.startsWith('worker-')), [], 'neither Node.js nor the worker bundle shipped');
});

test('a built-in-engine run across this machine and the host ships Node.js once, trains like one process, and the next run reuses it', async () => {
  const strategy = { dp: 2, tp: 1, pp: 1 };
  const config: TrainConfig = { model: { name: 'small', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 }, strategy, steps: 3, globalBatch: 8, microBatches: 2, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 3, learningRate: 3e-3 };
  const reference = await runTraining({ config: { ...config, strategy: { dp: 1, tp: 1, pp: 1 } }, workerPath });
  const hosts: RunHost[] = [{ kind: 'local', id: 'local', devices: ['cpu:0'] }, bare(1)];
  const first = await prepareRun({ hosts, worldSize: 2, knownHostsFile: cluster.knownHostsFile, bundle: workerBundleOf(distDir), dataPath });
  const workersOnBare: string[] = [];
  try {
    const node = first.deploys.bare.node!;
    assert.equal(node.source, 'shipped');
    assert.equal(node.wasCopied, true);
    assert.match(node.path, /\/\.cache\/shardscope\/node-[0-9a-f]{16}\/node$/);
    const summary = await runTraining({
      config, workerPath, placements: first.placements, spawners: first.spawners, masterAddr: first.masterAddr, masterPort: first.masterPort,
      onProgress: (p) => { if (p.step === 0) workersOnBare.push(...onBare().filter((c) => c.includes('worker.cjs train') && !c.includes('launch.cjs'))); },
    });
    assert.equal(workersOnBare.length, 1, 'rank 1 ran on the host');
    assert.ok(workersOnBare[0].startsWith(`${node.path} `), `with the shipped Node.js: ${workersOnBare[0].slice(0, 120)}`);
    summary.losses.forEach((loss, i) => {
      const relative = Math.abs(loss - reference.losses[i]) / Math.abs(reference.losses[i]);
      assert.ok(relative < 1e-4, `step ${i}: ${loss} across this machine and the host vs ${reference.losses[i]} in one process`);
    });
  } finally {
    first.close();
  }
  const second = await prepareRun({ hosts, worldSize: 2, knownHostsFile: cluster.knownHostsFile, bundle: workerBundleOf(distDir), dataPath });
  try {
    assert.deepEqual({ source: second.deploys.bare.node!.source, wasCopied: second.deploys.bare.node!.wasCopied, path: second.deploys.bare.node!.path },
      { source: 'shipped', wasCopied: false, path: first.deploys.bare.node!.path }, 'hash hit: the runtime is reused, not copied again');
    assert.equal(second.deploys.bare.wasSkipped, true);
  } finally {
    second.close();
  }
});
