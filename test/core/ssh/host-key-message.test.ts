/** The changed-host-key message gives the exact command that removes the old entry, `[host]:port` form included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'ssh2';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { connectSsh } from '../../../src-main/core/ssh/index.js';
import { generateKey, publicKeyLine } from '../../support/ssh-cluster/index.js';

test('a changed key on [127.0.0.5]:PORT: the suggested ssh-keygen -R command really removes that entry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-hostkey-'));
  const hostKey = join(dir, 'host_key');
  const oldKey = join(dir, 'old_key');
  generateKey(hostKey, 'host');
  generateKey(oldKey, 'old');
  // A real SSH server (ssh2) on 127.0.0.5 and a port other than 22, with a key that is not the recorded one.
  const server = new Server({ hostKeys: [readFileSync(hostKey)] }, (client) => client.on('error', () => {}));
  server.listen(0, '127.0.0.5');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const knownHostsFile = join(dir, 'known hosts'); // a space in the path: the command must quote it
  writeFileSync(knownHostsFile, `other.example ${publicKeyLine(`${oldKey}.pub`)}\n[127.0.0.5]:${port} ${publicKeyLine(`${oldKey}.pub`)}\n`);
  try {
    const error = await connectSsh({ id: 'gpu5', host: '127.0.0.5', port, user: 'nobody', identityFiles: [], agentSocket: '', password: 'not-used' }, { knownHostsFile, timeoutMs: 5000 })
      .then((c) => { c.close(); return null; }, (e: unknown) => e);
    assert.ok(error instanceof ShardScopeError, String(error));
    assert.equal(error.kind, 'host-key-mismatch');
    const command = `ssh-keygen -R '[127.0.0.5]:${port}' -f '${knownHostsFile}'`;
    assert.ok(error.message.includes(command), `the message gives the exact command: ${error.message}`);
    execFileSync('/bin/sh', ['-c', command], { stdio: 'ignore' });
    const left = readFileSync(knownHostsFile, 'utf8');
    assert.doesNotMatch(left, /127\.0\.0\.5/, 'the command removed the entry');
    assert.match(left, /other\.example/, 'and only that entry');
  } finally {
    server.close();
  }
});
