import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/paths.js';

const run = promisify(execFile);
const script = join(REPO_ROOT, 'scripts', 'setup-optional.mjs');

test('setup-optional reports one line per item and never fails the install', async () => {
  const { stdout } = await run(process.execPath, [script], { timeout: 120_000, env: { ...process.env, SHARDSCOPE_SKIP_OPTIONAL: '' } });
  const lines = stdout.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(':')[0]), ['optional electron', 'optional @tensorflow/tfjs-node-gpu', 'optional @tensorflow/tfjs-node']);
  for (const line of lines) assert.match(line, /^optional [^:]+: (installed|skipped|failed) \(.+\)$|^optional [^:]+: installed$/);
});

test('SHARDSCOPE_SKIP_OPTIONAL=1 skips every download with one line', async () => {
  const { stdout } = await run(process.execPath, [script], { env: { ...process.env, SHARDSCOPE_SKIP_OPTIONAL: '1' } });
  assert.equal(stdout.trim(), 'optional downloads: skipped (SHARDSCOPE_SKIP_OPTIONAL=1)');
});
