/** A stored run's energy history from its downsampled power series: CPU per host and the run's GPUs, summed, gaps not bridged. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DownsampledSeries } from '../../../src-shared/run-record.js';
import { energyHistoryOf } from '../../../src-renderer/state/stored-energy.js';

function series(metric: string, host: string, gpuIndex: number | null, source: 'measured' | 'estimated', points: [number, number][]): DownsampledSeries {
  return { run: 'r', host, gpuIndex, metric, source, rawCount: points.length, buckets: points.map(([t, w]) => ({ startMs: t, endMs: t, min: w, max: w, avg: w, count: 1 })) };
}

test('CPU of two hosts and one GPU integrate into cumulative joules; an estimated host makes CPU estimated', () => {
  const history = energyHistoryOf([
    series('cpuPowerWatts', 'local', null, 'measured', [[0, 10], [1000, 10], [2000, 10]]),
    series('cpuPowerWatts', 'gpu3', null, 'estimated', [[0, 20], [1000, 20], [2000, 20]]),
    series('powerWatts', 'local', 1, 'measured', [[0, 100], [1000, 300], [2000, 300]]),
    series('memoryUsedBytes', 'local', 1, 'measured', [[0, 5], [1000, 5]]),
  ]);
  assert.deepEqual(history.map((p) => [p.timestampMs, p.cpuJoules, p.gpuJoules]), [[0, 0, 0], [1000, 30, 200], [2000, 60, 500]]);
  assert.equal(history[0].cpuSource, 'estimated');
});

test('a gap longer than three sampling steps is not bridged; no power series gives no history', () => {
  const history = energyHistoryOf([series('powerWatts', 'local', 0, 'measured', [[0, 100], [1000, 100], [2000, 100], [60_000, 100]])]);
  assert.equal(history.at(-1)?.gpuJoules, 200);
  assert.deepEqual(energyHistoryOf([]), []);
});
