/** The Hosts calls through the contract's validation, against real sshd hosts of the SSH test cluster. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { HostsState, ImportSshConfigResult } from '../../../src-shared/api/hosts-contract.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { dispatchCall } from '../../../src-main/core/api/dispatch.js';
import { hostsHandlers } from '../../../src-main/core/api/hosts-handlers.js';
import { HostsService } from '../../../src-main/core/hosts/hosts-service.js';
import { MemorySecretStore } from '../../../src-main/core/hosts/secret-store.js';
import { fixturesDir, keygenFingerprint, publicKeyLine, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';
import { WORKER_PATH } from '../../support/paths.js';

let cluster: SshCluster;
let dir: string;

before(async () => { cluster = await startSshCluster(); });
after(async () => { await cluster?.stop(); });

/** A fresh app home with its own hosts.json and known_hosts; `pushed` collects the `hosts` events. */
function freshService(secrets?: MemorySecretStore) {
  dir = mkdtempSync(join(tmpdir(), 'shardscope-hosts-'));
  const pushed: HostsState[] = [];
  const service = new HostsService({ settingsFile: join(dir, 'hosts.json'), secrets, agentSocket: '', discoveryTimeoutMs: 15_000, onChange: (s) => pushed.push(s) });
  const handlers = hostsHandlers(service, { workerPath: WORKER_PATH }) as unknown as ApiHandlers;
  const call = <T>(method: string, arg?: unknown): Promise<T> => dispatchCall(handlers, method, arg === undefined ? [] : [arg]) as Promise<T>;
  return { service, call, pushed };
}

async function rejectsWith(promise: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof ShardScopeError && error.kind === kind && pattern.test(error.message));
}

function fixtureGpuNames(xmlFile: string): string[] {
  return [...readFileSync(join(fixturesDir, xmlFile), 'utf8').matchAll(/<product_name>([^<]+)<\/product_name>/g)].map((m) => m[1].trim());
}

function statusOf(state: HostsState, id: string) {
  const found = state.statuses.find((s) => s.hostId === id);
  assert.ok(found, `a status for ${id}`);
  return found;
}

test('unknown key asks with the ssh-keygen fingerprint; a wrong fingerprint is refused; accepting makes discovery ok', async () => {
  const { service, call, pushed } = freshService();
  const a100 = cluster.host('gpu-a100');
  await call('addHost', { host: a100.address, user: cluster.user, identityFile: cluster.clientKeyFile, id: 'gpu-a100' });
  const first = await call<HostsState>('discoverHosts', {});
  const asked = statusOf(first, 'gpu-a100');
  assert.equal(asked.state, 'error');
  assert.equal(asked.inventory.error?.kind, 'host-key-unknown');
  assert.equal(asked.hostKey?.fingerprint, keygenFingerprint(a100.hostPublicKeyFile));
  assert.equal(asked.hostKey?.knownHostsFile, join(dir, 'known_hosts'));
  assert.ok(pushed.some((s) => s.discovering.includes('gpu-a100')), 'the UI hears that discovery started');

  // Another real key's fingerprint (the 4090's) is not what this host presents: nothing is written.
  await rejectsWith(call('acceptHostKey', { hostId: 'gpu-a100', fingerprint: keygenFingerprint(cluster.host('gpu-4090').hostPublicKeyFile) }), 'host-key-mismatch', /nothing was trusted/);
  assert.equal(existsSync(service.knownHostsFile), false);
  await rejectsWith(call('acceptHostKey', { hostId: 'gpu-a100', fingerprint: 'MD5:aa' }), 'bad-input', /fingerprint/);

  const accepted = await call<{ wasKnown: boolean }>('acceptHostKey', { hostId: 'gpu-a100', fingerprint: asked.hostKey!.fingerprint });
  assert.equal(accepted.wasKnown, false);
  assert.match(readFileSync(service.knownHostsFile, 'utf8'), new RegExp(`^${a100.address.replace(/\./g, '\\.')} ssh-ed25519 `, 'm'));
  const second = statusOf(await call<HostsState>('discoverHosts', { hostIds: ['gpu-a100'] }), 'gpu-a100');
  assert.equal(second.state, 'ok', second.inventory.error?.message);
  assert.equal(second.hostKey, undefined);
  const spec = a100.smi as { xmlFile: string };
  assert.deepEqual(second.inventory.gpus.map((g) => g.name), fixtureGpuNames(spec.xmlFile));
  rmSync(dir, { recursive: true, force: true });
});

