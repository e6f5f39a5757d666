import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { parseHostSpec } from '../../../src-main/core/ssh/target.js';
import { parseSshConfigEntries, parseSshConfigHosts } from '../../../src-main/core/ssh/ssh-config-import.js';

test('parseHostSpec reads [user@]host[:port]', () => {
  assert.deepEqual(parseHostSpec('alice@gpu1:2222', 'me'), { id: 'alice@gpu1:2222', host: 'gpu1', port: 2222, user: 'alice' });
  assert.deepEqual(parseHostSpec('gpu1', 'me'), { id: 'gpu1', host: 'gpu1', port: 22, user: 'me' });
  assert.deepEqual(parseHostSpec('bob@[fe80::1]:23', 'me'), { id: 'bob@[fe80::1]:23', host: 'fe80::1', port: 23, user: 'bob' });
});

test('parseHostSpec refuses bad specs with bad-input', () => {
  for (const spec of ['', 'gpu1:0', 'gpu1:70000', 'gpu1:x', '-oProxyCommand=x', 'a b', 'a;b@gpu1', 'gpu1:2:3']) {
    assert.throws(() => parseHostSpec(spec, 'me'), { kind: 'bad-input' }, spec);
  }
});

test('ssh config import: aliases resolved with HostName, User, Port, IdentityFile and one ProxyJump', () => {
  const text = [
    'Host gpu1 gpu1-alias', '  HostName 10.0.0.11', '  Port 2201', '  IdentityFile ~/.ssh/gpu_key', '',
    'Host gpu2', '  HostName gpu2.lab', '  User bob', '  ProxyJump gpu1', '',
    'Host *.wild', '  User nobody', '',
    'Host *', '  User defaultuser', '', // OpenSSH: the first value found wins, so defaults go last
  ].join('\n');
  const hosts = parseSshConfigHosts(text);
  assert.deepEqual(hosts.map((h) => h.id), ['gpu1', 'gpu1-alias', 'gpu2']);
  const [gpu1, , gpu2] = hosts;
  assert.equal(gpu1.host, '10.0.0.11');
  assert.equal(gpu1.port, 2201);
  assert.equal(gpu1.user, 'defaultuser');
  assert.deepEqual(gpu1.identityFiles, [`${homedir()}/.ssh/gpu_key`]);
  assert.equal(gpu2.host, 'gpu2.lab');
  assert.equal(gpu2.user, 'bob');
  assert.equal(gpu2.proxyJump?.host, '10.0.0.11');
  assert.equal(gpu2.proxyJump?.port, 2201);
});

test('ssh config import: multi-hop ProxyJump and ProxyCommand are refused clearly, for that Host only', () => {
  const { hosts, skipped } = parseSshConfigEntries('Host a\n  ProxyJump b,c\n\nHost p\n  ProxyCommand nc %h %p\n\nHost ok\n  HostName 10.0.0.1\n');
  assert.deepEqual(hosts.map((h) => h.id), ['ok']);
  assert.deepEqual(skipped.map((s) => s.alias), ['a', 'p']);
  assert.match(skipped[0].reason, /more than one host/);
  assert.match(skipped[1].reason, /ProxyCommand is not supported/);
});

test('ssh config import: a bad Port drops that Host with its reason and keeps the others', () => {
  const { hosts, skipped } = parseSshConfigEntries('Host good1\n  HostName 10.0.0.1\n\nHost bad\n  HostName 10.0.0.2\n  Port 99999\n\nHost good2\n  HostName 10.0.0.3\n  Port 2222\n', 'cfg');
  assert.deepEqual(hosts.map((h) => [h.id, h.port]), [['good1', 22], ['good2', 2222]]);
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0].alias, 'bad');
  assert.match(skipped[0].reason, /bad port "99999" in "cfg Host bad"/);
});
