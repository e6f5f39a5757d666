/** SFTP deploy of the worker bundle on real sshd hosts: copied once, skipped by hash, usable (Node.js shipping: runtime-deploy.test.ts). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { connectSsh, type SshConnection } from '../../../src-main/core/ssh/connect.js';
import { deployWorkerBundle, workerBundleOf } from '../../../src-main/core/ssh/deploy.js';
import { nodeMajorOf } from '../../../src-main/core/ssh/runtime-deploy.js';
import { shellQuote } from '../../../src-main/core/ssh/shell-quote.js';
import { clusterTarget, defaultHostSpecs, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

const distDir = join(__dirname, '..', '..', '..', 'dist');
let cluster: SshCluster;
const open: SshConnection[] = [];

before(async () => {
  cluster = await startSshCluster([
    defaultHostSpecs[0],
    { name: 'no-node', smi: { kind: 'missing' }, node: 'missing' },
    { name: 'old-node', smi: { kind: 'missing' }, node: { reportVersion: 'v18.19.1' } },
  ]);
});
after(async () => {
  open.forEach((c) => c.client.destroy());
  await cluster?.stop();
});

async function connect(name: string): Promise<SshConnection> {
  const connection = await connectSsh(clusterTarget(cluster, name), { knownHostsFile: cluster.knownHostsFile });
  open.push(connection);
  return connection;
}

test('nodeMajorOf reads node --version output', () => {
  assert.equal(nodeMajorOf('v20.11.1\n'), 20);
  assert.equal(nodeMajorOf('v18.0.0'), 18);
  assert.equal(nodeMajorOf('node: not found'), null);
});

test('the bundle is copied by SFTP into the hash folder, then skipped; it runs there from an empty folder', async () => {
  const bundle = workerBundleOf(distDir);
  assert.ok(bundle.files.some((f) => f.name === 'worker.cjs') && bundle.files.some((f) => f.name.endsWith('.wasm')));
  const connection = await connect('gpu-a100');
  const first = await deployWorkerBundle(connection, bundle);
  assert.equal(first.wasSkipped, false);
  assert.match(first.dir, new RegExp(`/\\.cache/shardscope/worker-${bundle.hash}$`));
  // The cluster's hosts share this filesystem: the files are really there, owned by the test user, byte-identical.
  assert.equal(first.node?.source, 'path', 'the host has Node.js 20+ on PATH: nothing shipped');
  for (const file of bundle.files) assert.deepEqual(readFileSync(join(first.dir, file.name)), file.content, file.name);
  assert.equal(statSync(first.dir).uid, Number(execFileSync('id', ['-u', cluster.user], { encoding: 'utf8' })));
  assert.deepEqual(readdirSync(join(first.dir, '..')).filter((n) => n.includes('.tmp-')), [], 'no temporary folder left');

  const workerPath = first.workerPath!;
  const mtimeMs = statSync(workerPath).mtimeMs;
  const second = await deployWorkerBundle(connection, bundle);
  assert.equal(second.wasSkipped, true, 'the hash file matched: nothing copied');
  assert.equal(statSync(workerPath).mtimeMs, mtimeMs);

  // Self-contained: the deployed worker starts its backend with no node_modules around it.
  assert.ok(!existsSync(join(first.dir, 'node_modules')));
  const result = await connection.exec(shellQuote(['node', workerPath, 'backend']), { timeoutMs: 60_000 });
  assert.equal(result.exitCode, 0, result.stderr);
  const backend = JSON.parse(result.stdout.trim().split('\n').pop()!) as { checkPassed: boolean; matmul: string };
  assert.equal(backend.checkPassed, true);
  // The OpenBLAS addon travels with the bundle when it was built here, and the host (libopenblas installed) uses it.
  const addonBuilt = existsSync(join(distDir, 'native', 'blas.node'));
  assert.equal(bundle.files.some((f) => f.name === 'native/blas.node'), addonBuilt);
  if (addonBuilt) assert.equal(backend.matmul, 'openblas', 'the deployed worker computes with the shipped OpenBLAS addon');
});

test('a host whose Node.js is too old and no Node.js to ship gets a clear error and no copy', async () => {
  const bundle = workerBundleOf(distDir);
  for (const [name, words] of [['no-node', /no Node\.js and this app has no Node\.js runtime to ship/], ['old-node', /Node\.js v18\.19\.1 is too old and this app has no Node\.js runtime to ship/]] as const) {
    const connection = await connect(name);
    await assert.rejects(deployWorkerBundle(connection, bundle, { shippableNodePath: null }), (error: unknown) => {
      assert.ok(error instanceof ShardScopeError);
      assert.equal(error.kind, 'node-missing');
      assert.match(error.message, new RegExp(`host ${name}`));
      assert.match(error.message, words);
      return true;
    });
  }
});
