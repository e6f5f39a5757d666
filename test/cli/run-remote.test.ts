/** `shardscope run --hosts FILE`: the real CLI bundle placing ranks on the SSH test cluster and keeping the run. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
let cluster: SshCluster;
let dir: string;

before(async () => {
  cluster = await startSshCluster();
  dir = mkdtempSync(join(tmpdir(), 'shardscope-run-remote-'));
});
after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHARDSCOPE_HOME: dir, SSH_AUTH_SOCK: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function hostsFile(name: string, entries: unknown[]): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

test('run --hosts places dp2 x pp2 on local + two hosts, trains, and the history names the hosts', async () => {
  const entry = (name: string, slots: number) => ({ id: name, host: cluster.host(name).address, user: cluster.user, identityFile: cluster.clientKeyFile, slots });
  const file = hostsFile('run-hosts.json', [{ local: true, slots: 1 }, entry('gpu-a100', 2), entry('gpu-4090', 1)]);
  const db = join(dir, 'runs.db');
  const result = await runCli(['run', '--model', 'tiny', '--strategy', 'dp=2,pp=2', '--steps', '2', '--hosts', file, '--known-hosts', cluster.knownHostsFile, '--db', db, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.worldSize, 4);
  assert.equal(summary.losses.length, 2);
  const runs = await runCli(['runs', '--db', db, '--json']);
  assert.equal(runs.code, 0, runs.stderr);
  assert.match(runs.stdout, /gpu-a100/);
});

test('run --hosts with a bad file, too few slots or an unknown host key fails with a one-line reason', async () => {
  const bad = await runCli(['run', '--model', 'tiny', '--strategy', 'dp=2', '--hosts', hostsFile('bad.json', [{ host: 'x', slots: 0 }])]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--hosts .*bad\.json: entry 0/);
  const few = await runCli(['run', '--model', 'tiny', '--strategy', 'dp=4', '--hosts', hostsFile('few.json', [{ local: true, slots: 2 }])]);
  assert.equal(few.code, 2);
  assert.match(few.stderr, /needs 4 ranks but the hosts offer 2/);
  const emptyKnown = join(dir, 'known_hosts_empty');
  writeFileSync(emptyKnown, '');
  const host = cluster.host('gpu-4090');
  const unknown = await runCli(['run', '--model', 'tiny', '--strategy', 'dp=2', '--known-hosts', emptyKnown,
    '--hosts', hostsFile('one.json', [{ host: host.address, user: cluster.user, identityFile: cluster.clientKeyFile, slots: 2 }])]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown host key ssh-ed25519 SHA256:/);
  assert.equal(unknown.stderr.trim().split('\n').length, 1, 'one line');
});

test('hosts probe measures every pair of the file\'s hosts and keeps the links in hosts.json', async () => {
  const host = cluster.host('gpu-2x2080');
  const file = hostsFile('probe.json', ['local', { id: 'gpu-2x2080', host: host.address, user: cluster.user, identityFile: cluster.clientKeyFile }]);
  const probe = await runCli(['hosts', 'probe', '--hosts', file, '--known-hosts', cluster.knownHostsFile, '--seconds', '0.3', '--json']);
  assert.equal(probe.code, 0, probe.stderr);
  const { links, interNodeBytesPerSecond } = JSON.parse(probe.stdout);
  assert.equal(links.length, 1);
  assert.equal(interNodeBytesPerSecond, links[0].bytesPerSecond);
  const list = await runCli(['hosts', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout).links.map((l: { from: string; to: string }) => [l.from, l.to]), [['local', 'gpu-2x2080']]);
});
