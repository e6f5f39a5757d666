/**
 * `shardscope run --hosts FILE --engine torch`: the real CLI bundle running PyTorch ranks (Gloo on
 * CPU) on two hosts of the SSH test cluster — trains, is kept and exported; a user script is
 * copied to the hosts; a remote rank killed in its namespace ends the run, naming host and rank,
 * with no python left on any host.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesOfRun } from '../support/processes.js';
import { namespacePids } from '../support/ssh-cluster/netns.js';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
const python = '/usr/bin/python3';
const skip = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 ? false : `${python} has no torch (apt-get install -y python3-torch libopenblas0-pthread)`;
const hostNames = ['gpu-a100', 'gpu-4090'];
let cluster: SshCluster;
let dir: string;

before(async () => {
  if (skip) return;
  cluster = await startSshCluster();
  dir = mkdtempSync(join(tmpdir(), 'shardscope-run-remote-torch-'));
});
after(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface CliResult { code: number | null; stdout: string; stderr: string }

/** Starts the CLI; `onStdout` sees stdout as it grows (to act mid-run). */
function startCli(args: string[], onStdout: (stdout: string, child: ChildProcess) => void = () => undefined): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHARDSCOPE_HOME: dir, SSH_AUTH_SOCK: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; onStdout(stdout, child); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(args: string[]): Promise<string> {
  const result = await startCli(args);
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The two cluster hosts, one rank each. */
function hostsFile(): string {
  const file = join(dir, 'hosts.json');
  writeFileSync(file, JSON.stringify(hostNames.map((name) => ({ id: name, host: cluster.host(name).address, user: cluster.user, identityFile: cluster.clientKeyFile, slots: 1 }))));
  return file;
}

function isPython(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('python');
  } catch {
    return false;
  }
}

function runIdOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((kv) => kv.startsWith('SHARDSCOPE_RUN_ID='))?.slice('SHARDSCOPE_RUN_ID='.length);
  } catch {
    return undefined;
  }
}

/** Python processes living in a cluster host's namespace. */
function pythonsOn(name: string): number[] {
  return namespacePids(cluster.host(name).namespace).filter(isPython);
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadlineMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const common = () => ['--hosts', hostsFile(), '--known-hosts', cluster.knownHostsFile, '--engine', 'torch', '--model', 'tiny', '--strategy', 'dp=2', '--sample-ms', '0'];

test('run --hosts --engine torch trains on two hosts, is kept as engine torch and exports a report', { skip }, async () => {
  const db = join(dir, 'train.db');
  const summary = JSON.parse(await ok(['run', ...common(), '--steps', '30', '--json', '--db', db]));
  assert.equal(summary.worldSize, 2);
  assert.match(summary.backend, /gloo-ddp/);
  assert.equal(summary.losses.length, 30);
  const head = summary.losses.slice(0, 3).reduce((a: number, b: number) => a + b) / 3;
  const tail = summary.losses.slice(-5).reduce((a: number, b: number) => a + b) / 5;
  assert.ok(tail < head - 1, `loss falls across hosts: ${head.toFixed(3)} -> ${tail.toFixed(3)}`);
  assert.ok(summary.bytes.allReduce.sent > 0 && summary.stepTimeSeconds.communication > 0);
  const runs = JSON.parse(await ok(['runs', '--db', db, '--json'])) as Array<{ id: string; engine: string; status: string; hosts: string[] }>;
  assert.equal(runs.length, 1);
  assert.deepEqual([runs[0].id, runs[0].engine, runs[0].status], [summary.runId, 'torch', 'finished']);
  assert.deepEqual([...runs[0].hosts].sort(), [...hostNames].sort());
  const out = join(dir, 'report.json');
  await ok(['report', summary.runId, '--format', 'json', '--out', out, '--db', db]);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual([report.runs[0].id, report.runs[0].engine, report.runs[0].worldSize], [summary.runId, 'torch', 2]);
  assert.equal(report.runs[0].loss.length, 30);
  hostNames.forEach((name) => assert.deepEqual(pythonsOn(name), [], `no python left on ${name}`));
});

test('run --hosts --engine torch --script copies the user\'s script to each host and runs one rank there', { skip }, async () => {
  const script = join(dir, 'where.py');
  writeFileSync(script, [
    'import os, sys',
    'from shardscope_events import EventWriter',
    'e = EventWriter()',
    'e.run_start(backend="where", device="cpu", params_on_rank=1, optimizer_state_on_rank=0)',
    'print("WHERE", os.environ["RANK"], os.path.abspath(__file__), file=sys.stderr, flush=True)',
    'e.step(0, 1.0 if e.rank == 0 else None, 8, 0.01)',
    'e.run_end(1)',
  ].join('\n'));
  const result = await startCli(['run', ...common(), '--steps', '1', '--script', script, '--db', join(dir, 'script.db')]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /backend where/);
  // Each rank ran the copy in the test user's cache on its host, not the file here.
  const where = [...result.stderr.matchAll(/\[rank (\d)\] WHERE (\d) (\S+)/g)].map((m) => ({ rank: m[1], env: m[2], path: m[3] }));
  assert.deepEqual(where.map((w) => w.rank).sort(), ['0', '1'], result.stderr);
  for (const w of where) {
    assert.equal(w.env, w.rank);
    assert.match(w.path, /\/\.cache\/shardscope\/data-[0-9a-f]{16}-where\.py$/);
  }
});

test('killing one remote rank in its namespace ends the run naming host and rank; no python is left on any host', { skip }, async () => {
  let runId: string | undefined;
  let killedPid: number | undefined;
  const result = await startCli(['run', ...common(), '--steps', '100000', '--db', join(dir, 'kill.db')], (stdout) => {
    if (killedPid !== undefined || !/step 3\//.test(stdout)) return;
    const victims = pythonsOn('gpu-4090').filter((pid) => runIdOf(pid) !== undefined);
    assert.equal(victims.length, 1, 'one rank runs on gpu-4090');
    assert.equal(pythonsOn('gpu-a100').filter((pid) => runIdOf(pid) !== undefined).length, 1, 'one rank runs on gpu-a100');
    runId = runIdOf(victims[0]);
    killedPid = victims[0];
    process.kill(victims[0], 'SIGKILL');
  });
  assert.ok(killedPid !== undefined, `a rank was killed: ${result.stderr}`);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /rank 1 \(host gpu-4090, cpu:0.*SIGKILL/);
  assert.equal(result.stderr.split('\n').filter((l) => l.startsWith('shardscope run:')).length, 1, result.stderr);
  await waitUntil(() => processesOfRun(runId!).filter(isPython).length === 0, 8000, 'every python rank of the run to be gone');
  hostNames.forEach((name) => assert.deepEqual(pythonsOn(name), [], `no python left on ${name}`));
});
