import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { buildRemoteCommand, shellQuote } from '../../../src-main/core/ssh/shell-quote.js';

/** Runs a line in a real POSIX shell (dash) and returns the argv it produced (NUL-separated by printf). */
function argvAfterShell(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

test('every argument survives a real shell as exactly one word', () => {
  const args = ['plain', '', ' ', 'a b', "it's", "''", '"', '$(id)', '`id`', 'a;b', 'a&&b', '*', '~', '\\', '\n', '\t', '!x', '#x', '-n', 'é ü 漢'];
  assert.deepEqual(argvAfterShell(shellQuote(args)), args);
});

test('random printable and control strings survive a real shell', () => {
  for (let i = 0; i < 50; i += 1) {
    const arg = [...randomBytes(24)].map((b) => String.fromCharCode((b % 126) + 1)).join('');
    assert.deepEqual(argvAfterShell(shellQuote([arg])), [arg]);
  }
});

test('bad inputs are refused with bad-input', () => {
  assert.throws(() => shellQuote(['a\0b']), { kind: 'bad-input' });
  assert.throws(() => buildRemoteCommand({ argv: [] }), { kind: 'bad-input' });
  assert.throws(() => buildRemoteCommand({ env: { 'A;B': 'x' }, argv: ['true'] }), { kind: 'bad-input' });
});

test('cwd, env and argv are combined into one quoted line', () => {
  const line = buildRemoteCommand({ cwd: '/tmp/a b', env: { RANK: '0', NOTE: "it's" }, argv: ['printf', '%s|', 'x y'] });
  const out = execFileSync('/bin/sh', ['-c', line.replace("cd '/tmp/a b' &&", 'cd /tmp &&')], { encoding: 'utf8' });
  assert.equal(out, 'x y|');
  assert.ok(line.startsWith("cd '/tmp/a b' && exec env RANK=0 'NOTE=it'\\''s' printf"));
});
