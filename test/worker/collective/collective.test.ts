import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CollectiveTuning, TransportStats } from '../../../src-worker/collective/index.js';
import { runWorld, type RankOutcome } from './support/spawn-ranks.js';

interface Check { op: string; length: number; mismatches: number; group?: string }

/** Asserts every rank exited cleanly and every check it ran found the exact expected values. */
function assertExact(outcomes: RankOutcome[], expectedChecksPerRank: number): void {
  outcomes.forEach((o, rank) => {
    const result = o.lines.find((l) => 'checks' in l || 'error' in l);
    assert.equal(o.code, 0, `rank ${rank} exited ${o.code}: ${JSON.stringify(result?.error)} ${o.stderr}`);
    const checks = result!.checks as Check[];
    assert.equal(checks.length, expectedChecksPerRank, `rank ${rank} ran ${checks.length} checks`);
    for (const c of checks) assert.equal(c.mismatches, 0, `rank ${rank}: ${c.group} ${c.op} length ${c.length} has ${c.mismatches} wrong elements`);
  });
}

const opsPerLength = (world: number) => (world > 1 ? 6 : 5);

for (const world of [1, 2, 3, 4]) {
  test(`every op is exact for world ${world}, lengths 0, 1, 7, 1e6+3`, async () => {
    const lengths = [0, 1, 7, 1_000_003];
    assertExact(await runWorld('ops', world, lengths), lengths.length * opsPerLength(world));
  });
}

for (const world of [5, 6, 7, 8]) {
  test(`every op is exact for world ${world}, lengths 0, 7, and ${world === 8 ? '1e6+3' : '1003'}`, async () => {
    const lengths = [0, 7, world === 8 ? 1_000_003 : 1003];
    assertExact(await runWorld('ops', world, lengths), lengths.length * opsPerLength(world));
  });
}

// Small segments make every chunk many pipelined frames; both all-reduce algorithms, both socket read paths and
// both float adds (wasm SIMD, scalar) must agree. Each rank reports which read path its connections took.
const variants: Array<[number, CollectiveTuning]> = [
  [3, { allReduceAlgorithm: 'ring', zeroCopyReads: true, simdSum: false }],
  [4, { allReduceAlgorithm: 'direct', zeroCopyReads: false, simdSum: true, scatterWindowSegments: 1 }],
  [2, { allReduceAlgorithm: 'direct', zeroCopyReads: true, simdSum: true, scatterWindowSegments: 3 }],
];
for (const [world, tuning] of variants) {
  const readPath = tuning.zeroCopyReads ? 'zero-copy' : 'copying';
  test(`every op is exact for world ${world} with the ${tuning.allReduceAlgorithm} all-reduce, ${readPath} reads, ${tuning.simdSum ? 'SIMD' : 'scalar'} sums, 4 KiB segments`, async () => {
    const lengths = [7, 100_003];
    const outcomes = await runWorld('ops', world, lengths, { SHARDSCOPE_TEST_TUNING: JSON.stringify({ ...tuning, segmentBytes: 4096 }) });
    assertExact(outcomes, lengths.length * opsPerLength(world));
    for (const o of outcomes) {
      const transport = o.lines.find((l) => 'transport' in l)!.transport as TransportStats;
      assert.equal(transport.zeroCopyConnections, tuning.zeroCopyReads ? world - 1 : 0, `${readPath} reads asked: ${JSON.stringify(transport)}`);
    }
  });
}

test('dp x tp sub-groups run concurrently with the world group without mixing (4 x 2 grid)', async () => {
  const lengths = [1, 7, 100_003];
  const outcomes = await runWorld('grid', 8, lengths, { SHARDSCOPE_TEST_TP: '2' });
  assertExact(outcomes, lengths.length * 6 * 3);
  const groups = new Set((outcomes[0].lines.find((l) => 'checks' in l)!.checks as Check[]).map((c) => c.group));
  assert.deepEqual([...groups].sort(), ['dp', 'tp', 'world']);
});

test('accounting counts calls and payload bytes per op kind', async () => {
  const [rank0] = await runWorld('ops', 2, [1000]);
  const stats = rank0.lines.find((l) => 'stats' in l)!.stats as Record<string, { calls: number; bytesSent: number; bytesReceived: number; seconds: number }>;
  // Two all-reduces of 1000 four-byte elements over 2 ranks: each rank sends its other half twice per call.
  assert.equal(stats.allReduce.calls, 2);
  assert.equal(stats.allReduce.bytesSent, 2 * 2 * 500 * 4);
  assert.equal(stats.allReduce.bytesReceived, 2 * 2 * 500 * 4);
  assert.equal(stats.send.bytesSent, 4000);
  assert.equal(stats.recv.bytesReceived, 4000);
  assert.ok(stats.allReduce.seconds > 0);
});
