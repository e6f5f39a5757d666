/** `report --out` and `run --report` never replace what is at the target: a regular file is written through, anything else refused in one line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store.js';
import { writeSampleRun } from '../core/store/support/sample-run.js';
import { CLI_PATH } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'shardscope-report-out-'));
const db = join(dir, 'store.db');
const store = RunStore.open(db);
writeSampleRun(store, 'run-a', Date.UTC(2025, 0, 1));
store.close();

function report(out: string, extraEnv: NodeJS.ProcessEnv = {}, asNobody = false) {
  const args = [CLI_PATH, 'report', 'run-a', '--format', 'json', '--out', out, '--db', db];
  const command = asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args] : [process.execPath, ...args];
  return spawnSync(command[0], command.slice(1), { encoding: 'utf8', env: { ...process.env, SHARDSCOPE_HOME: dir, ...extraEnv }, timeout: 60_000 });
}

function assertOneLineRefusal(result: ReturnType<typeof report>, pattern: RegExp): void {
  assert.notEqual(result.status, 0, result.stdout);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, pattern);
}

test('an existing regular file is written through: its hard link sees the report, its inode is kept', () => {
  const target = join(dir, 'linked.json');
  writeFileSync(target, 'old');
  linkSync(target, join(dir, 'other-name.json'));
  const inode = statSync(target).ino;
  const result = report(target);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(statSync(target).ino, inode);
  assert.equal(JSON.parse(readFileSync(join(dir, 'other-name.json'), 'utf8')).runs[0].id, 'run-a');
});

test('a symbolic link to a regular file stays a link and its target gets the report', () => {
  const real = join(dir, 'real.json');
  writeFileSync(real, 'old');
  const link = join(dir, 'link.json');
  symlinkSync(real, link);
  assert.equal(report(link).status, 0);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readlinkSync(link), real);
  assert.equal(JSON.parse(readFileSync(real, 'utf8')).runs[0].id, 'run-a');
});

test('a device (through a link) and a FIFO are refused in one line and left as they were', () => {
  const deviceLink = join(dir, 'null-link.json');
  symlinkSync('/dev/null', deviceLink);
  assertOneLineRefusal(report(deviceLink), /not a regular file/);
  assert.ok(lstatSync(deviceLink).isSymbolicLink(), 'the link is not replaced by a file');
  assert.ok(statSync('/dev/null').isCharacterDevice());

  const fifo = join(dir, 'pipe.json');
  execFileSync('mkfifo', [fifo]);
  assertOneLineRefusal(report(fifo), /not a regular file/);
  assert.ok(lstatSync(fifo).isFIFO());
});

test('a target that cannot be written gives one line, not a stack trace', () => {
  assertOneLineRefusal(report('/proc/version'), /cannot write \/proc\/version|not a regular file/);
  const readOnly = join(dir, 'read-only.json');
  writeFileSync(readOnly, 'keep');
  chmodSync(readOnly, 0o444);
  chmodSync(dir, 0o777);
  chmodSync(db, 0o666);
  chownSync(readOnly, 0, 0);
  const asNobody = report(readOnly, {}, true);
  assertOneLineRefusal(asNobody, /cannot write .*read-only\.json: permission denied/);
  assert.equal(readFileSync(readOnly, 'utf8'), 'keep');
});

test('run --report to a link to a device is refused before any training', () => {
  const deviceLink = join(dir, 'run-null-link.json');
  symlinkSync('/dev/null', deviceLink);
  const result = spawnSync(process.execPath, [CLI_PATH, 'run', '--model', 'tiny', '--steps', '2', '--report', deviceLink, '--db', db], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /--report: .* is not a regular file/);
  assert.doesNotMatch(result.stdout, /loss/);
  assert.ok(lstatSync(deviceLink).isSymbolicLink());
});
