/** Link probe on the real SSH test cluster: every pair of hosts (this machine included) measured over TCP. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { prepareRun } from '../../../src-main/core/launch/remote-launch.js';
import type { RunHost } from '../../../src-main/core/launch/remote-placement.js';
import { interNodeBytesPerSecondOf, probeLinks } from '../../../src-main/core/probe/link-probe.js';
import { workerBundleOf } from '../../../src-main/core/ssh/deploy.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

const distDir = join(__dirname, '..', '..', '..', 'dist');
let cluster: SshCluster;

before(async () => { cluster = await startSshCluster(); });
after(async () => { await cluster?.stop(); });

test('every pair of hosts gets a latency and a bandwidth; the slowest pair feeds the planner', async () => {
  const hosts: RunHost[] = [
    { kind: 'local', id: 'local', devices: ['cpu:0'] },
    ...['gpu-a100', 'gpu-4090'].map((name): RunHost => ({ kind: 'remote', id: name, target: clusterTarget(cluster, name), devices: ['cpu:0'] })),
  ];
  const prepared = await prepareRun({ hosts, worldSize: 3, knownHostsFile: cluster.knownHostsFile, bundle: workerBundleOf(distDir), dataPath: join(__dirname, '..', '..', '..', 'resources', 'corpus', 'licenses.txt') });
  try {
    assert.equal(prepared.addresses['gpu-a100'], cluster.host('gpu-a100').address);
    const links = await probeLinks(prepared, { workerPath: join(distDir, 'worker.cjs'), seconds: 0.5 });
    assert.deepEqual(links.map((l) => `${l.from}-${l.to}`), ['local-gpu-a100', 'local-gpu-4090', 'gpu-a100-gpu-4090']);
    for (const link of links) {
      assert.ok(link.latencyMs > 0 && link.latencyMs < 1000, `${link.from}-${link.to} latency ${link.latencyMs} ms`);
      assert.ok(link.bytesPerSecond > 1e6, `${link.from}-${link.to} moved ${link.bytesPerSecond} B/s`);
    }
    assert.equal(interNodeBytesPerSecondOf(links), Math.min(...links.map((l) => l.bytesPerSecond)));
  } finally {
    prepared.close();
  }
});
