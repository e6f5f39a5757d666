/**
 * One known_hosts for app and CLI: `discover --host` refuses an unknown key and says how to trust
 * it; `hosts trust HOST` shows the fingerprint, trusts it only when told the same one, into
 * $SHARDSCOPE_HOME/known_hosts; then `discover --host` works, and the app's HostsService reads the
 * same files in the same order (ShardScope's, then ~/.ssh/known_hosts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Inventory } from '../../src-shared/inventory.js';
import { HostsService } from '../../src-main/core/hosts/hosts-service.js';
import { keygenFingerprint, publicKeyLine, startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

const execFileAsync = promisify(execFile);
const cli = new URL('../../dist/cli.cjs', import.meta.url).pathname;
let cluster: SshCluster;
let home: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  cluster = await startSshCluster([
    { name: 'fresh', smi: { kind: 'fixture', xmlFile: 'xml/telegraf_a100-sxm4-80gb_535.54.03_v12.xml', topoFile: null } },
    { name: 'openssh-known', smi: { kind: 'missing' } },
  ]);
  home = mkdtempSync(join(tmpdir(), 'shardscope-trust-'));
  env = { ...process.env, HOME: home, SHARDSCOPE_HOME: join(home, 'state'), SSH_AUTH_SOCK: '', SHARDSCOPE_NVIDIA_SMI: '' };
  // The second host is known to OpenSSH already: ~/.ssh/known_hosts of this user.
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh', 'known_hosts'), `${cluster.host('openssh-known').address} ${publicKeyLine(cluster.host('openssh-known').hostPublicKeyFile)}\n`);
});
after(async () => {
  await cluster?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function shardscope(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, [cli, ...args], { env, timeout: 60_000 }).then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
}

function spec(name: string): string {
  return `${cluster.user}@${cluster.host(name).address}`;
}

async function discoverHost(name: string): Promise<{ code: number; host: Inventory['hosts'][number] }> {
  const result = await shardscope(['discover', '--host', spec(name), '--identity', cluster.clientKeyFile, '--json']);
  return { code: result.code, host: (JSON.parse(result.stdout) as Inventory).hosts.find((h) => !h.isLocal)! };
}

test('hosts trust shows the fingerprint, trusts only the same one, and discover --host then works', async () => {
  const fingerprint = keygenFingerprint(cluster.host('fresh').hostPublicKeyFile);
  const trustFile = join(home, 'state', 'known_hosts');
  const before = await discoverHost('fresh');
  assert.equal(before.code, 1);
  assert.equal(before.host.error?.kind, 'host-key-unknown');
  assert.match(before.host.error!.message, new RegExp(`not in ${trustFile} or ${join(home, '.ssh', 'known_hosts')}; .*shardscope hosts trust`));

  const shown = await shardscope(['hosts', 'trust', spec('fresh')]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`presents ssh-ed25519 ${fingerprint.replace(/[+/]/g, '\\$&')}\\n`));
  assert.match(shown.stdout, /not trusted yet.*\n.*--fingerprint SHA256:/);
  assert.ok(!existsSync(trustFile), 'showing trusts nothing');

  const wrong = await shardscope(['hosts', 'trust', spec('fresh'), '--fingerprint', `SHA256:${'A'.repeat(43)}`]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /not the SHA256:A+ you gave — nothing was trusted/);
  assert.ok(!existsSync(trustFile));
  assert.equal((await shardscope(['hosts', 'trust', spec('fresh'), '--fingerprint', 'SHA256:short'])).code, 2, 'a malformed fingerprint is bad input');

  const trusted = await shardscope(['hosts', 'trust', spec('fresh'), '--fingerprint', fingerprint]);
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.match(trusted.stdout, new RegExp(`trusted \\(written to ${trustFile}\\)`));
  assert.equal(readFileSync(trustFile, 'utf8'), `${cluster.host('fresh').address} ${publicKeyLine(cluster.host('fresh').hostPublicKeyFile)}\n`);
  assert.match((await shardscope(['hosts', 'trust', spec('fresh')])).stdout, /already trusted/);

  const after = await discoverHost('fresh');
  assert.equal(after.code, 0, after.host.error?.message);
  assert.equal(after.host.status, 'ok');
  assert.equal(after.host.gpus.length, 1);
  // A key OpenSSH already knows needs no trust step.
  assert.equal((await discoverHost('openssh-known')).host.status, 'ok');
});

test('the app reads the same files in the same order: the CLI-trusted key and ~/.ssh/known_hosts', async () => {
  const settingsFile = join(home, 'state', 'hosts.json');
  const service = new HostsService({ settingsFile, env, agentSocket: '' });
  try {
    assert.deepEqual(service.knownHostsFiles, [join(home, 'state', 'known_hosts'), join(home, '.ssh', 'known_hosts')]);
    for (const name of ['fresh', 'openssh-known']) service.add({ host: cluster.host(name).address, user: cluster.user, port: 22, identityFile: cluster.clientKeyFile, id: name });
    const state = await service.discover({});
    for (const name of ['fresh', 'openssh-known']) {
      const status = state.statuses.find((s) => s.hostId === name)!;
      assert.equal(status.state, 'ok', status.inventory.error?.message);
      assert.equal(status.hostKey, undefined, 'no key prompt: already trusted');
    }
  } finally {
    service.close();
  }
});

test('hosts clean removes ShardScope\'s cache on a host; without a host it is bad usage', async () => {
  assert.equal((await shardscope(['hosts', 'clean'])).code, 2);
  const cleaned = await shardscope(['hosts', 'clean', spec('fresh'), '--identity', cluster.clientKeyFile]);
  assert.equal(cleaned.code, 0, cleaned.stderr);
  assert.match(cleaned.stdout, new RegExp(`^host ${spec('fresh').replace(/\./g, '\\.')}: removed /\\S+/\\.cache/shardscope \\(\\d+\\.\\d MiB\\)\\n$`));
});
