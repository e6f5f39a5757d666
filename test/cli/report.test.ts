import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RunStore } from '../../src-main/core/store/run-store.js';
import { reportSchema } from '../../src-shared/report-schema.js';
import { discoverTestHost, recordRealRun } from '../core/report/support/record-run.js';
import { CLI_PATH } from '../support/paths.js';

const exec = promisify(execFile);

async function report(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI_PATH, 'report', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('shardscope report: latest run as JSON and trace; bad flags and unknown runs exit 2 with one line and write nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-report-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'store.db');
  const store = RunStore.open(db);
  await recordRealRun(store, { id: 'run-dp2', strategy: { dp: 2, tp: 1, pp: 1 }, steps: 3, inventory: await discoverTestHost() });
  store.close();

  const ok = await report(['latest', '--format', 'json', '--out', join(dir, 'r.json'), '--db', db, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const parsed = reportSchema.parse(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')));
  assert.deepEqual(parsed.runs.map((r) => r.id), ['run-dp2']);
  assert.equal(JSON.parse(ok.stdout).path, join(dir, 'r.json'));

  const trace = await report(['run-dp2', '--format', 'trace', '--out', join(dir, 't.json'), '--db', db]);
  assert.equal(trace.code, 0, trace.stderr);
  const pids = new Set((JSON.parse(readFileSync(join(dir, 't.json'), 'utf8')).traceEvents as { pid: number; ph: string }[]).filter((e) => e.ph === 'X').map((e) => e.pid));
  assert.deepEqual([...pids].sort(), [0, 1]);

  const before = readdirSync(dir).sort();
  const bad = [
    ['run-dp2', '--format', 'docx', '--out', join(dir, 'x.docx'), '--db', db],
    ['no-such-run', '--format', 'html', '--out', join(dir, 'x.html'), '--db', db],
    ['run-dp2', '--format', 'html', '--db', db],
    ['run-dp2', '--format', 'html', '--out', join(dir, 'x.html'), '--db', db, '--colour'],
    ['run-dp2', '--format', 'html', '--out', join(dir, 'missing-folder', 'x.html'), '--db', db],
    ['run-dp2', '--format', 'html', '--out', join(dir, 'x.html'), '--db', join(dir, 'absent.db')],
  ];
  for (const args of bad) {
    const result = await report(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written by failed commands');
  assert.equal(existsSync(join(dir, 'x.html')), false);
});
