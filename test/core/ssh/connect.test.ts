import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { acceptHostKey, connectSsh, type SshConnection } from '../../../src-main/core/ssh/index.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { clusterTarget, generateKey, keygenFingerprint, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

let cluster: SshCluster;
before(async () => { cluster = await startSshCluster(); });
after(async () => { await cluster?.stop(); });

async function connectError(promise: Promise<SshConnection>): Promise<ShardScopeError> {
  try {
    (await promise).close();
  } catch (error) {
    assert.ok(error instanceof ShardScopeError, String(error));
    return error;
  }
  assert.fail('expected the connection to fail');
}

async function runWhoami(connection: SshConnection): Promise<string> {
  try {
    const result = await connection.exec('id -un', { timeoutMs: 5000 });
    assert.equal(result.exitCode, 0, result.stderr);
    return result.stdout.trim();
  } finally {
    connection.close();
  }
}

test('key, password and passphrase-protected key all log in against a known host key', async () => {
  const knownHostsFile = cluster.knownHostsFile;
  assert.equal(await runWhoami(await connectSsh(clusterTarget(cluster, 'gpu-a100'), { knownHostsFile })), cluster.user);
  const byPassword = clusterTarget(cluster, 'gpu-a100', { identityFiles: [], password: cluster.password });
  assert.equal(await runWhoami(await connectSsh(byPassword, { knownHostsFile })), cluster.user);
  const byProtectedKey = clusterTarget(cluster, 'gpu-a100', { identityFiles: [cluster.protectedKeyFile], passphrase: cluster.keyPassphrase });
  assert.equal(await runWhoami(await connectSsh(byProtectedKey, { knownHostsFile })), cluster.user);
});

test('a protected key without its passphrase, or with a wrong one, is an ssh-auth error naming the key', async () => {
  const knownHostsFile = cluster.knownHostsFile;
  const noPassphrase = await connectError(connectSsh(clusterTarget(cluster, 'gpu-a100', { identityFiles: [cluster.protectedKeyFile] }), { knownHostsFile }));
  assert.equal(noPassphrase.kind, 'ssh-auth');
  assert.match(noPassphrase.message, /passphrase/);
  const wrong = await connectError(connectSsh(clusterTarget(cluster, 'gpu-a100', { identityFiles: [cluster.protectedKeyFile], passphrase: 'nope' }), { knownHostsFile }));
  assert.equal(wrong.kind, 'ssh-auth');
  assert.match(wrong.message, /wrong passphrase/);
});

test('a wrong key or a wrong password fails for that host only', async () => {
  const knownHostsFile = cluster.knownHostsFile;
  const attempts = await Promise.allSettled([
    connectSsh(clusterTarget(cluster, 'gpu-a100', { identityFiles: [cluster.strangerKeyFile] }), { knownHostsFile }),
    connectSsh(clusterTarget(cluster, 'gpu-4090', { identityFiles: [], password: `${cluster.password}x` }), { knownHostsFile }),
    connectSsh(clusterTarget(cluster, 'gpu-2x2080'), { knownHostsFile }),
  ]);
  const [wrongKey, wrongPassword, good] = attempts;
  assert.equal(wrongKey.status, 'rejected');
  assert.equal((wrongKey as PromiseRejectedResult).reason.kind, 'ssh-auth');
  assert.match((wrongKey as PromiseRejectedResult).reason.message, /^host gpu-a100 .*permission denied \(publickey,password\)/);
  assert.equal(wrongPassword.status, 'rejected');
  assert.equal((wrongPassword as PromiseRejectedResult).reason.kind, 'ssh-auth');
  assert.equal(good.status, 'fulfilled');
  assert.equal(await runWhoami((good as PromiseFulfilledResult<SshConnection>).value), cluster.user);
});

