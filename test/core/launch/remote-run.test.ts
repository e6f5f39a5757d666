/**
 * Remote and mixed runs on the real SSH test cluster (sshd per network namespace): a dp2 x pp2 run
 * across hosts matches the single-process losses; a killed remote rank and a dropped link each end
 * the run within 10 s naming host and rank; no rank process is left on any host.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { runTraining } from '../../../src-main/core/launch/run-controller.js';
import { prepareRun } from '../../../src-main/core/launch/remote-launch.js';
import type { RunHost } from '../../../src-main/core/launch/remote-placement.js';
import { workerBundleOf } from '../../../src-main/core/ssh/deploy.js';
import { namespacePids } from '../../support/ssh-cluster/netns.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

const distDir = join(__dirname, '..', '..', '..', 'dist');
const workerPath = join(distDir, 'worker.cjs');
const dataPath = join(__dirname, '..', '..', '..', 'resources', 'corpus', 'licenses.txt');
const model = { name: 'small', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 };
let cluster: SshCluster;

before(async () => { cluster = await startSshCluster(); });
after(async () => { await cluster?.stop(); });

function config(strategy: TrainConfig['strategy'], steps: number): TrainConfig {
  return { model, strategy, steps, globalBatch: 8, microBatches: 2, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 3, learningRate: 3e-3 };
}

function remote(name: string, slots: number): RunHost {
  return { kind: 'remote', id: name, target: clusterTarget(cluster, name), devices: Array.from({ length: slots }, (_, i) => `cpu:${i}`) };
}

function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; }
}

/** Worker/launcher processes of the cluster's test user, anywhere on this machine (all hosts share its pid space). */
function rankProcesses(): Array<{ pid: number; cmd: string }> {
  const uid = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${cluster.user}:`))!.split(':')[2];
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).flatMap((pid) => {
    try {
      if (!readFileSync(`/proc/${pid}/status`, 'utf8').includes(`\nUid:\t${uid}\t`)) return [];
    } catch { return []; }
    const cmd = cmdline(pid);
    return cmd.includes('worker-') ? [{ pid, cmd }] : [];
  });
}

/** Rank processes living in each host's namespace (what `ip netns pids` lists). */
function leftoversPerHost(): Record<string, string[]> {
  return Object.fromEntries(cluster.hosts.map((h) => [h.name, namespacePids(h.namespace).map(cmdline).filter((c) => c.includes('worker-'))]));
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadlineMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a dp2 x pp2 run on two hosts x two ranks matches the single-process losses; the secret is on no command line', async () => {
  const reference = await runTraining({ config: config({ dp: 1, tp: 1, pp: 1 }, 4), workerPath });
  const prepared = await prepareRun({ hosts: [remote('gpu-a100', 2), remote('gpu-4090', 2)], worldSize: 4, knownHostsFile: cluster.knownHostsFile, bundle: workerBundleOf(distDir), dataPath });
  const secretsSeen = new Set<string>();
  let checkedCmdlines = 0;
  try {
    assert.equal(prepared.masterAddr, cluster.host('gpu-a100').address, 'rank 0 listens on its host address as the others reach it');
    const starts: number[] = [];
    const summary = await runTraining({
      config: config({ dp: 2, tp: 1, pp: 2 }, 4), workerPath, placements: prepared.placements, spawners: prepared.spawners,
      masterAddr: prepared.masterAddr, masterPort: prepared.masterPort,
      onEvent: (e) => { if (e.type === 'run-start') starts.push(e.rank); },
      onProgress: (p) => {
        if (p.step !== 0) return;
        // While it runs: the workers hold the secret in their environment, never in any argv.
        for (const { pid } of rankProcesses()) {
          const secret = /SHARDSCOPE_RUN_SECRET=([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8').replace(/\0/g, '\n'))?.[1];
          if (secret) secretsSeen.add(secret);
        }
        const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map((n) => cmdline(Number(n)));
        for (const secret of secretsSeen) assert.ok(!all.some((c) => c.includes(secret)), 'the run secret is not on any command line');
        checkedCmdlines = all.length;
      },
    });
    assert.deepEqual(starts.sort(), [0, 1, 2, 3]);
    assert.equal(secretsSeen.size, 1, 'all four remote workers got the same run secret through stdin');
    assert.ok(checkedCmdlines > 0);
    assert.equal(summary.losses.length, 4);
    summary.losses.forEach((loss, i) => {
      const relative = Math.abs(loss - reference.losses[i]) / Math.abs(reference.losses[i]);
      assert.ok(relative < 1e-4, `step ${i}: ${loss} across hosts vs ${reference.losses[i]} single-process (relative ${relative.toExponential(2)})`);
    });
    assert.ok(summary.bytes.allReduce.sent > 0 && summary.bytes.send.sent > 0);
  } finally {
    prepared.close();
  }
  await waitUntil(() => rankProcesses().length === 0, 5000, 'every remote rank to be gone');
});

test('a mixed run (local rank 0 + three hosts): killing a remote rank ends it within 10 s naming host and rank; nothing is left', async (t) => {
  const hosts: RunHost[] = [{ kind: 'local', id: 'local', devices: ['cpu:0'] }, remote('gpu-a100', 1), remote('gpu-4090', 1), remote('gpu-2x2080', 1)];
  const prepared = await prepareRun({ hosts, worldSize: 4, knownHostsFile: cluster.knownHostsFile, bundle: workerBundleOf(distDir), dataPath });
  let killedAtMs = 0;
  try {
    assert.equal(prepared.masterAddr, `${cluster.hosts[0].address.split('.').slice(0, 3).join('.')}.1`, 'the hosts reach local rank 0 at this machine\'s bridge address');
    const run = runTraining({
      config: config({ dp: 2, tp: 1, pp: 2 }, 100_000), workerPath, placements: prepared.placements, spawners: prepared.spawners,
      masterAddr: prepared.masterAddr, masterPort: prepared.masterPort,
      onProgress: (p) => {
        if (p.step !== 1 || killedAtMs) return;
        const victim = rankProcesses().find((r) => /\/worker\.cjs train .*--rank 2 /.test(`${r.cmd} `) && !r.cmd.includes('launch.cjs'));
        assert.ok(victim, 'rank 2 runs on gpu-4090');
        assert.ok(namespacePids(cluster.host('gpu-4090').namespace).includes(victim.pid), 'rank 2 lives in gpu-4090\'s namespace');
        killedAtMs = Date.now();
        process.kill(victim.pid, 'SIGKILL');
      },
    });
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof ShardScopeError);
      assert.equal(error.kind, 'worker-exit');
      assert.match(error.message, /rank 2 \(host gpu-4090, cpu:0, pid \d+\) was killed by SIGKILL/);
      return true;
    });
    const elapsedMs = Date.now() - killedAtMs;
    assert.ok(killedAtMs > 0 && elapsedMs < 10_000, `stopped ${elapsedMs} ms after the kill`);
    t.diagnostic(`run stopped ${elapsedMs} ms after the kill`);
  } finally {
    prepared.close();
  }
  await waitUntil(() => rankProcesses().length === 0, 5000, 'every remote rank to be gone');
  assert.deepEqual(leftoversPerHost(), Object.fromEntries(cluster.hosts.map((h) => [h.name, []])));
});

test('a dropped link ends the run within 10 s naming the silent host and rank; its ranks stop themselves', async (t) => {
  const prepared = await prepareRun({ hosts: [remote('gpu-a100', 2), remote('gpu-2x2080', 2)], worldSize: 4, knownHostsFile: cluster.knownHostsFile, bundle: workerBundleOf(distDir), dataPath });
  let droppedAtMs = 0;
  try {
    const run = runTraining({
      config: config({ dp: 2, tp: 1, pp: 2 }, 100_000), workerPath, placements: prepared.placements, spawners: prepared.spawners,
      masterAddr: prepared.masterAddr, masterPort: prepared.masterPort,
      onProgress: (p) => {
        if (p.step !== 1 || droppedAtMs) return;
        droppedAtMs = Date.now();
        cluster.dropLink('gpu-2x2080');
      },
    });
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof ShardScopeError);
      assert.equal(error.kind, 'worker-exit');
      assert.match(error.message, /rank [23] \(host gpu-2x2080, cpu:[01], pid \d+\) lost: host gpu-2x2080 silent for \d s/);
      return true;
    });
    const elapsedMs = Date.now() - droppedAtMs;
    assert.ok(droppedAtMs > 0 && elapsedMs < 10_000, `stopped ${elapsedMs} ms after the link went down`);
    t.diagnostic(`run stopped ${elapsedMs} ms after the link went down`);
  } finally {
    prepared.close();
    cluster.restoreLink('gpu-2x2080');
  }
  // The unreachable host's launcher stops its ranks once the controller's heartbeats stop (6 s).
  await waitUntil(() => rankProcesses().length === 0, 10_000, 'the cut-off host\'s ranks to stop themselves');
  t.diagnostic(`cut-off host's ranks gone ${Date.now() - droppedAtMs} ms after the drop`);
  assert.deepEqual(leftoversPerHost(), Object.fromEntries(cluster.hosts.map((h) => [h.name, []])));
});
