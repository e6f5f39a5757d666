/**
 * `shardscope run --hosts FILE` with a host that has every system command but `node`: the real CLI
 * ships this machine's Node.js there and trains across both; a `node` path in the hosts file is used
 * as given, and a wrong one is a one-line error naming it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
let cluster: SshCluster;
let dir: string;

before(async () => {
  cluster = await startSshCluster([{ name: 'bare', smi: { kind: 'missing' }, node: 'missing' }]);
  dir = mkdtempSync(join(tmpdir(), 'shardscope-run-runtime-'));
});
after(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
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

function hostsFile(name: string, extra: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify([{ local: true, slots: 1 }, { host: cluster.host('bare').address, user: cluster.user, identityFile: cluster.clientKeyFile, ...extra }]));
  return file;
}

const runArgs = (file: string): string[] => ['run', '--model', 'tiny', '--strategy', 'dp=2', '--steps', '2', '--hosts', file, '--known-hosts', cluster.knownHostsFile, '--sample-ms', '0', '--json'];

test('run --hosts across this machine and a host without node ships Node.js there and trains', async () => {
  const result = await runCli(runArgs(hostsFile('hosts.json', {})));
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as { worldSize: number; steps: number };
  assert.deepEqual([summary.worldSize, summary.steps], [2, 2]);
  const cache = join(cluster.dir, 'home', '.cache', 'shardscope');
  assert.equal(readdirSync(cache).filter((n) => /^node-[0-9a-f]{16}$/.test(n)).length, 1, 'one shipped Node.js in the host\'s cache');
});

test('a node path in the hosts file is used as given: a wrong one is one line naming it, exit 1', async () => {
  const result = await runCli(runArgs(hostsFile('hosts-wrong-node.json', { node: '/opt/none/bin/node' })));
  assert.equal(result.code, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /host .*: its node setting \/opt\/none\/bin\/node does not run \(not found\)/);
});
