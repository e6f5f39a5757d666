/** `shardscope run`: the real CLI bundle starting real workers; JSON summary, bad input, Ctrl-C. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { childrenOf, isAlive } from '../support/processes.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');

function runCli(args: string[], onStdout?: (text: string, pid: number) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; onStdout?.(stdout, child.pid as number); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('run --json prints one summary object with losses, throughput, time split and bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-run-'));
  const modelFile = join(dir, 'model.json');
  writeFileSync(modelFile, JSON.stringify({ name: 'file-model', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 }));
  const { code, stdout, stderr } = await runCli(['--model', modelFile, '--strategy', 'dp=2,tp=2', '--steps', '3', '--seed', '5', '--json']);
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'only the summary on stdout');
  const summary = JSON.parse(lines[0]);
  assert.match(summary.runId, /^run-/);
  assert.deepEqual({ dp: summary.strategy.dp, tp: summary.strategy.tp, pp: summary.strategy.pp }, { dp: 2, tp: 2, pp: 1 });
  assert.equal(typeof summary.backend, 'string');
  assert.equal(summary.model, 'file-model');
  assert.equal(summary.losses.length, 3);
  assert.equal(summary.loss, summary.losses[2]);
  assert.ok(summary.tokensPerSecond > 0);
  for (const key of ['compute', 'communication', 'bubble']) assert.equal(typeof summary.stepTimeSeconds[key], 'number');
  assert.ok(summary.stepTimeSeconds.communication > 0, 'TP and DP all-reduces take time');
  assert.ok(summary.bytes.allReduce.sent > 0);
});

test('bad input is a one-line reason and exit code 2, before any worker starts', async () => {
  for (const args of [['--model', 'tiny', '--strategy', 'tp=3'], ['--model', 'no-such-model'], ['--model', 'tiny', '--schedule', 'zigzag'], ['--model', 'tiny', '--strategy', 'dp=3']]) {
    const { code, stderr } = await runCli(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^shardscope run: /);
  }
});

/** The controller's children that are training ranks (the others: its host sampler's probes). */
function workersOf(children: number[]): number[] {
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker.cjs\0train');
    } catch {
      return false;
    }
  });
}

test('Ctrl-C stops the run and every worker', async () => {
  let children: number[] = [];
  let workers: number[] = [];
  const { code, stderr } = await runCli(['--model', 'tiny', '--strategy', 'pp=2', '--steps', '100000'], (text, pid) => {
    if (children.length === 0 && /step 2\//.test(text)) {
      children = childrenOf(pid);
      workers = workersOf(children);
      process.kill(pid, 'SIGINT');
    }
  });
  assert.equal(code, 1);
  assert.match(stderr, /cancelled/);
  assert.equal(workers.length, 2, 'two workers were running');
  for (const pid of children) assert.ok(!isAlive(pid), `child ${pid} (a worker or a sampler probe) is gone`);
});

/** Resolves once no pid in the list is alive; rejects after deadlineMs (workers are not our children: no exit event to wait on). */
async function allGone(pids: number[], deadlineMs: number): Promise<void> {
  const start = Date.now();
  while (pids.some(isAlive)) {
    if (Date.now() - start > deadlineMs) throw new Error(`still running: ${pids.filter(isAlive).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a controller killed outright (SIGKILL) takes its workers with it', async () => {
  let children: number[] = [];
  let workers: number[] = [];
  const { code } = await runCli(['--model', 'tiny', '--strategy', 'dp=2', '--steps', '100000'], (text, pid) => {
    if (children.length === 0 && /step 2\//.test(text)) {
      children = childrenOf(pid);
      workers = workersOf(children);
      process.kill(pid, 'SIGKILL');
    }
  });
  assert.equal(code, null);
  assert.equal(workers.length, 2);
  await allGone(children, 10_000);
});

test('a run whose controller was SIGKILLed is listed as interrupted by the next command, its steps kept', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'shardscope-run-killed-')), 'runs.db');
  let workers: number[] = [];
  await runCli(['--model', 'tiny', '--strategy', 'dp=2', '--steps', '100000', '--db', db], (text, pid) => {
    // killed once the store holds a step (the CLI prints a step before its batched write lands)
    if (workers.length === 0 && /step \d+\//.test(text) && storedSteps(db) > 0) {
      workers = childrenOf(pid);
      process.kill(pid, 'SIGKILL');
    }
  });
  await allGone(workers, 10_000);
  const listed = spawnSync(process.execPath, [cli, 'runs', '--json', '--db', db], { encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  const [run] = JSON.parse(listed.stdout) as { status: string; id: string }[];
  assert.equal(run.status, 'interrupted');
  const report = spawnSync(process.execPath, [cli, 'report', run.id, '--format', 'json', '--out', `${db}.json`, '--db', db], { encoding: 'utf8' });
  assert.equal(report.status, 0, report.stderr);
  const reported = (JSON.parse(readFileSync(`${db}.json`, 'utf8')) as { runs: { status: string; loss: unknown[] }[] }).runs[0];
  assert.equal(reported.status, 'interrupted');
  assert.ok(reported.loss.length >= 1, `the steps done before the kill are kept (${reported.loss.length})`);
});

test('a CLI run is kept in the run history (shardscope runs lists it with its figures)', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'shardscope-run-db-')), 'runs.db');
  const result = await runCli(['--model', 'tiny', '--strategy', 'dp=2', '--steps', '4', '--json', '--db', db]);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout.trim().split('\n').pop() as string);
  const listed = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [cli, 'runs', '--json', '--db', db], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.on('exit', () => resolve(out));
  });
  const runs = JSON.parse(listed) as Array<{ id: string; status: string; engine: string; strategy: { dp: number }; tokensPerSecond: number; bytesMoved: number }>;
  assert.equal(runs.length, 1);
  assert.equal(runs[0].id, summary.runId);
  assert.equal(runs[0].status, 'finished');
  assert.equal(runs[0].engine, 'tfjs');
  assert.equal(runs[0].strategy.dp, 2);
  assert.ok(runs[0].tokensPerSecond > 0);
  const sentBytes = Object.values(summary.bytes as Record<string, { sent: number }>).reduce((n, b) => n + b.sent, 0);
  assert.equal(runs[0].bytesMoved, sentBytes, 'bytes moved in the history are the ranks\' sent bytes');
});

/** Step events the run's store holds so far (read-only; 0 while the file or table is not there yet). */
function storedSteps(db: string): number {
  try {
    const store = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (store.prepare("SELECT count(*) AS n FROM events WHERE type = 'step'").get() as { n: number }).n;
    } finally {
      store.close();
    }
  } catch {
    return 0;
  }
}
