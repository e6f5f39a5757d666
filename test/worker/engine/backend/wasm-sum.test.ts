import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { leadingAxisCount } from '../../../../src-worker/engine/backend/wasm-sum.js';
import { onBothBackends, relativeError, seededValues } from './compare-backends.js';

const cases: Array<[number[], number | number[], boolean]> = [
  [[8, 16, 12], [0, 1], false],   // bias gradient of dy [B, T, H]
  [[8, 16, 12], [1, 0], true],
  [[33, 7], 0, false],
  [[33, 7], -1, false],           // innermost: stock kernel
  [[33, 7], [0, 1], true],        // everything: stock kernel
  [[5, 1, 9], [0], false],
];

for (const [shape, axis, keepDims] of cases) {
  test(`sum of ${JSON.stringify(shape)} over ${JSON.stringify(axis)} keepDims=${keepDims} on wasm equals cpu`, async () => {
    const values = seededValues(shape.reduce((p, d) => p * d, 1), 11);
    const { cpu, wasm } = await onBothBackends(() => [tf.sum(tf.tensor(values, shape), axis, keepDims), tf.sum(tf.tensor(Int32Array.from(values, (v) => Math.round(v * 100)), shape, 'int32'), axis, keepDims)]);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(wasm[i].shape, cpu[i].shape);
      assert.ok(relativeError(cpu[i].values, wasm[i].values) < 1e-6);
    }
  });
}

test('only a strict prefix of the axes takes the leading-axes path', () => {
  assert.equal(leadingAxisCount([0, 1], 3), 2);
  assert.equal(leadingAxisCount([1, 0, 1], 3), 2);
  assert.equal(leadingAxisCount([1], 3), 0);
  assert.equal(leadingAxisCount([0, 1, 2], 3), 0);
});
