/** A UI launch with hosts + engine torch: RunService deploys the torch scripts over the prepared connections and the run trains on two SSH test-cluster hosts. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunUpdate } from '../../../src-shared/run-live.js';
import { prepareRun } from '../../../src-main/core/launch/remote-launch.js';
import { RunService } from '../../../src-main/core/runs/run-service.js';
import { workerBundleOf } from '../../../src-main/core/ssh/deploy.js';
import { RunStore, StoreWriter } from '../../../src-main/core/store/index.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

const python = '/usr/bin/python3';
const skip = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 ? false : `${python} has no torch (apt-get install -y python3-torch libopenblas0-pthread)`;
const root = join(__dirname, '..', '..', '..');
let cluster: SshCluster;
let dir: string;

before(async () => {
  if (skip) return;
  cluster = await startSshCluster();
  dir = mkdtempSync(join(tmpdir(), 'shardscope-service-torch-'));
});
after(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a torch run requested on two hosts trains there and is kept with engine torch and both hosts', { skip }, async () => {
  const store = RunStore.open(join(dir, 'runs.db'));
  const writer = new StoreWriter(store);
  let resolveEnd: (update: RunUpdate) => void = () => undefined;
  const ended = new Promise<RunUpdate>((resolve) => { resolveEnd = resolve; });
  const losses: number[] = [];
  const service = new RunService({
    store, writer, workerPath: join(root, 'dist', 'worker.cjs'), hostId: 'local', sampleIntervalMs: 500,
    getInventory: async () => ({ hosts: [] }),
    emit: (update) => {
      update.points.forEach((p) => { if (p.loss !== null) losses.push(p.loss); });
      if (update.status !== 'running') resolveEnd(update);
    },
    prepareHosts: (choices, worldSize, signal, engine) => prepareRun({
      hosts: choices.map((c) => ({ kind: 'remote', id: c.id, target: clusterTarget(cluster, c.id), devices: ['cpu:0'] })),
      worldSize, bundle: workerBundleOf(join(root, 'dist')), knownHostsFile: cluster.knownHostsFile,
      dataPath: join(root, 'resources', 'corpus', 'licenses.txt'), engine, signal,
    }),
  });
  try {
    // The reference script's plan is checked before any host is contacted.
    await assert.rejects(service.start({ model: 'tiny', dp: 1, tp: 2, pp: 1, steps: 1, engine: 'torch', hosts: [{ id: 'gpu-a100', slots: 2 }] }), /data parallel only/);
    const { runId } = await service.start({ model: 'tiny', dp: 2, tp: 1, pp: 1, steps: 20, engine: 'torch', hosts: [{ id: 'gpu-a100' }, { id: 'gpu-4090' }] });
    const end = await ended;
    assert.equal(end.status, 'finished', JSON.stringify(end.error));
    assert.equal(losses.length, 20);
    assert.ok(losses.slice(-3).reduce((a, b) => a + b) / 3 < losses[0] - 0.5, `loss falls: ${losses[0]} -> ${losses.at(-1)}`);
    const run = service.list().find((r) => r.id === runId)!;
    assert.equal(run.engine, 'torch');
    assert.deepEqual([...run.hosts].sort(), ['gpu-4090', 'gpu-a100']);
  } finally {
    await service.close();
    writer.close();
    store.close();
  }
});
