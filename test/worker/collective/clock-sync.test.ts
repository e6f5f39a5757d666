/**
 * Clock alignment over real loopback connections (three ranks in this process, so their true clocks
 * are one): each rank is given a clock shifted by a known amount, and alignClocks must find the
 * shift back within its own error bound, with the op counts and sequencing of a real exchange.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { alignClocks } from '../../../src-worker/collective/clock-sync.js';
import { initCollective } from '../../../src-worker/collective/index.js';
import { freePort } from '../engine/support/train-grid.js';

test('three ranks with clocks shifted by 0, +250.5 and -1300 ms: every offset found within its error bound', async () => {
  const shiftsMs = [0, 250.5, -1300];
  const masterPort = await freePort();
  const secret = randomBytes(16).toString('hex');
  const comms = await Promise.all(shiftsMs.map((_, rank) => initCollective({ rank, worldSize: 3, masterAddr: '127.0.0.1', masterPort, secret })));
  try {
    const alignments = await Promise.all(comms.map((comm, rank) => alignClocks(comm.world, () => performance.timeOrigin + performance.now() + shiftsMs[rank], 16)));
    assert.deepEqual(alignments[0], { offsetMs: 0, errorMs: 0, roundTrips: 16 });
    for (const rank of [1, 2]) {
      const { offsetMs, errorMs } = alignments[rank];
      // True offset (rank 0's clock minus this rank's) is -shift; the estimate must be within its own bound (+ float rounding).
      assert.ok(Math.abs(offsetMs + shiftsMs[rank]) <= errorMs + 1e-6, `rank ${rank}: offset ${offsetMs} for a shift of ${shiftsMs[rank]} (error ${errorMs})`);
      assert.ok(errorMs < 5, `rank ${rank}: round trip on loopback under 10 ms (error ${errorMs})`);
    }
    assert.equal(comms[1].world.stats().send.calls, 16, 'one ping per round trip');
  } finally {
    await Promise.all(comms.map((c) => c.close()));
  }
});
