/**
 * The torch engine's Python rank launcher as real processes: the environment line reaches the
 * program (never argv), exits pass through (code and signal), `TERM` stops the program's whole
 * process group, and a closed stdin or missing heartbeats stop it — so no rank outlives its controller.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonLauncherSource } from '../../../src-main/core/launch/python-launcher.js';

const python = 'python3';
const skip = spawnSync(python, ['--version'], { stdio: 'ignore' }).status === 0 ? false : 'no python3';
let dir: string;
let launcher: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'shardscope-pylauncher-'));
  launcher = join(dir, 'launch.py');
  writeFileSync(launcher, pythonLauncherSource);
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

interface Started { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

function start(program: string[], env: Record<string, string> = {}, timeoutMs = 6000): Started {
  const child = spawn(python, [launcher, '--exec', ...program], { env: { ...process.env, SHARDSCOPE_HEARTBEAT_TIMEOUT_MS: String(timeoutMs) } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stdin.write(`${JSON.stringify(env)}\n`);
  return { child, stdout: () => out, stderr: () => err, exited };
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadlineMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the environment line reaches the program, not its argv; the exit code passes through', { skip }, async () => {
  const run = start(['/bin/sh', '-c', 'echo "secret=$SHARDSCOPE_RUN_SECRET"; exit 7'], { SHARDSCOPE_RUN_SECRET: 'abc123' });
  const exit = await run.exited;
  assert.equal(exit.code, 7);
  assert.equal(run.stdout(), 'secret=abc123\n');
  assert.match(run.stderr(), /^\x1epid \d+$/m);
});

test('a program killed by a signal: the launcher ends by the same signal', { skip }, async () => {
  const exit = await start(['/bin/sh', '-c', 'kill -KILL $$']).exited;
  assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
});

test('TERM on stdin stops the program\'s whole process group, grandchildren included', { skip }, async () => {
  const run = start(['/bin/sh', '-c', 'sleep 60 & echo "grandchild $!"; wait']);
  await waitFor(() => /grandchild \d+/.test(run.stdout()), 'the grandchild to start');
  const grandchild = Number(/grandchild (\d+)/.exec(run.stdout())![1]);
  assert.ok(isAlive(grandchild));
  run.child.stdin.write('TERM\n');
  const exit = await run.exited;
  assert.equal(exit.signal, 'SIGTERM');
  await waitFor(() => !isAlive(grandchild), 'the grandchild to be gone');
});

test('a closed stdin (controller gone) and missing heartbeats each stop the program', { skip }, async () => {
  const closed = start(['/bin/sleep', '60']);
  await waitFor(() => /\x1epid/.test(closed.stderr()), 'the program to start');
  closed.child.stdin.end();
  assert.equal((await closed.exited).signal, 'SIGTERM');
  assert.match(closed.stderr(), /controller channel closed; stopping rank/);

  const silent = start(['/bin/sleep', '60'], {}, 1500);
  assert.equal((await silent.exited).signal, 'SIGTERM');
  assert.match(silent.stderr(), /no heartbeat from the controller for 1500 ms; stopping rank/);
  assert.ok((silent.stderr().match(/\x1ehb/g) ?? []).length >= 1, 'the launcher sends its own heartbeats');
});

test('a missing program exits 127 saying not found', { skip }, async () => {
  const run = start(['/nonexistent/python3', '-c', 'pass']);
  assert.equal((await run.exited).code, 127);
  assert.match(run.stderr(), /\/nonexistent\/python3: No such file or directory \(not found\)/);
});
