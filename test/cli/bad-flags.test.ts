/** Clumsy input found by trying: each is a one-line reason with exit 2 (or a failed run naming its step), never a hang or a stack trace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH } from '../support/paths.js';

const home = mkdtempSync(join(tmpdir(), 'shardscope-bad-flags-'));

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', env: { ...process.env, SHARDSCOPE_HOME: home }, timeout: 60_000 });
}

function assertBadInput(args: string[], pattern: RegExp): void {
  const result = cli(args);
  assert.equal(result.error, undefined, `${args.join(' ')} did not finish: ${result.error}`);
  assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
  assert.equal(result.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${result.stderr}`);
  assert.match(result.stderr, pattern, args.join(' '));
}

test('--hosts naming a directory is refused as such', () => {
  assertBadInput(['run', '--model', 'tiny', '--hosts', home], /--hosts: .* is a directory/);
  assertBadInput(['hosts', 'probe', '--hosts', home], /--hosts: .* is a directory/);
});

test('--db in a folder that does not exist is refused, and the folder is not created', () => {
  const missing = join(home, 'no-such-folder', 'x.db');
  for (const args of [['run', '--model', 'tiny', '--steps', '1', '--db', missing], ['runs', '--db', missing], ['report', 'latest', '--format', 'json', '--out', join(home, 'r.json'), '--db', missing],
    ['calibrate', '--show', '--db', missing]]) {
    assertBadInput(args, /--db: folder .*no-such-folder does not exist/);
  }
  assert.equal(existsSync(join(home, 'no-such-folder')), false);
});

test('plan --model /dev/zero and run --model /dev/zero are refused at once (not a regular file)', () => {
  assertBadInput(['plan', '--model', '/dev/zero', '--gpu', 'a100-80gb', '--gpus', '8'], /--model: \/dev\/zero is not a regular file/);
  assertBadInput(['run', '--model', '/dev/zero'], /--model: \/dev\/zero is not a regular file/);
});

test('bench allreduce --sizes-mb beyond what memory holds is refused before any rank starts', () => {
  assertBadInput(['bench', 'allreduce', '--sizes-mb', '100000'], /--sizes-mb/);
  assertBadInput(['bench', 'allreduce', '--sizes-mb', '0'], /--sizes-mb/);
});

test('integers are plain digits: --gpus 0x10, 1e3, 8.0 and " 8" are refused', () => {
  for (const value of ['0x10', '1e3', '8.0', ' 8', '']) {
    assertBadInput(['plan', '--model', 'llama2-7b', '--gpu', 'a100-80gb', '--gpus', value], /--gpus must be an integer/);
  }
  assertBadInput(['run', '--model', 'tiny', '--steps', '0x2'], /--steps must be an integer/);
});

test('--lr 1e308 trains to a NaN loss: the run fails (exit 1) naming the step, and is stored as failed', () => {
  const db = join(home, 'diverge.db');
  const result = cli(['run', '--model', 'tiny', '--steps', '20', '--lr', '1e308', '--db', db]);
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stderr, /loss is (NaN|-?Infinity) at step \d+/);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  const listed = JSON.parse(cli(['runs', '--json', '--db', db]).stdout) as { status: string }[];
  assert.equal(listed[0].status, 'failed');
});

test('a model file that is too large is refused without reading it all', () => {
  const big = join(home, 'big.json');
  writeFileSync(big, Buffer.alloc(17 * 1024 * 1024, 0x20));
  assertBadInput(['plan', '--model', big, '--gpu', 'a100-80gb', '--gpus', '8'], /more than the/);
});

test('--identity naming no file is refused the same way by discover, discover --slurm and hosts clean', () => {
  const missing = join(home, 'no-such-key');
  for (const args of [['discover', '--identity', missing], ['discover', '--slurm', 'local', '--identity', missing], ['hosts', 'clean', 'box.invalid', '--identity', missing]]) {
    assertBadInput(args, new RegExp(`^shardscope (discover|hosts): --identity: no such file ${missing}\n$`));
  }
});
