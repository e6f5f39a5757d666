/** Web mode with a hung nvidia-smi: the URL comes while the probes still hang, one Ctrl-C stops, nothing of them is left. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebApp } from '../support/app-process.js';
import { isRunning } from '../support/processes.js';

/**
 * An nvidia-smi where every call hangs with a child holding its pipes and SIGTERM ignored (discovery's
 * `-q -x` and the host sampler's probe and streams alike); it logs "<pid> <child pid> <first argument>".
 */
function hungNvidiaSmi(dir: string): { path: string; pidsFile: string } {
  const pidsFile = join(dir, 'pids');
  const path = join(dir, 'nvidia-smi');
  writeFileSync(path, `#!/bin/sh
trap '' TERM
sleep 600 & echo "$$ $! $1" >> ${pidsFile}; wait; wait
`);
  chmodSync(path, 0o755);
  return { path, pidsFile };
}

test('a hung nvidia-smi neither delays the URL nor the stop, and leaves no process behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-hung-smi-'));
  const smi = hungNvidiaSmi(dir);
  const app = await startWebApp(['--web', '--nvidia-smi', smi.path], { SHARDSCOPE_HOME: dir });
  const calls = () => readFileSync(smi.pidsFile, 'utf8').trim().split('\n').map((line) => line.split(' '));
  try {
    const [discovery] = calls();
    assert.equal(discovery[2], '-q', 'discovery was started first');
    assert.ok(isRunning(Number(discovery[0])) && isRunning(Number(discovery[1])), 'the URL was printed while discovery still waits on the probe');
    // The host sampler's probe hangs too (it runs beside discovery): the process log is the only signal of it.
    for (let tries = 0; calls().length < 2 && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(calls().length >= 2, 'the sampler probed nvidia-smi');
    app.child.kill('SIGINT');
    const [code] = await once(app.child, 'exit') as [number | null];
    assert.equal(code, 0, app.output());
    const pids = calls().flatMap(([pid, child]) => [Number(pid), Number(child)]);
    // Killed processes are reaped by init a moment later: wait for that, not for the probe's 600 s.
    for (let tries = 0; pids.some(isRunning) && tries < 50; tries += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pid of pids) assert.ok(!isRunning(pid), `probe process ${pid} is gone`);
  } finally {
    await app.stop();
  }
});
