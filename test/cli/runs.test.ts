import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunListItem } from '../../src-shared/run-record.js';
import { RunStore } from '../../src-main/core/store/run-store.js';
import { CLI_PATH } from '../support/paths.js';
import { writeSampleRun } from '../core/store/support/sample-run.js';

const run = promisify(execFile);

function tempHome(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-runs-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function runs(args: string[], home: string) {
  return run(process.execPath, [CLI_PATH, 'runs', ...args], { env: { ...process.env, SHARDSCOPE_HOME: home }, timeout: 30_000 });
}

test('runs --json lists stored runs newest first with their derived figures', async (t) => {
  const home = tempHome(t);
  const store = RunStore.open(join(home, 'shardscope.db'));
  const older = writeSampleRun(store, 'run-dp2', Date.UTC(2025, 4, 1, 10), 10);
  writeSampleRun(store, 'run-later', Date.UTC(2025, 4, 1, 11), 4);
  const expected = store.listRuns();
  store.close();

  const { stdout } = await runs(['--json'], home);
  const listed = JSON.parse(stdout) as RunListItem[];
  assert.deepEqual(listed.map((r) => r.id), ['run-later', 'run-dp2']);
  assert.deepEqual(listed, expected);
  const dp2 = listed[1];
  assert.equal(dp2.startedAt, new Date(older.run.startedAtMs).toISOString());
  assert.equal(dp2.durationSeconds, older.seconds);
  assert.equal(dp2.bytesMoved, older.steps * 2 * older.bytesSentPerRankPerStep);
  assert.ok(Math.abs(dp2.energyJoules - (older.gpuWatts[0] + older.gpuWatts[1]) * older.seconds) < 1e-6);
  assert.deepEqual(Object.keys(dp2).sort(), ['bytesMoved', 'durationSeconds', 'energyJoules', 'engine', 'hosts', 'id', 'joulesPerToken', 'startedAt', 'status', 'stepTimeCheck', 'strategy', 'tokensPerSecond'].sort());

  const text = await runs(['--db', join(home, 'shardscope.db')], home);
  assert.match(text.stdout, /^run-later\s+finished\s+tfjs\s+dp=2,tp=1,pp=1/m);
});

test('runs --json on an empty history prints [] and creates nothing', async (t) => {
  const home = tempHome(t);
  assert.deepEqual(JSON.parse((await runs(['--json'], home)).stdout), []);
  assert.throws(() => readFileSync(join(home, 'shardscope.db')));
  writeFileSync(join(home, 'shardscope.db'), '');
  assert.deepEqual(JSON.parse((await runs(['--json'], home)).stdout), []);
  assert.equal(readFileSync(join(home, 'shardscope.db')).length, 0);
});

test('a file that is not a store, a missing --db and a bad flag exit 2 with one line, touching nothing', async (t) => {
  const home = tempHome(t);
  const notes = join(home, 'notes.txt');
  writeFileSync(notes, 'not sqlite at all');
  const isOneLineExit2 = (pattern: RegExp) => (error: { code?: number; stderr?: string; stdout?: string }) =>
    error.code === 2 && pattern.test(error.stderr ?? '') && (error.stderr ?? '').trim().split('\n').length === 1 && error.stdout === '';
  await assert.rejects(runs(['--json', '--db', notes], home), isOneLineExit2(/not a ShardScope store/));
  assert.equal(readFileSync(notes, 'utf8'), 'not sqlite at all');
  await assert.rejects(runs(['--json', '--db', join(home, 'missing.db')], home), isOneLineExit2(/no store at/));
  await assert.rejects(runs(['--bogus'], home), isOneLineExit2(/bogus/));
});
