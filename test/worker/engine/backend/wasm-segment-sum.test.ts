import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { onBothBackends, relativeError, seededValues } from './compare-backends.js';

test('unsortedSegmentSum on wasm equals cpu for 1-D and 2-D data with repeated ids', async () => {
  const rows = seededValues(6 * 5, 7);
  const ids = [3, 0, 3, 1, 0, 3];
  const { cpu, wasm } = await onBothBackends(() => [
    tf.unsortedSegmentSum(tf.tensor(rows, [6, 5]), tf.tensor1d(ids, 'int32'), 5),
    tf.unsortedSegmentSum(tf.tensor1d(rows.subarray(0, 6)), tf.tensor1d(ids, 'int32'), 4),
    tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4, 5, 6], 'int32'), tf.tensor1d(ids, 'int32'), 4),
  ]);
  for (let i = 0; i < cpu.length; i++) {
    assert.deepEqual(wasm[i].shape, cpu[i].shape);
    assert.ok(relativeError(cpu[i].values, wasm[i].values) < 1e-6);
  }
});

test('the gradient of gather (an embedding lookup) works on wasm and equals cpu', async () => {
  const table = seededValues(10 * 4, 8);
  const indices = [[1, 7, 7], [0, 1, 9]];
  const weights = seededValues(2 * 3 * 4, 9);
  const { cpu, wasm } = await onBothBackends(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor2d(indices, [2, 3], 'int32')), tf.tensor(weights, [2, 3, 4]))))(
    tf.tensor(table, [10, 4])));
  assert.deepEqual(wasm[0].shape, [10, 4]);
  assert.ok(relativeError(cpu[0].values, wasm[0].values) < 1e-6);
  // Row 7 was looked up twice: its gradient is the sum of both positions' weights.
  assert.ok(Math.abs(wasm[0].values[7 * 4] - (weights[1 * 4] + weights[2 * 4])) < 1e-6);
});
