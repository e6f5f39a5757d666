import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { REPO_ROOT } from '../../support/paths.js';

const child = join(REPO_ROOT, 'test/core/store/support/writer-child.ts');

/** Runs the writer child at `rateHz`, SIGKILLs it once it has flushed `flushesBeforeKill` times, and checks the store. */
async function killMidWrite(t: { after: (fn: () => void) => void }, rateHz: number, flushesBeforeKill: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'store.db');
  const proc = spawn(process.execPath, ['--import', 'tsx', child, path, String(rateHz)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  const produced: number[] = [];
  let flushes = 0;
  let killMs = 0;
  const exited = once(proc, 'exit');
  for await (const line of createInterface({ input: proc.stdout })) {
    const [word, value] = line.split(' ');
    if (word === 'produced') produced.push(Number(value));
    if (word === 'flushed') flushes += 1;
    if (flushes >= flushesBeforeKill && killMs === 0) {
      killMs = Date.now();
      proc.kill('SIGKILL');
    }
  }
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL');

  const store = RunStore.open(path);
  t.after(() => store.close());
  const series = store.series.seriesForRun('crash');
  assert.equal(series.length, 4);
  for (const s of series) {
    const stored = new Set(store.series.points(s.id).map((p) => p.timestampMs));
    const olderThanOneSecond = produced.filter((ms) => ms <= killMs - 1000);
    assert.ok(olderThanOneSecond.length >= rateHz, `only ${olderThanOneSecond.length} samples older than 1 s`);
    const missing = olderThanOneSecond.filter((ms) => !stored.has(ms));
    assert.deepEqual(missing, [], `gpu ${s.gpuIndex}: ${missing.length} samples older than 1 s before the kill are lost`);
    const lost = produced.filter((ms) => !stored.has(ms));
    assert.ok(lost.every((ms) => ms > killMs - 1000));
  }
  assert.equal(store.getRun('crash')?.status, 'interrupted'); // its controller was killed: interrupted, its data kept
}

test('a writer killed with SIGKILL at 50 Hz loses at most the last second of samples', async (t) => {
  await killMidWrite(t, 50, 5);
});

test('a writer killed with SIGKILL at 2 Hz loses at most the last second of samples', async (t) => {
  await killMidWrite(t, 2, 4);
});
