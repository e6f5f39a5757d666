/** Web mode with a hung nvidia-smi: the URL comes while the probe still hangs, one Ctrl-C stops, nothing of the probe is left. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebApp } from '../support/app-process.js';

/** Alive and not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** An nvidia-smi whose discovery call (-q -x) hangs with a child holding its pipes; it logs both pids. */
function hungNvidiaSmi(dir: string): { path: string; pidsFile: string } {
  const pidsFile = join(dir, 'pids');
  const path = join(dir, 'nvidia-smi');
  writeFileSync(path, `#!/bin/sh
case "$1" in
  -q) sleep 600 & echo "$$ $!" >> ${pidsFile}; wait ;;
  *) echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."; exit 9 ;;
esac
`);
  chmodSync(path, 0o755);
  return { path, pidsFile };
}

test('a hung nvidia-smi neither delays the URL nor the stop, and leaves no process behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-hung-smi-'));
  const smi = hungNvidiaSmi(dir);
  const app = await startWebApp(['--web', '--nvidia-smi', smi.path], { SHARDSCOPE_HOME: dir });
  try {
    const pids = readFileSync(smi.pidsFile, 'utf8').trim().split(/\s+/).map(Number);
    assert.equal(pids.length, 2, 'the probe and its child were started');
    assert.ok(pids.every(isRunning), 'the URL was printed while discovery still waits on the probe');
    app.child.kill('SIGINT');
    const [code] = await once(app.child, 'exit') as [number | null];
    assert.equal(code, 0, app.output());
    // Killed processes are reaped by init a moment later: wait for that, not for the probe's 600 s.
    for (let tries = 0; pids.some(isRunning) && tries < 50; tries += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pid of pids) assert.ok(!isRunning(pid), `probe process ${pid} is gone`);
  } finally {
    await app.stop();
  }
});
