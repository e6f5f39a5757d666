/**
 * The torch engine on the real SSH test cluster (sshd per network namespace): a 2-host DDP run of
 * the reference script (Gloo on CPU, one rank per host) trains; killing one remote rank ends the
 * run on both hosts, naming it, with no python process left anywhere.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import type { SpansEvent } from '../../../src-shared/engine-events.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { newRunId } from '../../../src-main/core/launch/run-controller.js';
import { prepareRun, type PreparedRun } from '../../../src-main/core/launch/remote-launch.js';
import type { RunHost } from '../../../src-main/core/launch/remote-placement.js';
import { deployTorchScripts } from '../../../src-main/core/launch/torch-deploy.js';
import { runTorchTraining } from '../../../src-main/core/launch/torch-run.js';
import { connectSsh } from '../../../src-main/core/ssh/connect.js';
import { workerBundleOf } from '../../../src-main/core/ssh/deploy.js';
import { namespacePids } from '../../support/ssh-cluster/netns.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

const python = '/usr/bin/python3';
const skip = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 ? false : `${python} has no torch (apt-get install -y python3-torch libopenblas0-pthread)`;
const distDir = join(__dirname, '..', '..', '..', 'dist');
const dataPath = join(__dirname, '..', '..', '..', 'resources', 'corpus', 'licenses.txt');
const hostNames = ['gpu-a100', 'gpu-4090'];
let cluster: SshCluster;

before(async () => { if (!skip) cluster = await startSshCluster(); });
after(async () => { await cluster?.stop(); });

function config(steps: number): TrainConfig {
  return { model: { name: 'tiny', layers: 2, hidden: 64, heads: 4, vocab: 256, seqLen: 64 }, strategy: { dp: 2, tp: 1, pp: 1 }, steps, globalBatch: 8, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 0, learningRate: 3e-3 };
}

/** Two hosts with one rank each, the worker bundle and the torch scripts deployed; the script path per host. */
async function prepareTwoHosts(): Promise<{ prepared: PreparedRun; scriptByHost: Record<string, string>; dataPathByHost: Record<string, string>; helperByHost: Record<string, string> }> {
  const hosts: RunHost[] = hostNames.map((name) => ({ kind: 'remote', id: name, target: clusterTarget(cluster, name), devices: ['cpu:0'] }));
  const prepared = await prepareRun({ hosts, worldSize: 2, knownHostsFile: cluster.knownHostsFile, bundle: workerBundleOf(distDir), dataPath, engine: 'torch' });
  const scriptByHost: Record<string, string> = {};
  const dataPathByHost: Record<string, string> = {};
  const helperByHost: Record<string, string> = {};
  for (const name of hostNames) {
    const connection = await connectSsh(clusterTarget(cluster, name), { knownHostsFile: cluster.knownHostsFile });
    try {
      const deployed = await deployTorchScripts(connection, prepared.deploys[name].homeDir, dataPath);
      scriptByHost[name] = deployed.script;
      dataPathByHost[name] = deployed.dataPath;
      helperByHost[name] = deployed.helper;
    } finally {
      connection.close();
    }
  }
  return { prepared, scriptByHost, dataPathByHost, helperByHost };
}

