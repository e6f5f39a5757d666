/** Host settings in hosts.json: add, import from an ssh config, remove, link measurements; never a secret. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { addHosts, defaultHostSettingsPath, importSshConfigHosts, loadHostSettings, removeHost, saveLinks, savedHostOf, setHostRuntime, targetOfSaved } from '../../../src-main/core/hosts/host-settings.js';
import { parseHostsFile } from '../../../src-main/core/launch/remote-placement.js';

test('hosts are added, imported (skipping those already listed) and removed; passwords and passphrases are never written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-hosts-'));
  const file = defaultHostSettingsPath({ SHARDSCOPE_HOME: dir });
  assert.equal(file, join(dir, 'hosts.json'));
  assert.deepEqual(loadHostSettings(file).hosts, []);
  const secret = `pw-${Math.random().toString(36).slice(2)}`;
  addHosts(file, [savedHostOf({ id: 'gpu1', host: '10.0.0.5', port: 2222, user: 'alice', password: secret, passphrase: secret, identityFiles: ['/k/id'] }, 'manual')]);
  const sshConfig = join(dir, 'config');
  writeFileSync(sshConfig, 'Host gpu2\n  HostName 10.0.0.6\n  User bob\n  Port 2200\nHost gpu1\n  HostName 10.0.0.9\n  User carol\nHost box5\n  HostName 10.0.0.5\n  Port 2222\n  User dave\nHost gpu2b\n  HostName 10.0.0.6\n  Port 2200\n');
  const { settings: imported, skipped } = importSshConfigHosts(file, sshConfig);
  assert.deepEqual(imported.hosts.map((h) => [h.id, h.host, h.user, h.port, h.source]), [['gpu1', '10.0.0.5', 'alice', 2222, 'manual'], ['gpu2', '10.0.0.6', 'bob', 2200, 'ssh-config']], 'hosts already listed are kept as they were');
  assert.deepEqual(skipped, [{ id: 'gpu1', existingId: 'gpu1' }, { id: 'box5', existingId: 'gpu1' }, { id: 'gpu2b', existingId: 'gpu2' }], 'same name, or same address and port under another name');
  const again = importSshConfigHosts(file, sshConfig);
  assert.deepEqual([again.imported, again.skipped.length, again.settings.hosts.length], [[], 4, 2], 'importing twice adds nothing');
  const settings = { hosts: [imported.hosts[1]] };
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(secret), 'no secret in hosts.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(targetOfSaved(settings.hosts[0]), { id: 'gpu2', host: '10.0.0.6', port: 2200, user: 'bob', ...(settings.hosts[0].identityFiles ? { identityFiles: settings.hosts[0].identityFiles } : {}) });

  saveLinks(file, [{ from: 'gpu1', to: 'gpu2', latencyMs: 0.2, bytesPerSecond: 1e9, measuredAtMs: 1 }]);
  const relinked = saveLinks(file, [{ from: 'gpu2', to: 'gpu1', latencyMs: 0.3, bytesPerSecond: 2e9, measuredAtMs: 2 }]);
  assert.deepEqual(relinked.links.map((l) => l.bytesPerSecond), [2e9], 'a new measurement of the same pair replaces the old one');
  const removed = removeHost(file, 'gpu1');
  assert.deepEqual(removed.hosts.map((h) => h.id), ['gpu2']);
  assert.deepEqual(removed.links, []);
});

test('a corrupt hosts.json is a bad-input error naming the file', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'shardscope-hosts-')), 'hosts.json');
  writeFileSync(file, '{"version":1,"hosts":[{"id":"x","password":"p"}],"links":[]}');
  assert.throws(() => loadHostSettings(file), (e: unknown) => e instanceof ShardScopeError && e.kind === 'bad-input' && e.message.includes(file));
});

test('runtime settings: node and python paths per saved host and per hosts-file entry; odd paths are bad input', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'shardscope-hosts-')), 'hosts.json');
  addHosts(file, [savedHostOf({ id: 'gpu1', host: '10.0.0.5', port: 22, user: 'alice' }, 'manual')]);
  const set = setHostRuntime(file, 'gpu1', { node: '/opt/node-v20/bin/node', python: '/opt/conda/bin/python' });
  assert.deepEqual([set.hosts[0].node, set.hosts[0].python], ['/opt/node-v20/bin/node', '/opt/conda/bin/python']);
  assert.deepEqual(loadHostSettings(file).hosts[0].node, '/opt/node-v20/bin/node', 'kept in hosts.json');
  const cleared = setHostRuntime(file, 'gpu1', { node: null });
  assert.deepEqual([cleared.hosts[0].node, cleared.hosts[0].python], [undefined, '/opt/conda/bin/python'], 'null clears one, absent keeps the other');
  assert.throws(() => setHostRuntime(file, 'gpu1', { node: '~/node; rm -rf /' }), (e: unknown) => e instanceof ShardScopeError && e.kind === 'bad-input' && /node path of gpu1/.test(e.message));
  assert.throws(() => setHostRuntime(file, 'nope', { node: '/usr/bin/node' }), (e: unknown) => e instanceof ShardScopeError && e.kind === 'not-found');

  const hosts = parseHostsFile(JSON.stringify(['local', { host: 'gpu9', node: '/opt/node/bin/node', python: '/usr/bin/python3.11' }]), 'me');
  assert.deepEqual(hosts[1], { kind: 'remote', id: 'gpu9', target: { id: 'gpu9', host: 'gpu9', port: 22, user: 'me' }, devices: ['cpu:0'], node: '/opt/node/bin/node', python: '/usr/bin/python3.11' });
  assert.throws(() => parseHostsFile(JSON.stringify([{ host: 'gpu9', node: '$(reboot)' }]), 'me', 'hosts.json'), /hosts\.json: entry 0\.node: a program path/);
});
