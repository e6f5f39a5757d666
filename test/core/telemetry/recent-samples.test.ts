import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentSamples } from '../../../src-main/core/telemetry/recent-samples.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';

function batchAt(timestampMs: number): TelemetryBatch {
  return {
    hosts: [{ hostId: 'h', timestampMs, cpuUtilisationPercent: 1, memoryUsedBytes: 1, memoryTotalBytes: 2, networkRxBytesPerSecond: 0, networkTxBytesPerSecond: 0 }],
    gpus: [],
    notices: [],
  };
}

test('window(ms) returns only the samples of the last ms, oldest first', () => {
  let nowMs = 10_000;
  const recent = new RecentSamples({ maxAgeMs: 60_000, now: () => nowMs });
  for (let t = 1_000; t <= 10_000; t += 1_000) recent.add(batchAt(t));
  nowMs = 10_000;
  assert.deepEqual(recent.window(3_000).hosts.map((s) => s.timestampMs), [7_000, 8_000, 9_000, 10_000]);
});

test('the ring stays bounded by age and by count', () => {
  let nowMs = 0;
  const byAge = new RecentSamples({ maxAgeMs: 5_000, now: () => nowMs });
  for (nowMs = 0; nowMs <= 20_000; nowMs += 1_000) byAge.add(batchAt(nowMs));
  assert.equal(byAge.size, 6);
  const byCount = new RecentSamples({ maxAgeMs: 1e9, maxBatches: 3, now: () => nowMs });
  for (let i = 0; i < 10; i += 1) byCount.add(batchAt(nowMs));
  assert.equal(byCount.size, 3);
});
