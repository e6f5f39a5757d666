import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { defaultStorePath } from '../../../src-main/core/store/open-store.js';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { SCHEMA_VERSION } from '../../../src-main/core/store/schema.js';
import { writeSampleRun } from './support/sample-run.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a run, its ranks, events, samples and summary survive closing and reopening the file', (t) => {
  const path = join(tempDir(t), 'nested', 'store.db');
  const store = RunStore.open(path);
  const facts = writeSampleRun(store, 'run-a', Date.UTC(2025, 0, 2, 3, 4, 5));
  store.close();

  const reopened = RunStore.open(path);
  t.after(() => reopened.close());
  assert.equal(reopened.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(reopened.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  const details = reopened.runDetails('run-a');
  assert.deepEqual({ ...details.run, status: undefined, endedAtMs: undefined, error: undefined, summary: undefined }, { ...facts.run, status: undefined, endedAtMs: undefined, error: undefined, summary: undefined });
  assert.equal(details.run.status, 'finished');
  assert.deepEqual(details.ranks.map((r) => [r.rank, r.device]), [[0, 'gpu0'], [1, 'gpu1']]);
  assert.equal(details.events.length, facts.steps * 2);
  assert.equal(details.events[0].type, 'step');

  const summary = details.summary;
  assert.equal(summary.steps, facts.steps);
  assert.equal(summary.tokens, facts.steps * facts.tokensPerStep);
  assert.equal(summary.tokensPerSecond, facts.tokensPerStep / facts.stepSeconds); // slowest rank's time per step
  assert.equal(summary.bytesMoved, facts.steps * 2 * facts.bytesSentPerRankPerStep);
  assert.deepEqual(Object.keys(summary.bytesByKind), ['allReduce', 'broadcast']);
  assert.ok(Math.abs((summary.lastLoss ?? 0) - (5 - (facts.steps - 1) * 0.1)) < 1e-9);
  const gpuJoules = (facts.gpuWatts[0] + facts.gpuWatts[1]) * facts.seconds;
  assert.ok(Math.abs(summary.energy.gpuJoules - gpuJoules) < 1e-6);
  assert.equal(summary.energy.cpuSource, null);
  assert.ok(Math.abs((summary.energy.joulesPerToken ?? 0) - gpuJoules / summary.tokens) < 1e-9);

  const [listed] = reopened.listRuns();
  assert.deepEqual(listed, {
    id: 'run-a', engine: 'tfjs', strategy: { dp: 2, tp: 1, pp: 1 }, status: 'finished', startedAt: '2025-01-02T03:04:05.000Z',
    durationSeconds: facts.seconds, tokensPerSecond: summary.tokensPerSecond, energyJoules: summary.energy.totalJoules,
    joulesPerToken: summary.energy.joulesPerToken, bytesMoved: summary.bytesMoved, hosts: ['local'],
    // The slowest rank (rank 0) against the sample's predicted 0.4 s: error = (measured - predicted) / predicted.
    stepTimeCheck: { predictedSeconds: 0.4, measuredSeconds: facts.stepSeconds, errorFraction: (facts.stepSeconds - 0.4) / 0.4 },
  });
});

test('a running run is listed with figures computed from what is stored so far', (t) => {
  const store = RunStore.open(join(tempDir(t), 'store.db'));
  t.after(() => store.close());
  store.createRun({ id: 'live', engine: 'tfjs', strategy: { pp: 2 }, model: {}, plan: null, prediction: null, hosts: ['h1', 'h2'], startedAtMs: 1_000 });
  store.writeBatch({
    samples: [0, 1_000, 2_000].map((ms) => ({ key: { run: 'live', host: 'h1', gpuIndex: 0, metric: 'powerWatts' }, source: 'measured' as const, timestampMs: 1_000 + ms, value: 250 })),
    events: [{ run: 'live', event: { type: 'step', rank: 0, step: 0, tokens: 100, stepTimeSeconds: { total: 2 }, bytes: {}, timestampMs: 3_000 } }],
  });
  const [item] = store.listRuns(11_000);
  assert.equal(item.status, 'running');
  assert.equal(item.durationSeconds, 10);
  assert.equal(item.energyJoules, 500);
  assert.equal(item.tokensPerSecond, 50);
  assert.equal(item.joulesPerToken, 5);
  assert.throws(() => store.createRun({ id: 'live', engine: 'x', strategy: {}, model: {}, plan: null, prediction: null, hosts: [], startedAtMs: 0 }), (e: ShardScopeError) => e.kind === 'bad-input');
  assert.throws(() => store.runDetails('nope'), (e: ShardScopeError) => e.kind === 'not-found');
});

test('downsampling keeps every spike and dip as bucket min/max while the raw points stay', (t) => {
  const store = RunStore.open(join(tempDir(t), 'store.db'));
  t.after(() => store.close());
  store.createRun({ id: 'r', engine: 'tfjs', strategy: {}, model: {}, plan: null, prediction: null, hosts: ['h'], startedAtMs: 0 });
  const raw = Array.from({ length: 7_200 }, (_, i) => ({ timestampMs: i * 500, value: 200 + 50 * Math.sin(i / 100) }));
  raw[1234].value = 999; // one spike
  raw[5678].value = -1; // one dip
  store.writeBatch({ samples: raw.map((p) => ({ key: { run: 'r', host: 'h', gpuIndex: 3, metric: 'powerWatts' }, source: 'measured' as const, ...p })) });
  const [series] = store.runSeries('r', { maxPoints: 100 });
  assert.equal(series.rawCount, raw.length);
  assert.ok(series.buckets.length <= 100 && series.buckets.length >= 90, `${series.buckets.length} buckets`);
  assert.equal(Math.max(...series.buckets.map((b) => b.max)), 999);
  assert.equal(Math.min(...series.buckets.map((b) => b.min)), -1);
  assert.equal(series.buckets.reduce((n, b) => n + b.count, 0), raw.length);
  const meanOfBuckets = series.buckets.reduce((s, b) => s + b.avg * b.count, 0) / raw.length;
  const meanOfRaw = raw.reduce((s, p) => s + p.value, 0) / raw.length;
  assert.ok(Math.abs(meanOfBuckets - meanOfRaw) < 1e-6);
  assert.deepEqual({ host: series.host, gpuIndex: series.gpuIndex, metric: series.metric, source: series.source }, { host: 'h', gpuIndex: 3, metric: 'powerWatts', source: 'measured' });
  assert.equal(store.series.points(store.series.seriesId(series, 'measured')).length, raw.length);
  const window = store.runSeries('r', { maxPoints: 10, fromMs: 1_000_000, toMs: 2_000_000 })[0];
  assert.ok(window.buckets.every((b) => b.startMs >= 1_000_000 && b.endMs <= 2_000_000));
  const recent = store.recentSamples(raw[raw.length - 3].timestampMs);
  assert.deepEqual(recent.map((s) => s.timestampMs), raw.slice(-3).map((p) => p.timestampMs));
});

test('a file that is not SQLite, or is corrupt, or is newer, fails with bad-input and is left as it was', (t) => {
  const dir = tempDir(t);
  const text = join(dir, 'notes.db');
  writeFileSync(text, 'these are my notes, not a database\n');
  assert.throws(() => RunStore.open(text), (e: ShardScopeError) => e.kind === 'bad-input' && /not an SQLite database/.test(e.message));
  assert.equal(readFileSync(text, 'utf8'), 'these are my notes, not a database\n');

  const corrupt = join(dir, 'corrupt.db');
  const bytes = Buffer.alloc(8192, 0x5a);
  bytes.write('SQLite format 3\u0000', 0, 'latin1');
  writeFileSync(corrupt, bytes);
  assert.throws(() => RunStore.open(corrupt), (e: ShardScopeError) => e.kind === 'bad-input' && !e.message.includes('\n'));
  assert.ok(readFileSync(corrupt).equals(bytes));

  const newer = join(dir, 'newer.db');
  const db = new Database(newer);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => RunStore.open(newer), (e: ShardScopeError) => e.kind === 'bad-input' && /newer/.test(e.message));
});

test('the default store path follows SHARDSCOPE_HOME, else ~/.shardscope', () => {
  assert.equal(defaultStorePath({ SHARDSCOPE_HOME: '/data/ss' }), '/data/ss/shardscope.db');
  assert.equal(defaultStorePath({ HOME: '/home/r' }), '/home/r/.shardscope/shardscope.db');
});
