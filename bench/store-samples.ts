/**
 * Store bench: 1 h of 2 Hz samples of 64 GPUs (6 metrics each, ~2.76 M rows) written the way the
 * live StoreWriter writes them (one transaction per second of data), then downsampled reads.
 * Peers measured in the same run: the same rows in one single transaction (the write ceiling), and
 * reading a series' raw points into JS and bucketing there (instead of the SQL GROUP BY).
 * Run: node --import tsx bench/store-samples.ts [--gpus 64] [--seconds 3600] [--json]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RunStore } from '../src-main/core/store/run-store.js';
import type { SeriesSample } from '../src-main/core/store/series-table.js';
import { GPU_METRICS } from '../src-main/core/store/telemetry-rows.js';

const { values } = parseArgs({ options: { gpus: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' } } });
const gpus = Number(values.gpus ?? 64);
const seconds = Number(values.seconds ?? 3600);
const hz = 2;
const startMs = Date.UTC(2025, 0, 1);

function secondOfSamples(run: string, second: number): SeriesSample[] {
  const rows: SeriesSample[] = [];
  for (let tick = 0; tick < hz; tick += 1) {
    const timestampMs = startMs + second * 1000 + tick * (1000 / hz);
    for (let gpuIndex = 0; gpuIndex < gpus; gpuIndex += 1) {
      for (const metric of GPU_METRICS) {
        const value = metric === 'powerWatts' ? 300 + 50 * Math.sin(second / 60 + gpuIndex) : second * 1000 + gpuIndex;
        rows.push({ key: { run, host: `node${gpuIndex >> 3}`, gpuIndex: gpuIndex & 7, metric }, source: 'measured', timestampMs, value });
      }
    }
  }
  return rows;
}

function timeMs<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const dir = mkdtempSync(join(tmpdir(), 'shardscope-bench-store-'));
try {
  const store = RunStore.open(join(dir, 'store.db'));
  store.createRun({ id: 'bench', engine: 'tfjs', strategy: { dp: gpus }, model: {}, plan: null, prediction: null, hosts: [], startedAtMs: startMs });
  const flushMs: number[] = [];
  const write = timeMs(() => {
    for (let second = 0; second < seconds; second += 1) {
      const rows = secondOfSamples('bench', second);
      const t0 = performance.now();
      store.writeBatch({ samples: rows });
      flushMs.push(performance.now() - t0);
    }
  });
  const rows = seconds * hz * gpus * GPU_METRICS.length;
  flushMs.sort((a, b) => a - b);

  // peer: the same rows in one transaction, into a second run
  store.createRun({ id: 'peer', engine: 'tfjs', strategy: {}, model: {}, plan: null, prediction: null, hosts: [], startedAtMs: startMs });
  const single = timeMs(() => store.db.transaction(() => {
    for (let second = 0; second < seconds; second += 1) store.series.insert(secondOfSamples('peer', second));
  })());

  const [oneSeries] = store.series.seriesForRun('bench', ['powerWatts']);
  const one = timeMs(() => store.series.downsample(oneSeries, { maxPoints: 1000 }));
  const jsPeer = timeMs(() => {
    const points = store.series.points(oneSeries.id);
    const bucketMs = Math.ceil((points[points.length - 1].timestampMs - points[0].timestampMs + 1) / 1000);
    const buckets = new Map<number, { min: number; max: number; sum: number; count: number }>();
    for (const p of points) {
      const b = Math.floor((p.timestampMs - points[0].timestampMs) / bucketMs);
      const bucket = buckets.get(b) ?? { min: Infinity, max: -Infinity, sum: 0, count: 0 };
      bucket.min = Math.min(bucket.min, p.value); bucket.max = Math.max(bucket.max, p.value); bucket.sum += p.value; bucket.count += 1;
      buckets.set(b, bucket);
    }
    return buckets.size;
  });
  const allPower = timeMs(() => store.runSeries('bench', { metrics: ['powerWatts'], maxPoints: 1000 }));
  const summary = timeMs(() => store.endRun('bench', { status: 'finished', endedAtMs: startMs + seconds * 1000 }));
  const list = timeMs(() => store.listRuns());
  store.close();
  const result = {
    gpus, seconds, hz, metrics: GPU_METRICS.length, rows,
    writeSecondsBatched: write.ms / 1000, rowsPerSecondBatched: rows / (write.ms / 1000),
    flushMsMedian: percentile(flushMs, 0.5), flushMsP99: percentile(flushMs, 0.99), flushMsMax: flushMs[flushMs.length - 1],
    writeSecondsSingleTransaction: single.ms / 1000, batchedOverSingle: write.ms / single.ms,
    downsampleOneSeriesMs: one.ms, bucketsOneSeries: one.value.buckets.length, jsBucketingPeerMs: jsPeer.ms, sqlOverJsPeer: one.ms / jsPeer.ms,
    downsampleAllPowerSeriesMs: allPower.ms, powerSeries: allPower.value.length,
    summaryWithEnergyMs: summary.ms, energyJoules: summary.value.energy.totalJoules, listRunsMs: list.ms,
    fileBytes: statSync(join(dir, 'store.db')).size,
  };
  if (values.json) console.log(JSON.stringify(result));
  else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(32)} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
