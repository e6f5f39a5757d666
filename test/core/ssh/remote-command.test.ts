import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildRemoteCommand, connectSsh, type SshConnection } from '../../../src-main/core/ssh/index.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

let cluster: SshCluster;
let connection: SshConnection;
before(async () => {
  cluster = await startSshCluster();
  connection = await connectSsh(clusterTarget(cluster, 'gpu-4090'), { knownHostsFile: cluster.knownHostsFile });
});
after(async () => {
  connection?.close();
  await cluster?.stop();
});

/** Names that would run `touch CANARY` if they were pasted into a shell line instead of quoted. */
function hostileNames(canary: string): string[] {
  return [
    `a b  c`,
    `it's`,
    `"double" quoted`,
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `x; touch ${canary}; y`,
    `x && touch ${canary}`,
    `x | touch ${canary}`,
    `$HOME and \${PATH}`,
    `line\nbreak; touch ${canary}`,
    `'; touch ${canary}; '`,
    `*`,
    `-rf`,
    `back\\slash`,
  ];
}

test('a remote command built from hostile names runs only the intended command', async () => {
  const base = join(cluster.dir, 'home', `quoting dir 'x' $(id)`);
  const canary = 'CANARY'; // relative: an injected `touch` would create it in `base`
  const made = await connection.exec(buildRemoteCommand({ argv: ['mkdir', '-p', base] }), { timeoutMs: 5000 });
  assert.equal(made.exitCode, 0, made.stderr);
  const names = hostileNames(canary);
  for (const name of names) {
    const result = await connection.exec(buildRemoteCommand({ cwd: base, argv: ['mkdir', '--', name] }), { timeoutMs: 5000 });
    assert.equal(result.exitCode, 0, `${JSON.stringify(name)}: ${result.stderr}`);
  }
  assert.deepEqual(readdirSync(base).sort(), [...names].sort(), 'exactly one directory per name, each with the exact name');
  assert.equal(existsSync(join(base, canary)), false, 'no injected command ran');
});

test('environment values and the user name come through verbatim', async () => {
  const home = join(cluster.dir, 'home');
  const canary = 'CANARY-ENV';
  const values = hostileNames(canary);
  for (const value of values) {
    const result = await connection.exec(buildRemoteCommand({ cwd: home, env: { SHARDSCOPE_VALUE: value }, argv: ['printenv', 'SHARDSCOPE_VALUE'] }), { timeoutMs: 5000 });
    assert.equal(result.stdout, `${value}\n`);
  }
  const who = await connection.exec(buildRemoteCommand({ argv: ['id', '-un', cluster.user] }), { timeoutMs: 5000 });
  assert.equal(who.stdout.trim(), cluster.user);
  assert.equal(existsSync(join(home, canary)), false, 'no injected command ran');
});

test('a path that does not exist stops the command before it runs', async () => {
  const marker = join(cluster.dir, 'home', 'should-not-exist');
  const result = await connection.exec(buildRemoteCommand({ cwd: '/no such dir; touch x', argv: ['touch', marker] }), { timeoutMs: 5000 });
  assert.notEqual(result.exitCode, 0);
  assert.equal(existsSync(marker), false);
});
