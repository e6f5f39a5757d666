/** A damaged or newer store: every command that uses it says so in one line naming the file, and never writes to it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RunStore } from '../../src-main/core/store/run-store.js';
import { writeSampleRun } from '../core/store/support/sample-run.js';
import { CLI_PATH } from '../support/paths.js';

function cli(args: string[], home: string) {
  return spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', env: { ...process.env, SHARDSCOPE_HOME: home }, timeout: 120_000 });
}

function storeWithRuns(): { home: string; path: string } {
  const home = mkdtempSync(join(tmpdir(), 'shardscope-damage-'));
  const path = join(home, 'shardscope.db');
  const store = RunStore.open(path);
  for (let i = 0; i < 20; i += 1) writeSampleRun(store, `run-${i}`, Date.UTC(2025, 0, 1, 0, i), 40);
  store.close();
  return { home, path };
}

const commands = [['runs'], ['runs', '--json'], ['report', 'latest', '--format', 'json', '--out', 'OUT'], ['run', '--model', 'tiny', '--steps', '2']];

test('a store with overwritten pages gives a one-line error naming the file; the file is not touched', () => {
  const { home, path } = storeWithRuns();
  const bytes = readFileSync(path);
  const pageBytes = 4096;
  for (let page = 3; page < Math.floor(bytes.length / pageBytes); page += 4) bytes.fill(0x5a, page * pageBytes + 8, page * pageBytes + 3000);
  writeFileSync(path, bytes);
  for (const args of commands) {
    const result = cli(args.map((a) => (a === 'OUT' ? join(home, 'report.json') : a)), home);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.ok(result.stderr.includes(path), `names the file: ${result.stderr}`);
    assert.match(result.stderr, /damaged/);
    assert.doesNotMatch(result.stdout, /loss/, 'no training before the store is known good');
  }
  assert.deepEqual(readFileSync(path), bytes, 'the damaged store is left exactly as it was');
});

test('a store written by a newer ShardScope says so plainly and is left untouched', () => {
  const { home, path } = storeWithRuns();
  const db = new Database(path);
  db.pragma('user_version = 99');
  db.close();
  const before = readFileSync(path);
  for (const args of commands) {
    const result = cli(args.map((a) => (a === 'OUT' ? join(home, 'report.json') : a)), home);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /newer ShardScope/);
    assert.ok(result.stderr.includes(path));
  }
  assert.deepEqual(readFileSync(path), before);
});
