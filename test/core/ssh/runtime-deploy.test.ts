/**
 * Shipping Node.js to real sshd hosts that lack a usable one: copied once into the content-hashed
 * cache, reused on the next call (hash hit), runs the worker there, removed by the cleanup; hosts
 * whose `uname`/`ldd` report another CPU or C library get one line naming what they need.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { connectSsh, type SshConnection } from '../../../src-main/core/ssh/connect.js';
import { remoteHomeDir } from '../../../src-main/core/ssh/deploy.js';
import { ensureNodeRuntime, removeShardScopeCache, shippableNodeOf } from '../../../src-main/core/ssh/runtime-deploy.js';
import { shellQuote } from '../../../src-main/core/ssh/shell-quote.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

let cluster: SshCluster;
const open: SshConnection[] = [];

before(async () => {
  cluster = await startSshCluster([
    { name: 'no-node', smi: { kind: 'missing' }, node: 'missing' },
    { name: 'old-node', smi: { kind: 'missing' }, node: { reportVersion: 'v18.19.1' } },
    { name: 'arm', smi: { kind: 'missing' }, node: 'missing', platform: { unameSm: 'Linux aarch64', lddVersion: 'ldd (Ubuntu GLIBC 2.35-0ubuntu3.8) 2.35' } },
    { name: 'alpine', smi: { kind: 'missing' }, node: 'missing', platform: { unameSm: 'Linux x86_64', lddVersion: 'musl libc (x86_64)\nVersion 1.2.4' } },
    { name: 'centos7', smi: { kind: 'missing' }, node: 'missing', platform: { unameSm: 'Linux x86_64', lddVersion: 'ldd (GNU libc) 2.17' } },
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

test('a host without node on PATH gets this machine\'s Node.js copied once, then reused by hash; the cleanup removes it', async (t) => {
  const connection = await connect('no-node');
  assert.notEqual((await connection.exec('command -v node', { timeoutMs: 5000 })).exitCode, 0, 'the host really has no node on PATH');
  const homeDir = await remoteHomeDir(connection);
  const local = await shippableNodeOf(process.execPath);
  const firstStartMs = Date.now();
  const first = await ensureNodeRuntime(connection, { shippablePath: process.execPath, homeDir });
  t.diagnostic(`first call (copy of ${(local.sizeBytes / 2 ** 20).toFixed(0)} MiB over loopback SFTP + check): ${Date.now() - firstStartMs} ms`);
  assert.equal(first.source, 'shipped');
  assert.equal(first.wasCopied, true);
  assert.equal(first.path, `${homeDir}/.cache/shardscope/node-${local.hash}/node`);
  assert.equal(first.version, process.version);
  // The hosts share this filesystem: the copy is really there, whole and executable.
  assert.equal(statSync(first.path).size, local.sizeBytes);
  assert.ok(statSync(first.path).mode & 0o100);
  const mtimeMs = statSync(first.path).mtimeMs;

  const secondStartMs = Date.now();
  const second = await ensureNodeRuntime(connection, { shippablePath: process.execPath, homeDir });
  t.diagnostic(`second call (hash hit + check): ${Date.now() - secondStartMs} ms`);
  assert.deepEqual({ ...second, wasCopied: false }, second, 'hash hit: nothing copied');
  assert.equal(second.path, first.path);
  assert.equal(statSync(first.path).mtimeMs, mtimeMs);

  // A host with a too-old node on PATH uses the shipped one too (same user and home here: the cached copy).
  const old = await connect('old-node');
  const onOld = await ensureNodeRuntime(old, { shippablePath: process.execPath, homeDir });
  assert.equal(onOld.source, 'shipped');
  assert.equal(onOld.wasCopied, false);

  // Only ShardScope uses it: it is not on the host's PATH afterwards.
  assert.notEqual((await connection.exec('command -v node', { timeoutMs: 5000 })).exitCode, 0);
  const runs = await connection.exec(shellQuote([first.path, '-e', 'process.stdout.write(String(process.versions.modules))']), { timeoutMs: 15_000 });
  assert.equal(runs.stdout, process.versions.modules);

  const removed = await removeShardScopeCache(connection);
  assert.equal(removed.dir, `${homeDir}/.cache/shardscope`);
  assert.ok(removed.removedBytes >= local.sizeBytes, `${removed.removedBytes} bytes removed`);
  assert.ok(!existsSync(removed.dir));
  const again = await removeShardScopeCache(connection);
  assert.equal(again.removedBytes, 0);
});

test('a host\'s node setting is used as is; a wrong one is named, never replaced by a copy', async () => {
  const connection = await connect('no-node');
  const homeDir = await remoteHomeDir(connection);
  const set = await ensureNodeRuntime(connection, { nodePath: '/usr/bin/node', shippablePath: process.execPath, homeDir });
  assert.deepEqual(set, { path: '/usr/bin/node', version: process.version, source: 'setting', wasCopied: false });
  await assert.rejects(ensureNodeRuntime(connection, { nodePath: '/opt/none/bin/node', shippablePath: process.execPath, homeDir }), (error: unknown) => {
    assert.ok(error instanceof ShardScopeError && error.kind === 'node-missing');
    assert.match(error.message, /its node setting \/opt\/none\/bin\/node does not run \(not found\)/);
    return true;
  });
});

test('hosts of another CPU or C library get one line naming what they need, and nothing is copied', async () => {
  const cases = [
    ['arm', /cannot run there \(Linux aarch64, glibc 2\.35\): the host's CPU is aarch64, this machine's Node\.js is built for x86_64 — install Node\.js 20\+ for aarch64 there and set the host's node path/],
    ['alpine', /\(Linux x86_64, musl 1\.2\.4\): the host's C library is musl \(e\.g\. Alpine\).* — install Node\.js 20\+ for x86_64\/musl there/],
    ['centos7', /the host has glibc 2\.17, this machine's Node\.js needs glibc 2\.\d+ or newer/],
  ] as const;
  if (process.arch !== 'x64') return; // the stand-ins above describe hosts unlike an x86_64 machine
  for (const [name, words] of cases) {
    const connection = await connect(name);
    const homeDir = await remoteHomeDir(connection);
    await assert.rejects(ensureNodeRuntime(connection, { shippablePath: process.execPath, homeDir }), (error: unknown) => {
      assert.ok(error instanceof ShardScopeError, String(error));
      assert.equal(error.kind, 'node-missing');
      assert.ok(!error.message.includes('\n'), 'one line');
      assert.match(error.message, new RegExp(`^host ${name} .*: no Node\\.js, and ShardScope's Node\\.js \\(Linux x86_64, glibc >= 2\\.\\d+\\)`));
      assert.match(error.message, words);
      return true;
    });
    assert.ok(!existsSync(`${homeDir}/.cache/shardscope/node-${(await shippableNodeOf(process.execPath)).hash}`), `nothing copied for ${name}`);
  }
});
