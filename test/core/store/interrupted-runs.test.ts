/** Runs whose controller died are marked `interrupted` when a store is next opened; live ones are left alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src-main/core/store/schema.js';
import { processStartTicks } from '../../../src-main/core/store/controller-identity.js';

function tempStore(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-interrupted-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'store.db');
}

const newRun = (id: string) => ({ id, engine: 'tfjs', strategy: { dp: 1 }, model: { name: 'tiny' }, plan: null, prediction: null, hosts: ['local'], startedAtMs: Date.now() - 10_000 });

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

test('a run whose controller process is gone becomes interrupted on the next open, its events kept', (t) => {
  const path = tempStore(t);
  const store = RunStore.open(path);
  store.createRun(newRun('run-dead'));
  store.writeBatch({ events: [{ run: 'run-dead', event: { type: 'step', rank: 0, timestampMs: Date.now(), step: 1 } }] });
  store.createRun(newRun('run-reused-pid'));
  store.createRun(newRun('run-live'));
  const pid = deadPid();
  store.db.prepare('UPDATE runs SET controller_json = ? WHERE id = ?').run(JSON.stringify({ host: hostname(), pid, startTicks: '1' }), 'run-dead');
  // A live process with our pid's number but another start time is not the controller (pid reuse).
  store.db.prepare('UPDATE runs SET controller_json = ? WHERE id = ?').run(JSON.stringify({ host: hostname(), pid: process.pid, startTicks: '1' }), 'run-reused-pid');
  store.close();

  const reopened = RunStore.open(path);
  t.after(() => reopened.close());
  const dead = reopened.runDetails('run-dead');
  assert.equal(dead.run.status, 'interrupted');
  assert.equal(dead.run.error?.kind, 'interrupted');
  assert.match(dead.run.error?.message ?? '', new RegExp(`pid ${pid}`));
  assert.equal(dead.events.length, 1, 'the data of the run is kept');
  assert.equal(reopened.getRun('run-reused-pid')?.status, 'interrupted');
  assert.equal(reopened.getRun('run-live')?.status, 'running', 'this process still drives it (pid and start time match)');
  assert.ok(processStartTicks(process.pid) !== '1');
});

test('a run from another host counts as alive only while its heartbeat is fresh', (t) => {
  const path = tempStore(t);
  const store = RunStore.open(path);
  t.after(() => store.close());
  store.createRun(newRun('remote-fresh'));
  store.createRun(newRun('remote-stale'));
  const other = JSON.stringify({ host: `${hostname()}-elsewhere`, pid: 1, startTicks: '1' });
  store.db.prepare('UPDATE runs SET controller_json = ?, heartbeat_at_ms = ? WHERE id = ?').run(other, Date.now(), 'remote-fresh');
  store.db.prepare('UPDATE runs SET controller_json = ?, heartbeat_at_ms = ? WHERE id = ?').run(other, Date.now() - 120_000, 'remote-stale');
  assert.deepEqual(store.markInterruptedRuns(), ['remote-stale']);
  assert.equal(store.getRun('remote-fresh')?.status, 'running');
});

test('a store of schema 1 with a run left running is upgraded, the run marked interrupted, ranks kept', (t) => {
  const path = tempStore(t);
  const old = new Database(path);
  old.exec(MIGRATIONS[0]);
  old.pragma('user_version = 1');
  old.prepare(`INSERT INTO runs (id, engine, strategy_json, model_json, status, started_at_ms, hosts_json) VALUES ('old', 'tfjs', '{}', '{}', 'running', 1000, '[]')`).run();
  old.prepare(`INSERT INTO ranks VALUES ('old', 0, 'local', 'cpu', 'wasm', 10)`).run();
  old.close();
  const store = RunStore.open(path);
  t.after(() => store.close());
  assert.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  const details = store.runDetails('old');
  assert.equal(details.run.status, 'interrupted');
  assert.equal(details.ranks.length, 1, 'ranks survive the table rebuild');
  assert.equal((store.db.pragma('foreign_keys', { simple: true }) as number), 1);
});

test('listing a schema-1 store (read only) upgrades it through the sweep, so `runs` keeps working after an update', (t) => {
  const path = tempStore(t);
  const old = new Database(path);
  old.exec(MIGRATIONS[0]);
  old.pragma('user_version = 1');
  old.prepare(`INSERT INTO runs (id, engine, strategy_json, model_json, status, started_at_ms, hosts_json) VALUES ('done', 'tfjs', '{}', '{}', 'finished', 1000, '[]')`).run();
  old.close();
  const store = RunStore.open(path, { readonly: true });
  t.after(() => store.close());
  assert.deepEqual(store.listRuns().map((r) => [r.id, r.status]), [['done', 'finished']]);
});
