/** The capped process-group runner: output cut at the cap and said so; a timeout kills the whole group. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { runCapped } from '../../../src-main/core/process/run-capped.js';
import { runNvidiaSmi } from '../../../src-main/core/inventory/nvidia-smi-run.js';
import { discoverLocalHost } from '../../../src-main/core/inventory/discover-local.js';
import { isRunning } from '../../support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'shardscope-capped-'));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function waitGone(pids: number[]): Promise<void> {
  for (let tries = 0; pids.some(isRunning) && tries < 50; tries += 1) await new Promise((resolve) => setTimeout(resolve, 100));
}

// 100 MB of 'x' on one line, then exit 3 (as a broken nvidia-smi might).
const flood = script('flood', 'head -c 100000000 /dev/zero | tr "\\0" x; exit 3');

test('100 MB of output on one line is cut at the cap, marked as cut, and the command stopped', async () => {
  const result = await runCapped(flood, [], { timeoutMs: 30_000, maxOutputBytes: 1 << 20 });
  assert.equal(result.isOutputCut, true);
  assert.equal(result.stdout.length, 1 << 20);
});

test('nvidia-smi flooding its output gives a short error that says the output was cut', async () => {
  await assert.rejects(runNvidiaSmi(flood, ['-q', '-x'], { maxOutputBytes: 1 << 20 }), (error: unknown) => {
    assert.ok(error instanceof ShardScopeError);
    assert.ok(error.message.length < 500, `message of ${error.message.length} characters`);
    assert.match(error.message, /output cut at/);
    return true;
  });
  const host = await discoverLocalHost({ nvidiaSmiPath: flood });
  assert.ok((host.gpuNote ?? '').length < 500, `gpu note of ${(host.gpuNote ?? '').length} characters`);
});

test('a failing command with a huge first line: the error line is cut and says so', async () => {
  const noisy = script('noisy', 'head -c 300000 /dev/zero | tr "\\0" y; echo; exit 9');
  await assert.rejects(runNvidiaSmi(noisy, ['-L']), (error: unknown) => {
    assert.ok(error instanceof ShardScopeError);
    assert.equal(error.kind, 'unavailable');
    assert.ok(error.message.length < 500);
    assert.match(error.message, /output cut at 300 bytes/);
    return true;
  });
});

test('a timeout kills the whole process group, children holding the pipes included', async () => {
  const pidsFile = join(dir, 'hang-pids');
  const hang = script('hang', `sleep 600 & echo "$$ $!" > ${pidsFile}; wait`);
  await assert.rejects(runCapped(hang, [], { timeoutMs: 500 }), (error: unknown) => error instanceof ShardScopeError && error.kind === 'timeout');
  const pids = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
  await waitGone(pids);
  for (const pid of pids) assert.ok(!isRunning(pid), `${pid} is gone`);
});

test('aborting kills the group and rejects as cancelled', async () => {
  const pidsFile = join(dir, 'abort-pids');
  const hang = script('hang2', `sleep 600 & echo "$$ $!" > ${pidsFile}; wait`);
  const controller = new AbortController();
  const running = runCapped(hang, [], { timeoutMs: 60_000, signal: controller.signal });
  for (let tries = 0; tries < 100; tries += 1) {
    try { readFileSync(pidsFile); break; } catch { await new Promise((resolve) => setTimeout(resolve, 20)); }
  }
  controller.abort();
  await assert.rejects(running, (error: unknown) => error instanceof ShardScopeError && error.kind === 'cancelled');
  const pids = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
  await waitGone(pids);
  for (const pid of pids) assert.ok(!isRunning(pid), `${pid} is gone`);
});
