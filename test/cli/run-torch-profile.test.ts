/**
 * `shardscope run --engine torch --profile-steps A-B` through the real CLI bundle with PyTorch 1.13 +
 * Gloo: both ranks' torch.profiler operators reach the run's trace at aligned times, summarised per rank.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceFile } from '../../src-main/core/report/render-trace.js';
import type { Report } from '../../src-shared/report-schema.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
const python = '/usr/bin/python3';
const skip = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 ? false : `${python} has no torch (apt-get install -y python3-torch libopenblas0-pthread)`;

function shardscope(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 240_000 });
}

test('--profile-steps on a 2-rank torch run puts both ranks\' aten:: operators and Gloo collectives in the trace, summarised per rank', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-torch-profile-'));
  const db = join(dir, 'runs.db');
  const run = shardscope(['run', '--model', 'tiny', '--strategy', 'dp=2', '--steps', '4', '--engine', 'torch', '--python', python, '--profile-steps', '1-2',
    '--sample-ms', '0', '--db', db, '--json', '--report', join(dir, 'run.trace.json')]);
  assert.equal(run.status, 0, run.stderr);
  const trace = JSON.parse(readFileSync(join(dir, 'run.trace.json'), 'utf8')) as TraceFile;
  const spans = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat !== 'step');
  for (const rank of [0, 1]) {
    const own = spans.filter((e) => e.pid === rank);
    assert.ok(own.some((e) => e.name.startsWith('aten::addmm') || e.name.startsWith('aten::mm')), `rank ${rank} has matrix-multiply operator spans`);
    assert.ok(own.filter((e) => e.name.startsWith('aten::')).length > 100, `rank ${rank} has aten:: spans`);
    assert.ok(own.some((e) => e.tid === 1 && /^(allReduce|gloo:all_reduce)/.test(e.name)), `rank ${rank} has its all-reduces as communication`);
    assert.deepEqual([...new Set(own.map((e) => e.args?.step))].sort(), [1, 2], 'only the profiled steps');
  }
  // The k-th all-reduce of step 2 (our record_function `allReduce dp`: DDP buckets, then the loss) is the same collective on
  // both ranks: on the aligned clock the two must overlap (neither can finish before the other has started).
  const [r0, r1] = [0, 1].map((rank) => spans.filter((e) => e.pid === rank && e.name === 'allReduce dp' && e.args?.step === 2).sort((a, b) => a.ts - b.ts));
  assert.ok(r0.length > 0 && r0.length === r1.length, `as many all-reduces on both ranks (${r0.length}, ${r1.length})`);
  r0.forEach((a, k) => {
    const b = r1[k];
    assert.ok(Math.max(a.ts, b.ts) <= Math.min(a.ts + a.dur!, b.ts + b.dur!) + 1000, `all-reduce ${k} overlaps on both ranks (1 ms clock slack): ${a.ts}+${a.dur} / ${b.ts}+${b.dur}`);
  });

  const out = join(dir, 'report.json');
  const runId = JSON.parse(run.stdout).runId as string;
  assert.equal(shardscope(['report', runId, '--format', 'json', '--out', out, '--db', db]).status, 0);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const profile = report.runs[0].spans!;
  assert.equal(profile.summary?.tracedSteps, 2);
  assert.deepEqual(profile.summary!.perRank.map((r) => r.rank), [0, 1]);
  for (const r of profile.summary!.perRank) assert.ok(r.computeMs > 0 && r.exposedCommunicationMs > 0 && r.computeMs < r.totalMs, JSON.stringify(r));
  assert.deepEqual([...new Set(profile.operators.map((o) => o.rank))], [0, 1], 'top operators of both ranks');
  assert.ok(profile.clocks.length === 2 && profile.clocks[1].errorMs < 5, `rank 1 aligned at start: ${JSON.stringify(profile.clocks[1])}`);
});

test('--profile-steps needs --engine torch; --trace-steps needs the built-in engine (exit 2, one line)', () => {
  const bad = shardscope(['run', '--model', 'tiny', '--steps', '1', '--profile-steps', '0-1']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.trim(), /^[^\n]*--profile-steps goes with --engine torch[^\n]*$/);
  const range = shardscope(['run', '--model', 'tiny', '--steps', '1', '--trace-steps', '3-1']);
  assert.equal(range.status, 2);
  assert.match(range.stderr, /--trace-steps: 1 is before 3/);
});
