import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Inventory } from '../../src-shared/inventory.js';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

const run = promisify(execFile);
const cli = new URL('../../dist/cli.cjs', import.meta.url).pathname;
let cluster: SshCluster;
before(async () => { cluster = await startSshCluster(); });
after(async () => { await cluster?.stop(); });

test('discover --ssh-config FILE --json lists every Host of the file with its GPUs, and a bad one as an error', async () => {
  const config = join(cluster.dir, 'ssh_config');
  const blocks = cluster.hosts.map((h) => `Host ${h.name}\n  HostName ${h.address}\n  User ${cluster.user}\n  IdentityFile ${cluster.clientKeyFile}\n`);
  blocks.push(`Host wrong-key\n  HostName ${cluster.hosts[0].address}\n  User ${cluster.user}\n  IdentityFile ${cluster.strangerKeyFile}\n`);
  blocks.push(`Host bad-port\n  HostName ${cluster.hosts[0].address}\n  Port 70000\n`);
  writeFileSync(config, blocks.join('\n'));
  const args = [cli, 'discover', '--ssh-config', config, '--known-hosts', cluster.knownHostsFile, '--json'];
  const env = { ...process.env, SSH_AUTH_SOCK: '', SHARDSCOPE_NVIDIA_SMI: '' };
  const result = await run(process.execPath, args, { env, timeout: 60_000 }).catch((error: { code: number; stdout: string }) => error);
  assert.equal((result as { code?: number }).code, 1, 'a failed host makes the exit code 1');
  const inventory = JSON.parse(result.stdout) as Inventory;
  const remote = inventory.hosts.filter((h) => !h.isLocal);
  assert.deepEqual(remote.map((h) => h.id), [...cluster.hosts.map((h) => h.name), 'wrong-key', 'bad-port']);
  for (const host of remote.slice(0, 3)) {
    assert.equal(host.status, 'ok', host.error?.message);
    assert.ok(host.gpus.length > 0);
  }
  assert.equal(remote[3].error?.kind, 'ssh-auth');
  assert.equal(remote[4].status, 'error', 'a Host with a bad Port fails alone');
  assert.match(remote[4].error?.message ?? '', /bad port "70000"/);
});

test('hosts import --ssh-config keeps the good Hosts and names the one with a bad Port', async () => {
  const config = join(cluster.dir, 'ssh_config_import');
  writeFileSync(config, `Host fine\n  HostName 10.0.0.1\n\nHost broken\n  HostName 10.0.0.2\n  Port 0\n`);
  const home = mkdtempSync(join(tmpdir(), 'shardscope-import-'));
  const result = await run(process.execPath, [cli, 'hosts', 'import', '--ssh-config', config], { env: { ...process.env, SHARDSCOPE_HOME: home }, timeout: 30_000 });
  assert.match(result.stdout, /imported 1 host \(fine\)/);
  assert.match(result.stderr, /skipped Host broken: bad port "0"/);
  const listed = await run(process.execPath, [cli, 'hosts', 'list', '--json'], { env: { ...process.env, SHARDSCOPE_HOME: home } });
  assert.deepEqual((JSON.parse(listed.stdout) as { hosts: { id: string }[] }).hosts.map((h) => h.id), ['fine']);
});