/** Python processes of a run (by the run id in their environment), anywhere on this machine. */
function pythonsOfRun(runId: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`SHARDSCOPE_RUN_ID=${runId}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('python');
    } catch {
      return false;
    }
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadlineMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('2-host DDP of the reference script over SSH trains; each rank runs in its host\'s namespace; --profile-steps profiles arrive from both hosts', { skip }, async () => {
  const { prepared, scriptByHost, dataPathByHost, helperByHost } = await prepareTwoHosts();
  const runId = newRunId();
  let checkedNamespaces = false;
  const profiled: SpansEvent[] = [];
  try {
    const summary = await runTorchTraining({
      config: config(30), runId, placements: prepared.placements, spawners: prepared.spawners,
      masterAddr: prepared.masterAddr, masterPort: prepared.masterPort,
      torch: { python, scriptByHost, dataPathByHost, helperByHost, profileSteps: { firstStep: 2, lastStep: 3 } },
      onEvent: (e) => { if (e.type === 'spans') profiled.push(e); },
      onProgress: (p) => {
        if (p.step !== 1) return;
        const pids = pythonsOfRun(runId);
        assert.equal(pids.length, 2);
        hostNames.forEach((name) => assert.equal(pids.filter((pid) => namespacePids(cluster.host(name).namespace).includes(pid)).length, 1, `one rank on ${name}`));
        checkedNamespaces = true;
      },
    });
    assert.ok(checkedNamespaces);
    assert.match(summary.backend, /gloo-ddp/);
    const head = summary.losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const tail = summary.losses.slice(-5).reduce((a, b) => a + b) / 5;
    assert.ok(tail < head - 1, `loss falls across hosts: ${head.toFixed(3)} -> ${tail.toFixed(3)}`);
    assert.ok(summary.bytes.allReduce.sent > 0 && summary.stepTimeSeconds.communication > 0);
    // torch.profiler ran on both remote ranks for steps 2-3 and its spans came back over each host's SSH channel.
    assert.deepEqual(profiled.map((e) => `${e.rank}:${e.step}`).sort(), ['0:2', '0:3', '1:2', '1:3']);
    for (const e of profiled) {
      assert.ok(e.spans.some((s) => s.name.startsWith('aten::')) && e.spans.some((s) => s.kind === 'collective'), `rank ${e.rank} step ${e.step}: operators and collectives`);
      assert.ok((e.operators ?? []).length > 0, 'top operators');
    }
  } finally {
    prepared.close();
  }
  await waitUntil(() => pythonsOfRun(runId).length === 0, 5000, 'both ranks to be gone');
});

test('killing one remote rank ends the run on both hosts, naming host and rank; no python is left', { skip }, async () => {
  const { prepared, scriptByHost, dataPathByHost, helperByHost } = await prepareTwoHosts();
  const runId = newRunId();
  let killed = false;
  try {
    const run = runTorchTraining({
      config: config(100_000), runId, placements: prepared.placements, spawners: prepared.spawners,
      masterAddr: prepared.masterAddr, masterPort: prepared.masterPort, torch: { python, scriptByHost, dataPathByHost, helperByHost },
      onProgress: (p) => {
        if (p.step < 2 || killed) return;
        const victim = pythonsOfRun(runId).find((pid) => namespacePids(cluster.host('gpu-4090').namespace).includes(pid));
        assert.ok(victim, 'rank 1 runs on gpu-4090');
        killed = true;
        process.kill(victim, 'SIGKILL');
      },
    });
    await assert.rejects(run, (error: unknown) => error instanceof ShardScopeError && error.kind === 'worker-exit' && /rank 1 \(host gpu-4090, cpu:0.*SIGKILL/.test(error.message));
  } finally {
    prepared.close();
  }
  assert.ok(killed);
  await waitUntil(() => pythonsOfRun(runId).length === 0, 8000, 'every python rank of the run to be gone');
});

test('a SIGSTOPped remote torch rank ends the run within 10 s naming host and rank (its heartbeats stop while its launcher lives); no python is left', { skip }, async (t) => {
  const { prepared, scriptByHost, dataPathByHost, helperByHost } = await prepareTwoHosts();
  const runId = newRunId();
  let stoppedAtMs = 0;
  try {
    const run = runTorchTraining({
      config: config(100_000), runId, placements: prepared.placements, spawners: prepared.spawners, killGraceMs: 2000,
      masterAddr: prepared.masterAddr, masterPort: prepared.masterPort, torch: { python, scriptByHost, dataPathByHost, helperByHost },
      onProgress: (p) => {
        if (p.step < 2 || stoppedAtMs > 0) return;
        const victim = pythonsOfRun(runId).find((pid) => namespacePids(cluster.host('gpu-4090').namespace).includes(pid));
        assert.ok(victim, 'rank 1 runs on gpu-4090');
        stoppedAtMs = Date.now();
        process.kill(victim, 'SIGSTOP');
      },
    });
    await assert.rejects(run, (error: unknown) => error instanceof ShardScopeError && error.kind === 'worker-exit' && /rank 1 \(host gpu-4090, cpu:0, pid \d+\) stopped responding: no heartbeat/.test(error.message));
  } finally {
    prepared.close();
  }
  const elapsedMs = Date.now() - stoppedAtMs;
  t.diagnostic(`the run ended ${elapsedMs} ms after the SIGSTOP`);
  assert.ok(stoppedAtMs > 0 && elapsedMs < 10_000, `the run ended ${elapsedMs} ms after the SIGSTOP`);
  await waitUntil(() => pythonsOfRun(runId).length === 0, 8000, 'every python rank of the run to be gone');
});
