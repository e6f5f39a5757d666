/**
 * A real run recorded with this machine's real sampler over the nvidia-smi stand-in (a recorded
 * H100 under load, ~630 W, shown as two GPUs): ranks on CPU are charged no GPU energy; a rank whose process
 * the driver lists on GPU 1 makes GPU 1 (and only it) the run's.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRecorded } from '../../../src-main/core/runs/recorded-run.js';
import type { RunTelemetry } from '../../../src-main/core/runs/run-telemetry.js';
import { RunStore, StoreWriter } from '../../../src-main/core/store/index.js';
import { startHostSampler } from '../../../src-main/core/telemetry/host-sampler.js';
import { buildReport, buildRunReport } from '../../../src-main/core/report/build-report.js';
import { renderHtml } from '../../../src-main/core/report/render-html.js';
import { runCsvFiles } from '../../../src-main/core/report/render-csv.js';
import { trainConfigOf } from '../../../src-main/core/runs/train-config.js';
import { modelPresets } from '../../../src-shared/engine-config.js';
import { fakeNvidiaSmiPath, fixture } from '../../support/fake-nvidia-smi/fixtures.js';
import { WORKER_PATH } from '../../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'shardscope-run-telemetry-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const GPU1_UUID = 'GPU-00000000-0000-0000-0000-000000000001';

async function recordWithSampler(name: string, appsFile: string | null, onStarted?: (pids: number[]) => void) {
  const store = RunStore.open(join(dir, `${name}.db`));
  const writer = new StoreWriter(store);
  const env = {
    ...process.env, FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv'), FAKE_SMI_REPLICATE_GPUS: '2',
    ...(appsFile ? { FAKE_SMI_COMPUTE_APPS: appsFile } : {}),
  };
  let telemetry: RunTelemetry | null = null;
  const sampler = startHostSampler({ kind: 'local', hostId: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env }, {
    intervalMs: 100, restartBackoffMs: 100, onBatch: (batch) => { if (telemetry) telemetry.add(batch); else writer.addTelemetry(batch, null); },
  });
  const config = trainConfigOf({ model: { ...modelPresets.tiny }, dp: 2, tp: 1, pp: 1, steps: 25 });
  try {
    const summary = await runRecorded({
      config, store, writer, hostId: 'local', workerPath: WORKER_PATH, sampleIntervalMs: 100,
      onRecorded: (_id, t) => { telemetry = t; }, onStarted: (ranks) => onStarted?.(ranks.map((r) => r.pid)),
    });
    await sampler.stop();
    writer.close();
    return { store, runId: summary.runId };
  } catch (error) {
    await sampler.stop();
    writer.close();
    throw error;
  }
}

test('a CPU run on a host whose GPUs draw power is charged 0 J of GPU energy; the GPUs stay in the host history', async () => {
  const { store, runId } = await recordWithSampler('cpu', null);
  try {
    const run = store.getRun(runId)!;
    const energy = run.summary!.energy;
    assert.equal(energy.gpuJoules, 0);
    assert.ok(energy.cpuJoules > 0, 'the host\'s CPU energy is the run\'s');
    assert.deepEqual(energy.perHost?.map((h) => [h.host, h.gpuJoules]), [['local', 0]]);
    const report = buildRunReport(store, runId);
    assert.equal(report.series.filter((s) => s.gpuIndex !== null).length, 0, 'no GPU series under the run');
    assert.deepEqual(report.rankDevices?.map((r) => r.gpuIndexes), [[], []]);
    // the GPUs really were sampled, drawing power: their samples are the host's, outside the run
    const history = store.db.prepare(`SELECT count(*) AS n FROM series s JOIN samples p ON p.series = s.id WHERE s.run IS NULL AND s.gpu_index IS NOT NULL AND s.metric = 'powerWatts' AND p.value > 600`).get() as { n: number };
    assert.ok(history.n > 0, 'GPU power samples kept as host history');
  } finally {
    store.close();
  }
});

test('ranks listed by the driver on GPU 1 make GPU 1 the run\'s: its energy counted, GPU 0 not used; per-rank GPU memory, utilisation and power', async () => {
  const appsFile = join(dir, 'apps.csv');
  writeFileSync(appsFile, 'gpu_uuid, pid, used_gpu_memory [MiB]\n');
  const { store, runId } = await recordWithSampler('process', appsFile, (pids) => {
    writeFileSync(appsFile, `gpu_uuid, pid, used_gpu_memory [MiB]\n${GPU1_UUID}, ${pids[0]}, 812 MiB\n${GPU1_UUID}, ${pids[1]}, 300 MiB\n`);
  });
  try {
    const energy = store.getRun(runId)!.summary!.energy;
    assert.ok(energy.gpuJoules > 0, 'GPU 1 energy is the run\'s');
    const report = buildRunReport(store, runId);
    const gpuSeries = report.series.filter((s) => s.gpuIndex !== null);
    assert.deepEqual([...new Set(gpuSeries.map((s) => s.gpuIndex))], [1]);
    const rank0 = report.rankDevices?.find((r) => r.rank === 0);
    const rank1 = report.rankDevices?.find((r) => r.rank === 1);
    assert.deepEqual(rank0?.gpuIndexes, [1]);
    assert.equal(rank0?.peakGpuMemoryBytes, 812 * 1024 * 1024);
    assert.deepEqual(rank1?.gpuIndexes, [1]);
    assert.equal(rank1?.peakGpuMemoryBytes, 300 * 1024 * 1024);
    // the recorded H100 row: 100 % and 631.95 W, per device, so both ranks on GPU 1 share them
    for (const rank of [rank0, rank1]) {
      assert.equal(rank?.meanGpuUtilisationPercent, 100);
      assert.ok(Math.abs(rank!.meanGpuPowerWatts! - 631.95) < 1e-9, `power ${rank?.meanGpuPowerWatts}`);
      assert.equal(rank?.gpuSharedByRanks, 2);
    }
    const html = renderHtml(buildReport(store, [runId]));
    assert.match(html, /<td>812 MiB<\/td><td>100 % \(device-level, shared by 2 ranks\)<\/td><td>632 W \(device-level, shared by 2 ranks\)<\/td>/);
    assert.match(html, /nvidia-smi --query-compute-apps/);
    const rankGpus = runCsvFiles(report).find((f) => f.name === 'rank-gpus.csv')!.text.trim().split('\n');
    assert.equal(rankGpus.length, 3);
    assert.match(rankGpus[1], /^0,local,cpu:0,1,851443712,100,631\.9\d*,2$/);
  } finally {
    store.close();
  }
});
