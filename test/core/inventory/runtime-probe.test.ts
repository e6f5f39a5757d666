/**
 * Discovery shows what each host runs ranks with, before launch: Node.js (or that ShardScope's will
 * be shipped, or why it cannot be), Python + torch, the driver's CUDA; a host's node/python settings
 * are what gets checked. Real sshd hosts of the test cluster.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describeRuntime } from '../../../src-shared/host-runtime.js';
import { discoverRemoteHost } from '../../../src-main/core/inventory/remote-discovery.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

const torch = spawnSync('/usr/bin/python3', ['-c', 'import sys, torch; print(sys.version.split()[0], torch.__version__)'], { encoding: 'utf8' });
const [pythonVersion, torchVersion] = torch.status === 0 ? torch.stdout.trim().split(' ') : [null, null];
let cluster: SshCluster;

before(async () => {
  cluster = await startSshCluster([
    { name: 'gpu-node', smi: { kind: 'fixture', xmlFile: 'xml/telegraf_a100-sxm4-80gb_535.54.03_v12.xml', topoFile: null } },
    { name: 'no-node', smi: { kind: 'missing' }, node: 'missing' },
    { name: 'arm', smi: { kind: 'missing' }, node: 'missing', platform: { unameSm: 'Linux aarch64', lddVersion: 'ldd (GNU libc) 2.35' } },
  ]);
});
after(async () => { await cluster?.stop(); });

function discover(name: string, runtime?: { node?: string; python?: string }) {
  return discoverRemoteHost(clusterTarget(cluster, name), { knownHostsFile: cluster.knownHostsFile, shippableNodePath: process.execPath, ...(runtime ? { runtime } : {}) });
}

test('a host with Node.js 20+ and torch: versions and the driver\'s CUDA', async () => {
  const host = await discover('gpu-node');
  assert.equal(host.status, 'ok', host.error?.message);
  const runtime = host.runtime!;
  assert.deepEqual(runtime.node, { command: 'node', version: process.version, isUsable: true, shipped: 'not-needed' });
  assert.equal(runtime.cudaVersion, '12.2', 'from the fixture\'s <cuda_version>');
  assert.match(runtime.platform, /^Linux x86_64, glibc \d+\.\d+/);
  if (pythonVersion) {
    assert.equal(runtime.python?.version, pythonVersion);
    assert.equal(runtime.python?.torchVersion, torchVersion);
    assert.equal(runtime.python?.torchCudaVersion, null, 'Debian\'s python3-torch is a CPU build');
  }
  assert.match(describeRuntime(runtime), new RegExp(`^Node\\.js ${process.version.replace(/\./g, '\\.')}; Python .*; CUDA 12\\.2 \\(driver\\); Linux x86_64`));
});

test('a host without node: "none — will be shipped"; another CPU: cannot ship, and why', async () => {
  const bare = (await discover('no-node')).runtime!;
  assert.deepEqual(bare.node, { command: 'node', version: null, isUsable: false, shipped: 'will-ship' });
  assert.match(describeRuntime(bare), /^Node\.js none — will be shipped; /);
  if (process.arch === 'x64') {
    const arm = (await discover('arm')).runtime!;
    assert.equal(arm.node.shipped, 'cannot-ship');
    assert.match(describeRuntime(arm), /^Node\.js none — cannot ship \(the host's CPU is aarch64, this machine's Node\.js is built for x86_64\); set the host's node path; .*Linux aarch64, glibc 2\.35$/);
  }
});

test('the host\'s node and python settings are what discovery checks', async () => {
  const set = (await discover('no-node', { node: '/usr/bin/node', python: '/usr/bin/python3' })).runtime!;
  assert.deepEqual(set.node, { command: '/usr/bin/node', version: process.version, isUsable: true, shipped: 'not-needed' });
  assert.equal(set.python?.command, '/usr/bin/python3');
  const wrong = (await discover('no-node', { node: '/opt/none/node', python: '/opt/none/python3' })).runtime!;
  assert.equal(wrong.node.shipped, 'cannot-ship');
  assert.match(wrong.node.note!, /node setting \/opt\/none\/node is not runnable/);
  assert.equal(wrong.python, null);
});
