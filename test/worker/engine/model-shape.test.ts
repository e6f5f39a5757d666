/** Model shapes, TP shards, the rank grid and pipeline schedules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelPresets } from '../../../src-shared/engine-config.js';
import { coordsOf, groupLists, rankOf } from '../../../src-worker/engine/grid.js';
import { countParams, extractShard, paramSpecs, shardShape, sizeOf } from '../../../src-worker/engine/param-specs.js';
import { gpipeSchedule } from '../../../src-worker/engine/schedules/gpipe.js';
import { oneFOneBSchedule } from '../../../src-worker/engine/schedules/one-f-one-b.js';

test('the bench preset has the parameter count of ../shared/peers/torch_gpt.py (untied LM head with bias)', () => {
  assert.equal(countParams(modelPresets.bench), 3_323_648);
});

test('TP shards of every parameter tile the full tensor exactly once (or replicate it)', () => {
  const model = { name: 't', layers: 1, hidden: 8, heads: 4, vocab: 16, seqLen: 4 };
  for (const spec of paramSpecs(model)) {
    const full = Float32Array.from({ length: sizeOf(spec.shape) }, (_, i) => i);
    const shards = [0, 1].map((i) => extractShard(spec, full, 2, i));
    shards.forEach((s) => assert.equal(s.length, sizeOf(shardShape(spec, 2)), spec.name));
    const seen = [...shards[0], ...shards[1]].sort((a, b) => a - b);
    if (spec.split === 'none' || (spec.split === 'row' && spec.shape.length === 1)) assert.deepEqual(shards[0], full, spec.name);
    else assert.deepEqual(seen, [...full], `${spec.name}: shards partition the tensor`);
  }
  // The first QKV shard holds heads 0-1 of q, of k and of v: columns 0-3, 8-11, 16-19 of each row.
  const qkv = paramSpecs(model).find((s) => s.name === 'h0.qkv.w')!;
  const full = Float32Array.from({ length: 8 * 24 }, (_, i) => i);
  assert.deepEqual([...extractShard(qkv, full, 2, 0).subarray(0, 12)], [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19]);
});

test('rank grid: tp fastest, then dp, then pp; every group list partitions the world', () => {
  const grid = { dp: 2, tp: 2, pp: 2 };
  for (let r = 0; r < 8; r += 1) assert.equal(rankOf(coordsOf(r, grid), grid), r);
  assert.deepEqual(coordsOf(5, grid), { tpIndex: 1, dpIndex: 0, ppIndex: 1 });
  assert.deepEqual(groupLists(grid, 'tp'), [[0, 1], [2, 3], [4, 5], [6, 7]]);
  assert.deepEqual(groupLists(grid, 'dp'), [[0, 2], [1, 3], [4, 6], [5, 7]]);
  assert.deepEqual(groupLists(grid, 'pp'), [[0, 4], [1, 5], [2, 6], [3, 7]]);
});

/** Checks each micro-batch runs forward before its one backward; returns the most micro-batches in flight. */
function peakInFlight(ops: Array<{ kind: string; microBatch: number }>, microBatches: number): number {
  const forwarded = new Set<number>();
  const backwarded = new Set<number>();
  let peak = 0;
  for (const op of ops) {
    const seen = op.kind === 'forward' ? forwarded : backwarded;
    assert.ok(!seen.has(op.microBatch), 'each op once');
    if (op.kind === 'backward') assert.ok(forwarded.has(op.microBatch), 'forward before backward');
    seen.add(op.microBatch);
    peak = Math.max(peak, forwarded.size - backwarded.size);
  }
  assert.equal(forwarded.size, microBatches);
  assert.equal(backwarded.size, microBatches);
  return peak;
}

test('schedules run each micro-batch forward then backward once; 1F1B keeps at most stages - stage in flight', () => {
  for (const [m, p] of [[4, 2], [8, 4], [2, 4]]) {
    assert.equal(peakInFlight(gpipeSchedule(m), m), m);
    for (let s = 0; s < p; s += 1) assert.ok(peakInFlight(oneFOneBSchedule(m, p, s), m) <= Math.min(m, p - s), `1F1B m=${m} p=${p} stage ${s}`);
  }
});
