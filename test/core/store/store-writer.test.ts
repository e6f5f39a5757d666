import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { StoreWriter, type FlushInfo } from '../../../src-main/core/store/store-writer.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';

function setup(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-writer-'));
  const path = join(dir, 'store.db');
  const store = RunStore.open(path);
  store.createRun({ id: 'w', engine: 'tfjs', strategy: {}, model: {}, plan: null, prediction: null, hosts: ['h'], startedAtMs: 0 });
  const reader = RunStore.open(path, { readonly: true }); // a second connection sees only committed data
  t.after(() => { reader.close(); store.close(); rmSync(dir, { recursive: true, force: true }); });
  return { store, reader };
}

const countSamples = (store: RunStore) => (store.db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;

test('writes wait in memory and are committed together one interval after the first of them', async (t) => {
  const { store, reader } = setup(t);
  const flushes: FlushInfo[] = [];
  let onFlush: () => void = () => {};
  const writer = new StoreWriter(store, { flushIntervalMs: 250, onFlush: (info) => { flushes.push(info); onFlush(); } });
  const flushed = new Promise<void>((resolve) => { onFlush = resolve; });
  const firstWriteMs = Date.now();
  const batch: TelemetryBatch = {
    hosts: [{ hostId: 'h', timestampMs: 1, cpuUtilisationPercent: 10, memoryUsedBytes: 1, memoryTotalBytes: 2, networkRxBytesPerSecond: 0, networkTxBytesPerSecond: 0 }],
    gpus: [{ hostId: 'h', gpuIndex: 0, gpuUuid: 'u', timestampMs: 1, memoryUsedBytes: 1, memoryTotalBytes: 2, utilisationPercent: null, powerWatts: 300, temperatureCelsius: null, smClockMhz: 900 }],
    notices: [{ hostId: 'h', timestampMs: 1, message: 'nvidia-smi restarted' }],
  };
  writer.addTelemetry(batch, 'w');
  writer.addEvent('w', { type: 'step', rank: 0, step: 0, timestampMs: 2 });
  assert.equal(writer.pending, 5 + 4 + 2); // host metrics + GPU metrics without the nulls + notice + step
  assert.equal(countSamples(reader), 0);
  await flushed;
  const waitedMs = Date.now() - firstWriteMs;
  assert.ok(waitedMs >= 240 && waitedMs < 1000, `flushed after ${waitedMs} ms`);
  assert.equal(flushes.length, 1);
  assert.equal(flushes[0].rows, 11);
  assert.equal(countSamples(reader), 9);
  assert.deepEqual(reader.runDetails('w').events.map((e) => e.type).sort(), ['sampler-notice', 'step']);
  assert.equal(writer.pending, 0);
});

test('close flushes what is pending at once, and an idle writer does not flush', (t) => {
  const { store, reader } = setup(t);
  const flushes: FlushInfo[] = [];
  const writer = new StoreWriter(store, { flushIntervalMs: 60_000, onFlush: (info) => flushes.push(info) });
  writer.addSamples([{ key: { run: 'w', host: 'h', gpuIndex: 1, metric: 'powerWatts' }, source: 'measured', timestampMs: 5, value: 7 }]);
  assert.equal(countSamples(reader), 0);
  const info = writer.close();
  assert.equal(info.rows, 1);
  assert.equal(countSamples(reader), 1);
  assert.equal(writer.flush().rows, 0);
  assert.equal(flushes.length, 1);
  assert.throws(() => writer.addSamples([]));
});
