/** Which GPUs a run uses: by placement, by a rank's process (or its process group), and nothing else. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GpuSample, TelemetryBatch } from '../../../src-shared/telemetry.js';
import { DeviceUse } from '../../../src-main/core/telemetry/device-use.js';

const gpu = (hostId: string, gpuIndex: number, powerWatts: number): GpuSample => ({
  hostId, gpuIndex, gpuUuid: `GPU-${hostId}-${gpuIndex}`, timestampMs: 1000, memoryUsedBytes: 1, memoryTotalBytes: 2,
  utilisationPercent: 50, powerWatts, temperatureCelsius: 40, smClockMhz: 1000,
});
const host = (hostId: string) => ({ hostId, timestampMs: 1000, cpuUtilisationPercent: 10, memoryUsedBytes: 1, memoryTotalBytes: 2, networkRxBytesPerSecond: 0, networkTxBytesPerSecond: 0 });
const batch = (extra: Partial<TelemetryBatch> = {}): TelemetryBatch => ({
  hosts: [host('local'), host('gpu3'), host('other')], gpus: [gpu('local', 0, 200), gpu('local', 1, 150), gpu('gpu3', 0, 300), gpu('other', 0, 99)], notices: [], ...extra,
});

test('CPU ranks use no GPU: every GPU sample is left out of the run, its hosts\' samples kept', () => {
  const use = new DeviceUse([{ rank: 0, host: 'local', device: 'cpu:0' }, { rank: 1, host: 'gpu3', device: 'cpu:0' }]);
  const { run, rest } = use.split(batch());
  assert.deepEqual(run.gpus, []);
  assert.deepEqual(run.hosts.map((h) => h.hostId), ['local', 'gpu3']);
  assert.equal(rest.gpus.length, 4);
  assert.deepEqual(rest.hosts.map((h) => h.hostId), ['other']);
  const report = use.report();
  assert.deepEqual(report.gpus.map((g) => [g.host, g.gpuIndex, g.isUsed]), [['gpu3', 0, false], ['local', 0, false], ['local', 1, false]]);
});

test('a cuda:N placement makes GPU N of that host the run\'s, not the other GPUs', () => {
  const use = new DeviceUse([{ rank: 0, host: 'local', device: 'cuda:1' }, { rank: 1, host: 'gpu3', device: 'cpu:0' }]);
  const { run } = use.split(batch());
  assert.deepEqual(run.gpus.map((g) => `${g.hostId}/${g.gpuIndex}`), ['local/1']);
  assert.deepEqual(use.report().gpus.find((g) => g.host === 'local' && g.gpuIndex === 1)?.via, ['placement']);
});

test('a rank\'s process (or a process in its group) on a GPU makes that GPU the run\'s, with the rank\'s memory', () => {
  const use = new DeviceUse([{ rank: 0, host: 'local', device: 'cpu:0' }, { rank: 1, host: 'gpu3', device: 'cpu:0' }], (h, pid) => (h === 'local' && pid === 777 ? 500 : null));
  use.setRankPid(0, 500);
  use.setRankPid(1, 42);
  use.observe(batch());
  const { run } = use.split(batch({
    gpuProcesses: [
      { hostId: 'local', timestampMs: 1000, processes: [{ gpuUuid: 'GPU-local-0', pid: 777, usedMemoryBytes: 1000 }, { gpuUuid: 'GPU-local-1', pid: 9999, usedMemoryBytes: 5 }] },
      { hostId: 'gpu3', timestampMs: 1000, processes: [{ gpuUuid: 'GPU-gpu3-0', pid: 42, usedMemoryBytes: 2000 }] },
      { hostId: 'other', timestampMs: 1000, processes: [{ gpuUuid: 'GPU-other-0', pid: 42, usedMemoryBytes: 1 }] },
    ],
  }));
  assert.deepEqual(run.gpus.map((g) => `${g.hostId}/${g.gpuIndex}`), ['local/0', 'gpu3/0']);
  const report = use.report();
  assert.deepEqual(report.ranks.map((r) => [r.rank, r.gpuIndexes, r.peakGpuMemoryBytes]), [[0, [0], 1000], [1, [0], 2000]]);
});

test('per rank: its processes\' peak memory, and its GPU\'s mean utilisation and power (device-level, shared when ranks share it)', () => {
  const ranks = [{ rank: 0, host: 'local', device: 'cuda:0' }, { rank: 1, host: 'local', device: 'cuda:0' }, { rank: 2, host: 'local', device: 'cuda:1' }, { rank: 3, host: 'gpu3', device: 'cpu:0' }];
  const use = new DeviceUse(ranks);
  use.setRankPid(0, 10);
  use.setRankPid(1, 11);
  const sample = (gpuIndex: number, utilisationPercent: number | null, powerWatts: number | null) => ({ ...gpu('local', gpuIndex, 0), utilisationPercent, powerWatts });
  use.split({ hosts: [], notices: [], gpus: [sample(0, 80, 300), sample(1, 20, 100), gpu('other', 0, 999)] });
  use.split({ hosts: [], notices: [], gpus: [sample(0, 60, 250), sample(1, null, null)], gpuProcesses: [
    { hostId: 'local', timestampMs: 1000, processes: [{ gpuUuid: 'GPU-local-0', pid: 10, usedMemoryBytes: 3000 }, { gpuUuid: 'GPU-local-0', pid: 11, usedMemoryBytes: 1000 }] },
  ] });
  const byRank = new Map(use.report().ranks.map((r) => [r.rank, r]));
  const figures = (rank: number) => { const r = byRank.get(rank)!; return [r.peakGpuMemoryBytes, r.meanGpuUtilisationPercent, r.meanGpuPowerWatts, r.gpuSharedByRanks]; };
  assert.deepEqual(figures(0), [3000, 70, 275, 2]);
  assert.deepEqual(figures(1), [1000, 70, 275, 2]);
  // a missing figure ([N/A]) is not a zero: GPU 1's means come from its one readable sample
  assert.deepEqual(figures(2), [null, 20, 100, 1]);
  assert.deepEqual(figures(3), [null, null, null, 0]);
});
