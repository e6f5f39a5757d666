/**
 * A separate process that writes GPU power samples through a StoreWriter at `rateHz` until it is
 * killed. It prints `ready`, then `produced <timestampMs>` for every sample it handed to the writer
 * and `flushed <rows>` after each flush, so the test knows what it produced without asking it.
 * Usage: node --import tsx writer-child.ts DB_PATH RATE_HZ [FLUSH_INTERVAL_MS]
 */
import { RunStore } from '../../../../src-main/core/store/run-store.js';
import { StoreWriter } from '../../../../src-main/core/store/store-writer.js';

const [path, rateArg, flushArg] = process.argv.slice(2);
const rateHz = Number(rateArg);
const store = RunStore.open(path);
store.createRun({ id: 'crash', engine: 'tfjs', strategy: { dp: 4 }, model: {}, plan: null, prediction: null, hosts: ['local'], startedAtMs: Date.now() });
const writer = new StoreWriter(store, {
  flushIntervalMs: flushArg ? Number(flushArg) : undefined,
  onFlush: (info) => process.stdout.write(`flushed ${info.rows}\n`),
});
let lastMs = 0;
setInterval(() => {
  const timestampMs = Math.max(Date.now(), lastMs + 1);
  lastMs = timestampMs;
  writer.addSamples([0, 1, 2, 3].map((gpuIndex) => ({
    key: { run: 'crash', host: 'local', gpuIndex, metric: 'powerWatts' }, source: 'measured' as const, timestampMs, value: 100 + gpuIndex,
  })));
  process.stdout.write(`produced ${timestampMs}\n`);
}, 1000 / rateHz);
process.stdout.write('ready\n');
