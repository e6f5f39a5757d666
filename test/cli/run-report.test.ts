/** `shardscope run --report FILE`: the run's report written once the run is stored; a bad report name fails before any worker starts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');

function runCli(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHARDSCOPE_HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('run --report FILE.json writes the report of that run, chosen by the file name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-run-report-'));
  const out = join(dir, 'run.json');
  const { code, stdout, stderr } = await runCli(['--model', 'tiny', '--strategy', 'dp=2', '--steps', '2', '--sample-ms', '0', '--json', '--report', out], dir);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout.trim());
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(report.runs.map((r: { id: string }) => r.id), [summary.runId]);
  assert.match(stderr, new RegExp(`wrote json report of ${summary.runId}`));
});

test('a --report name with no known format, or in a missing folder, is bad input before any worker starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-run-report-'));
  for (const out of [join(dir, 'run.txt'), join(dir, 'missing', 'run.html')]) {
    const { code, stderr } = await runCli(['--model', 'tiny', '--strategy', 'dp=2', '--report', out], dir);
    assert.equal(code, 2, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^shardscope run: --report/);
    assert.ok(!existsSync(join(dir, 'shardscope.db')), 'nothing was recorded');
  }
});
