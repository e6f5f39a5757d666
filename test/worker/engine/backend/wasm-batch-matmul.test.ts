import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { onBothBackends } from './compare-backends.js';
import { checkBatchedTransposedGrads, checkBroadcastBothWays, checkMatMulCase, matMulCases } from './matmul-checks.js';

for (const c of matMulCases) {
  test(`matMul ${JSON.stringify(c[0])} x ${JSON.stringify(c[1])} tA=${c[2]} tB=${c[3]} on wasm equals cpu`, () => checkMatMulCase(c));
}

test('batch dimensions broadcast both ways as in numpy (tfjs cpu mis-sizes this case, so tiled inputs are the reference)', () => checkBroadcastBothWays());

test('gradients of a batched transposed matMul on wasm equal cpu', () => checkBatchedTransposedGrads());

test('a matMul with a zero-sized dimension gives an empty result, as on cpu', async () => {
  const { cpu, wasm } = await onBothBackends(() => tf.matMul(tf.zeros([2, 0, 3]), tf.zeros([2, 3, 4])));
  assert.deepEqual(wasm[0].shape, cpu[0].shape);
  assert.equal(wasm[0].values.length, 0);
});

test('mismatched inner dimensions are rejected with the stock message', async () => {
  await tf.setBackend('wasm');
  assert.throws(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 5])), /inner shapes/);
});
