/** Names that exist on every plain object (constructor, __proto__, toString...) are unknown names, not crashes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, WORKER_PATH } from '../support/paths.js';

const home = mkdtempSync(join(tmpdir(), 'shardscope-lookup-'));
const inheritedNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

function run(bundle: string, args: string[]) {
  return spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', env: { ...process.env, SHARDSCOPE_HOME: home }, timeout: 60_000 });
}

function assertOneLineBadInput(bundle: string, args: string[], pattern: RegExp): void {
  const result = run(bundle, args);
  assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
  assert.equal(result.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${result.stderr}`);
  assert.match(result.stderr, pattern, args.join(' '));
  assert.doesNotMatch(result.stderr, /\bat .*:\d+:\d+/, 'no stack trace');
}

test('shardscope <inherited name> is an unknown command', () => {
  for (const name of inheritedNames) assertOneLineBadInput(CLI_PATH, [name], /unknown command/);
});

test('bench, plan --model, plan --gpu and run --model refuse inherited names as unknown ids', () => {
  for (const name of inheritedNames) {
    assertOneLineBadInput(CLI_PATH, ['bench', name], /expected one of/);
    assertOneLineBadInput(CLI_PATH, ['plan', '--model', 'llama2-7b', '--gpu', name, '--gpus', '8'], /unknown GPU|neither a catalogue GPU/);
    assertOneLineBadInput(CLI_PATH, ['plan', '--model', name, '--gpu', 'a100-80gb', '--gpus', '8'], /neither a preset/);
    assertOneLineBadInput(CLI_PATH, ['run', '--model', name, '--steps', '1'], /unknown model/);
  }
});

test('the worker refuses inherited names as unknown commands', () => {
  for (const name of inheritedNames) assertOneLineBadInput(WORKER_PATH, [name], /unknown command/);
});
