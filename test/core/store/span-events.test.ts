/** The timeline's reads from a real SQLite store: the traced step range, and spans events of a window of steps with every run-start. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { spanEventsOf, tracedStepRange } from '../../../src-main/core/store/span-events.js';

test('a run\'s spans events are read by step window, with the run-start events that carry the clocks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-span-events-'));
  const store = RunStore.open(join(dir, 'runs.db'));
  try {
    store.createRun({ id: 'r', engine: 'tfjs', strategy: {}, model: {}, plan: null, prediction: null, hosts: ['h'], startedAtMs: 0 });
    store.createRun({ id: 'other', engine: 'tfjs', strategy: {}, model: {}, plan: null, prediction: null, hosts: ['h'], startedAtMs: 0 });
    assert.equal(tracedStepRange(store, 'r'), null, 'no spans yet');
    const events = [
      ...[0, 1].map((rank) => ({ run: 'r', event: { type: 'run-start', rank, timestampMs: 1, clock: { offsetMs: rank * 3, errorMs: 0.1, roundTrips: 16 } } })),
      ...[2, 3, 4, 5, 6].flatMap((step) => [0, 1].map((rank) => ({ run: 'r', event: { type: 'spans', rank, step, timestampMs: 10 + step, stepStartMs: step, stepEndMs: step + 1, spans: [] } }))),
      ...[0, 1].map((rank) => ({ run: 'r', event: { type: 'step', rank, step: 6, timestampMs: 20 } })),
      { run: 'other', event: { type: 'spans', rank: 0, step: 9, timestampMs: 30, stepStartMs: 0, stepEndMs: 1, spans: [] } },
    ];
    store.writeBatch({ events });
    assert.deepEqual(tracedStepRange(store, 'r'), { firstStep: 2, lastStep: 6 });
    const window = spanEventsOf(store, 'r', 3, 4);
    assert.deepEqual(window.filter((e) => e.type === 'spans').map((e) => [e.data.step, e.rank]), [[3, 0], [3, 1], [4, 0], [4, 1]]);
    assert.deepEqual(window.filter((e) => e.type === 'run-start').map((e) => (e.data.clock as { offsetMs: number }).offsetMs), [0, 3]);
    assert.equal(spanEventsOf(store, 'r').filter((e) => e.type === 'spans').length, 10, 'every traced step by default, no other type, no other run');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
