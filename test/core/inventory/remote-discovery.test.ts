import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverRemoteHosts } from '../../../src-main/core/inventory/remote-discovery.js';
import { clusterTarget, fixturesDir, startSshCluster, defaultHostSpecs, type SshCluster } from '../../support/ssh-cluster/index.js';

let cluster: SshCluster;
const specs = [...defaultHostSpecs, { name: 'cpu-only', smi: { kind: 'missing' as const } }, { name: 'no-driver', smi: { kind: 'no-driver' as const } }];

before(async () => { cluster = await startSshCluster(specs); });
after(async () => { await cluster?.stop(); });

/** GPU names as the fixture file itself lists them (read with a plain regex, independent of the parser). */
function fixtureGpuNames(xmlFile: string): string[] {
  const xml = readFileSync(join(fixturesDir, xmlFile), 'utf8');
  return [...xml.matchAll(/<product_name>([^<]+)<\/product_name>/g)].map((m) => m[1].trim());
}

test('discovers every cluster host with the GPUs of its own fixture', async () => {
  const targets = cluster.hosts.map((h) => clusterTarget(cluster, h.name));
  const hosts = await discoverRemoteHosts(targets, { knownHostsFile: cluster.knownHostsFile, timeoutMs: 20_000 });
  assert.equal(hosts.length, specs.length);
  for (const [i, spec] of specs.entries()) {
    const host = hosts[i];
    assert.equal(host.id, spec.name);
    assert.equal(host.status, 'ok', `${spec.name}: ${host.error?.message}`);
    assert.equal(host.isLocal, false);
    assert.equal(host.os.platform, 'linux');
    assert.ok(host.cpu.logicalCores >= 1);
    assert.ok(host.memoryBytes > 0);
    assert.equal(host.nodeVersion, process.version); // same filesystem, same /usr/bin/node
    if (spec.smi.kind === 'fixture') {
      const expected = fixtureGpuNames(spec.smi.xmlFile);
      assert.ok(expected.length > 0);
      assert.deepEqual(host.gpus.map((g) => g.name), expected);
      assert.deepEqual(host.devices.map((d) => d.kind), expected.map(() => 'gpu'));
      assert.ok(host.topology, `${spec.name}: topology ${host.topologyNote}`);
    } else {
      assert.deepEqual(host.gpus, []);
      assert.deepEqual(host.devices.map((d) => d.kind), ['cpu']);
      assert.match(host.gpuNote ?? '', spec.smi.kind === 'missing' ? /not found/ : /driver/);
    }
  }
  const distinct = new Set(hosts.filter((h) => h.gpus.length > 0).map((h) => h.gpus[0].name));
  assert.equal(distinct.size, 3, 'each GPU host answers with its own fixture');
});

test('a failing host is a per-host status while the others are discovered', async () => {
  const targets = [
    clusterTarget(cluster, 'gpu-a100'),
    clusterTarget(cluster, 'gpu-4090', { identityFiles: [cluster.strangerKeyFile] }),
    { ...clusterTarget(cluster, 'gpu-2x2080'), id: 'nobody-home', host: cluster.deadAddress },
  ];
  const startedMs = Date.now();
  const hosts = await discoverRemoteHosts(targets, { knownHostsFile: cluster.knownHostsFile, timeoutMs: 3000 });
  const elapsedMs = Date.now() - startedMs;
  assert.equal(hosts[0].status, 'ok');
  assert.equal(hosts[0].gpus.length, 1);
  assert.equal(hosts[1].status, 'error');
  assert.equal(hosts[1].error?.kind, 'ssh-auth');
  assert.match(hosts[1].error?.message ?? '', /gpu-4090.*permission denied \(publickey/);
  assert.equal(hosts[2].status, 'error');
  assert.ok(['ssh-timeout', 'ssh-unreachable'].includes(hosts[2].error?.kind ?? ''), hosts[2].error?.kind);
  assert.ok(elapsedMs < 3000 + 2000, `took ${elapsedMs} ms with a 3000 ms per-host limit`);
});

test('a host whose link is dropped times out on its own', async () => {
  cluster.dropLink('gpu-4090');
  try {
    const targets = cluster.hosts.slice(0, 3).map((h) => clusterTarget(cluster, h.name));
    const hosts = await discoverRemoteHosts(targets, { knownHostsFile: cluster.knownHostsFile, timeoutMs: 2000 });
    assert.deepEqual(hosts.map((h) => h.status), ['ok', 'error', 'ok']);
    assert.ok(['ssh-timeout', 'ssh-unreachable'].includes(hosts[1].error?.kind ?? ''), hosts[1].error?.message);
  } finally {
    cluster.restoreLink('gpu-4090');
  }
});