test('an unknown host key is refused with the fingerprint ssh-keygen shows, and accepted once added', async (t) => {
  const knownHostsFile = join(cluster.dir, `known_hosts_empty_${process.hrtime.bigint()}`);
  const host = cluster.host('gpu-4090');
  const error = await connectError(connectSsh(clusterTarget(cluster, 'gpu-4090'), { knownHostsFile }));
  assert.equal(error.kind, 'host-key-unknown');
  const expected = keygenFingerprint(host.hostPublicKeyFile);
  assert.equal(error.details?.fingerprint, expected);
  assert.ok(error.message.includes(expected));
  await t.test('accepting it writes a line ssh itself trusts', async () => {
    acceptHostKey(knownHostsFile, String(error.details?.host), Number(error.details?.port), Buffer.from(String(error.details?.keyBase64), 'base64'));
    assert.equal(await runWhoami(await connectSsh(clusterTarget(cluster, 'gpu-4090'), { knownHostsFile })), cluster.user);
    const out = execFileSync('/usr/bin/ssh-keygen', ['-F', host.address, '-f', knownHostsFile], { encoding: 'utf8' });
    assert.ok(out.includes(readFileSync(host.hostPublicKeyFile, 'utf8').split(/\s+/)[1]));
  });
});

test('a hashed known_hosts entry (ssh-keygen -H) is honoured', async () => {
  const knownHostsFile = join(cluster.dir, `known_hosts_hashed_${process.hrtime.bigint()}`);
  copyFileSync(cluster.knownHostsFile, knownHostsFile);
  execFileSync('/usr/bin/ssh-keygen', ['-H', '-f', knownHostsFile], { stdio: 'ignore' });
  assert.match(readFileSync(knownHostsFile, 'utf8'), /^\|1\|/);
  assert.equal(await runWhoami(await connectSsh(clusterTarget(cluster, 'gpu-2x2080'), { knownHostsFile })), cluster.user);
});

test('a changed host key is refused with a warning naming the known_hosts line', async () => {
  const knownHostsFile = join(cluster.dir, `known_hosts_changed_${process.hrtime.bigint()}`);
  const host = cluster.host('gpu-a100');
  const impostorKey = join(cluster.dir, `impostor_${process.hrtime.bigint()}`);
  generateKey(impostorKey, 'impostor');
  const recorded = readFileSync(`${impostorKey}.pub`, 'utf8').split(/\s+/).slice(0, 2).join(' ');
  writeFileSync(knownHostsFile, `# the host used to have another key\n${host.address} ${recorded}\n`);
  const error = await connectError(connectSsh(clusterTarget(cluster, 'gpu-a100'), { knownHostsFile }));
  assert.equal(error.kind, 'host-key-mismatch');
  assert.match(error.message, /HOST KEY CHANGED/);
  assert.ok(error.message.includes(keygenFingerprint(host.hostPublicKeyFile)));
  assert.match(error.message, /line 2/);
});

test('unreachable hosts fail within the timeout: refused port, silent address', async () => {
  const knownHostsFile = cluster.knownHostsFile;
  const refused = await connectError(connectSsh(clusterTarget(cluster, 'gpu-a100', { port: 2 }), { knownHostsFile, timeoutMs: 3000 }));
  assert.equal(refused.kind, 'ssh-unreachable');
  assert.match(refused.message, /refused/);
  const startedMs = Date.now();
  const silent = await connectError(connectSsh(clusterTarget(cluster, 'gpu-a100', { host: cluster.deadAddress }), { knownHostsFile, timeoutMs: 1500 }));
  assert.ok(['ssh-timeout', 'ssh-unreachable'].includes(silent.kind), silent.message);
  assert.ok(Date.now() - startedMs < 1500 + 1000);
});

test('a connection is cancelled by its AbortSignal', async () => {
  const controller = new AbortController();
  const pending = connectSsh(clusterTarget(cluster, 'gpu-a100', { host: cluster.deadAddress }), { knownHostsFile: cluster.knownHostsFile, timeoutMs: 30_000, signal: controller.signal });
  controller.abort();
  const error = await connectError(pending);
  assert.equal(error.kind, 'cancelled');
});

test('ProxyJump: a host is reached through another cluster host', async () => {
  const jump = clusterTarget(cluster, 'gpu-a100');
  const target = clusterTarget(cluster, 'gpu-2x2080', { proxyJump: jump });
  const connection = await connectSsh(target, { knownHostsFile: cluster.knownHostsFile });
  try {
    const result = await connection.exec('nvidia-smi -q -x', { timeoutMs: 5000 });
    assert.equal((result.stdout.match(/<product_name>/g) ?? []).length, 2);
  } finally {
    connection.close();
  }
});
