/**
 * The app killed outright mid-run: reopening the store finds everything older than about a second
 * before the kill (samples and step events), the run is marked interrupted, and no worker survives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { RunStore } from '../../src-main/core/store/index.js';
import { connectApi } from '../support/api-client.js';
import { startWebApp } from '../support/app-process.js';
import { processesOfRun } from '../support/processes.js';

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

test('killing the app mid-run loses at most about a second of samples and leaves no worker', async () => {
  const home = mkdtempSync(join(tmpdir(), 'shardscope-crash-'));
  const app = await startWebApp(['--web', '--interval-ms', '200'], { SHARDSCOPE_HOME: home });
  const api = await connectApi(app);
  let lastSampleMs = 0;
  let lastStep = -1;
  api.on('telemetry', (batch) => { for (const s of batch.hosts) lastSampleMs = Math.max(lastSampleMs, s.timestampMs); });
  api.on('run', (update) => { for (const p of update.points) lastStep = Math.max(lastStep, p.step); });
  const { runId } = await api.call('startRun', { model: 'tiny', dp: 2, tp: 1, pp: 1, steps: 100_000 });
  assert.ok(await waitFor(() => lastStep >= 30 && processesOfRun(runId).length === 2, 60_000), 'the run is training');
  const seenSampleMs = lastSampleMs;
  const seenStep = lastStep;
  app.child.kill('SIGKILL');
  await once(app.child, 'exit');
  api.close();

  assert.ok(await waitFor(() => processesOfRun(runId).length === 0, 10_000), `workers left behind: ${processesOfRun(runId).join(', ')}`);
  const store = RunStore.open(join(home, 'shardscope.db'));
  try {
    const run = store.getRun(runId);
    assert.equal(run?.status, 'interrupted', 'the next start marks the run interrupted (its controller died), its data kept');
    const details = store.runDetails(runId);
    const storedSteps = details.events.filter((e) => e.type === 'step').map((e) => Number(e.data.step));
    assert.ok(Math.max(...storedSteps) >= seenStep - 30, `step events up to about a second before the kill are kept (saw ${seenStep}, stored ${Math.max(...storedSteps)})`);
    const cpu = store.runSeries(runId, { maxPoints: 10_000 }).find((s) => s.metric.toLowerCase().includes('cpu') && s.gpuIndex === null);
    assert.ok(cpu, 'host CPU samples were stored with the run');
    const lastStoredMs = Math.max(...cpu.buckets.map((b) => b.endMs));
    assert.ok(lastStoredMs >= seenSampleMs - 1000, `samples up to ~1 s before the kill are kept (seen ${seenSampleMs}, stored ${lastStoredMs})`);
  } finally {
    store.close();
  }
});