test('a wrong key is an ssh-auth error for that host only; a changed key is refused without a prompt', async () => {
  const { service, call } = freshService();
  writeFileSync(service.knownHostsFile, readFileSync(cluster.knownHostsFile)); // both hosts' real keys are trusted
  const good = cluster.host('gpu-4090');
  const bad = cluster.host('gpu-2x2080');
  await call('addHost', { host: good.address, user: cluster.user, identityFile: cluster.clientKeyFile, id: 'good' });
  await call('addHost', { host: bad.address, user: cluster.user, identityFile: cluster.strangerKeyFile, id: 'stranger' });
  const state = await call<HostsState>('discoverHosts', {});
  assert.equal(statusOf(state, 'good').state, 'ok');
  assert.equal(statusOf(state, 'stranger').inventory.error?.kind, 'ssh-auth');
  assert.match(statusOf(state, 'stranger').inventory.error?.message ?? '', /permission denied/);

  // The 2080 host's entry now holds another key: the 4090's. Its real key is "changed" -> refused, no prompt.
  const goodKey = publicKeyLine(good.hostPublicKeyFile);
  writeFileSync(service.knownHostsFile, `${good.address} ${goodKey}\n${bad.address} ${goodKey}\n`);
  await rejectsWith(call('addHost', { host: bad.address, user: cluster.user, identityFile: cluster.clientKeyFile, id: 'stranger' }), 'bad-input', /already listed \(user /);
  await call('removeHost', { hostId: 'stranger' });
  await call('addHost', { host: bad.address, user: cluster.user, identityFile: cluster.clientKeyFile, id: 'stranger' });
  const changed = statusOf(await call<HostsState>('discoverHosts', { hostIds: ['stranger'] }), 'stranger');
  assert.equal(changed.inventory.error?.kind, 'host-key-mismatch');
  assert.equal(changed.hostKey, undefined);
  await rejectsWith(call('acceptHostKey', { hostId: 'stranger', fingerprint: keygenFingerprint(bad.hostPublicKeyFile) }), 'host-key-mismatch', /HOST KEY CHANGED/);
  rmSync(dir, { recursive: true, force: true });
});

test('a password is used for its call only, or kept in memory when asked; hosts.json never holds it', async () => {
  const secrets = new MemorySecretStore();
  const { service, call } = freshService(secrets);
  writeFileSync(service.knownHostsFile, readFileSync(cluster.knownHostsFile));
  await call('addHost', { host: cluster.host('gpu-a100').address, user: cluster.user, id: 'pw' });
  const credentials = { pw: { password: cluster.password } };
  assert.equal(statusOf(await call('discoverHosts', { credentials }), 'pw').state, 'ok');
  const without = statusOf(await call('discoverHosts', {}), 'pw');
  assert.equal(without.inventory.error?.kind, 'ssh-auth', 'not kept without remember');
  const remembered = await call<HostsState>('discoverHosts', { credentials, remember: true });
  assert.equal(statusOf(remembered, 'pw').state, 'ok');
  assert.equal(remembered.hosts[0].hasStoredSecret, true);
  assert.equal(remembered.secretStore, 'memory');
  assert.equal(statusOf(await call('discoverHosts', {}), 'pw').state, 'ok', 'kept in memory');
  assert.ok(!readFileSync(join(dir, 'hosts.json'), 'utf8').includes(cluster.password));
  assert.ok(!JSON.stringify(remembered).includes(cluster.password), 'no secret goes back to the UI');
  const removed = await call<HostsState>('removeHost', { hostId: 'pw' });
  assert.deepEqual(removed.hosts, []);
  assert.equal(secrets.get('pw'), undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('bad input: unknown ids, missing files, bad host names are one-line errors with a kind', async () => {
  const { call } = freshService();
  await rejectsWith(call('addHost', { host: 'a;rm -rf /', user: 'x' }), 'bad-input', /host/);
  await rejectsWith(call('addHost', { host: 'h', user: 'x', identityFile: join(dir, 'nope') }), 'bad-input', /does not exist/);
  await rejectsWith(call('discoverHosts', { hostIds: ['ghost'] }), 'not-found', /ghost/);
  await rejectsWith(call('removeHost', { hostId: 'ghost' }), 'not-found', /ghost/);
  await rejectsWith(call('importSshConfig', { path: join(dir, 'no-config') }), 'bad-input', /no ssh config/);
  const config = join(dir, 'ssh_config');
  writeFileSync(config, `Host box1\n  HostName 10.1.2.3\n  User alice\n  Port 2222\n  IdentityFile ${cluster.clientKeyFile}\nHost badport\n  HostName 10.1.2.4\n  Port 70000\nHost *\n  User nobody\n`);
  const imported = await call<ImportSshConfigResult>('importSshConfig', { path: config });
  assert.deepEqual(imported.hosts.map((h) => [h.id, h.host, h.port, h.user, h.source]), [['box1', '10.1.2.3', 2222, 'alice', 'ssh-config']]);
  assert.deepEqual([imported.imported, imported.skipped], [['box1'], []]);
  // A Host the file gets wrong is left out with its one-line reason, in the answer the Hosts view shows.
  assert.deepEqual(imported.invalid.map((i) => i.alias), ['badport']);
  assert.match(imported.invalid[0].reason, /^[^\n]*70000[^\n]*$/);
  const again = await call<ImportSshConfigResult>('importSshConfig', { path: config });
  assert.deepEqual([again.imported, again.skipped, again.hosts.length], [[], [{ id: 'box1', existingId: 'box1' }], 1], 'a second import skips what is listed');
  await rejectsWith(call('addHost', { host: '10.1.2.3', user: 'bob', port: 2222 }), 'bad-input', /bob@10\.1\.2\.3:2222 is already listed as "box1" \(user alice, port 2222\); remove it first/);
  rmSync(dir, { recursive: true, force: true });
});
