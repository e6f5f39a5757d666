/** `shardscope run --engine torch` through the real CLI bundle: stored runs, a report, both engines side by side, bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
const python = '/usr/bin/python3';
const skip = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 ? false : `${python} has no torch (apt-get install -y python3-torch libopenblas0-pthread)`;

function shardscope(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await shardscope(args);
  assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
  return stdout;
}

interface ListedRun { id: string; engine: string; status: string; tokensPerSecond: number | null; bytesMoved: number; energyJoules: number; joulesPerToken: number | null }

test('a 2-rank torch run trains, lands in the store as engine torch and exports a JSON report', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-torch-cli-'));
  const db = join(dir, 'runs.db');
  const summary = JSON.parse(await ok(['run', '--model', 'tiny', '--strategy', 'dp=2', '--steps', '40', '--engine', 'torch', '--python', python, '--sample-ms', '200', '--db', db, '--json']));
  assert.match(summary.backend, /^torch-.*gloo-ddp$/);
  assert.ok(summary.loss < summary.losses[0] - 1, `loss falls: ${summary.losses[0]} -> ${summary.loss}`);
  const runs = JSON.parse(await ok(['runs', '--db', db, '--json'])) as ListedRun[];
  assert.equal(runs.length, 1);
  assert.deepEqual([runs[0].id, runs[0].engine, runs[0].status], [summary.runId, 'torch', 'finished']);
  assert.ok((runs[0].tokensPerSecond ?? 0) > 0);
  assert.equal(runs[0].bytesMoved, summary.bytes.allReduce.sent, 'bytes in the store are the events\' bytes');
  const out = join(dir, 'report.json');
  await ok(['report', summary.runId, '--format', 'json', '--out', out, '--db', db]);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const run = report.runs[0];
  assert.deepEqual([run.id, run.engine, run.worldSize], [summary.runId, 'torch', 2]);
  assert.equal(run.loss.length, 40);
  assert.ok(run.measured.bytesSentByKind.allReduce > 0 && run.measured.tokensPerSecond > 0);
  assert.ok(run.series.length > 0, 'host samples were kept with the run');
  // each CPU rank's memory is its process's peak (VmHWM), as for the built-in engine's ranks, and compared per rank
  const peaks = run.measured.rankPeakMemoryBytesPerRank as Array<{ rank: number; peakBytes: number; source: string }>;
  assert.deepEqual(peaks.map((p) => [p.rank, p.source]), [[0, 'process-peak-vmhwm'], [1, 'process-peak-vmhwm']]);
  assert.ok(peaks.every((p) => p.peakBytes > 100 * 2 ** 20), `a Python + torch rank peaks above 100 MiB: ${JSON.stringify(peaks)}`);
  const memoryCheck = run.predictionChecks.find((c: { metric: string }) => c.metric === 'peakMemoryPerGpuBytes');
  assert.equal(memoryCheck.measured, Math.max(...peaks.map((p) => p.peakBytes)), 'the prediction is checked against the largest rank peak');
});

test('the same plan on both engines: both stored with comparable figures, and one comparison report', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-engines-'));
  const db = join(dir, 'runs.db');
  const plan = ['--model', 'tiny', '--strategy', 'dp=2', '--steps', '12', '--sample-ms', '200', '--db', db, '--json'];
  const tfjs = JSON.parse(await ok(['run', ...plan]));
  const torch = JSON.parse(await ok(['run', ...plan, '--engine', 'torch', '--python', python]));
  assert.deepEqual(torch.paramsPerRank, tfjs.paramsPerRank, 'same model on both engines');
  assert.equal(Math.abs(torch.losses[0] - tfjs.losses[0]) < 0.05, true, `same start: ${torch.losses[0]} vs ${tfjs.losses[0]}`);
  assert.equal(torch.bytes.allReduce.sent, tfjs.bytes.allReduce.sent, 'a ring all-reduce of the same gradients moves the same bytes');
  const runs = JSON.parse(await ok(['runs', '--db', db, '--json'])) as ListedRun[];
  const byEngine = new Map(runs.map((r) => [r.engine, r]));
  assert.deepEqual([...byEngine.keys()].sort(), ['tfjs', 'torch']);
  for (const r of byEngine.values()) {
    assert.equal(r.status, 'finished');
    assert.ok((r.tokensPerSecond ?? 0) > 0 && r.bytesMoved > 0, JSON.stringify(r));
    assert.ok(r.energyJoules > 0 && (r.joulesPerToken ?? 0) > 0, `energy from the host samples kept with the run: ${JSON.stringify(r)}`);
  }
  const out = join(dir, 'compare.json');
  await ok(['report', `${tfjs.runId},${torch.runId}`, '--format', 'json', '--out', out, '--db', db]);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(report.runs.map((r: { engine: string }) => r.engine), ['tfjs', 'torch']);
  assert.deepEqual(report.comparison.rows.map((r: { runId: string }) => r.runId), [tfjs.runId, torch.runId]);
  for (const row of report.comparison.rows) assert.ok(row.tokensPerSecond > 0 && row.bytesSentPerStepPerRank > 0 && row.joulesPerToken > 0, JSON.stringify(row));
  assert.ok([tfjs.runId, torch.runId].includes(report.comparison.fastestRunId));
});

test('bad engine flags are one line and exit code 2; no torch is one `unavailable` line naming what to install', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-torch-bad-'));
  const db = join(dir, 'runs.db');
  for (const args of [
    ['--engine', 'jax'], ['--script', join(dir, 'train.py')], ['--engine', 'torch', '--script', join(dir, 'missing.py')],
    ['--engine', 'torch', '--strategy', 'dp=1,tp=2'],
  ]) {
    const { code, stderr } = await shardscope(['run', '--model', 'tiny', '--db', db, ...args]);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^shardscope run: /);
  }
  const { code, stderr } = await shardscope(['run', '--model', 'tiny', '--strategy', 'dp=2', '--engine', 'torch', '--python', join(dir, 'no-python'), '--db', db]);
  assert.equal(code, 1);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.match(stderr, /no Python with PyTorch .*python3-torch/);
});
