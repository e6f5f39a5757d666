import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { simplifyTranspose } from '../../../../src-worker/engine/backend/wasm-transpose.js';
import { onBothBackends, seededValues } from './compare-backends.js';

const cases: Array<[number[], number[]]> = [
  [[5, 7], [1, 0]],
  [[2, 3, 4], [0, 2, 1]],
  [[2, 3, 4, 5], [0, 2, 1, 3]],
  [[3, 5, 3, 2, 7], [2, 0, 3, 1, 4]],    // attention head split [b, s, 3, heads, d]
  [[3, 5, 3, 2, 7], [4, 3, 2, 1, 0]],    // rank 5, last axis moves
  [[2, 1, 3, 1, 4, 3], [5, 2, 0, 4, 1, 3]],
  [[2, 3, 2, 3, 2, 3], [1, 0, 3, 2, 5, 4]],
  [[4, 6], [0, 1]],
];

for (const [shape, perm] of cases) {
  test(`transpose ${JSON.stringify(shape)} by ${JSON.stringify(perm)} on wasm equals cpu (float32 and int32)`, async () => {
    const values = seededValues(shape.reduce((p, d) => p * d, 1), 5);
    const ints = Int32Array.from(values, (v) => Math.round(v * 1000));
    const { cpu, wasm } = await onBothBackends(() => [tf.transpose(tf.tensor(values, shape), perm), tf.transpose(tf.tensor(ints, shape, 'int32'), perm)]);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(wasm[i].shape, cpu[i].shape);
      assert.deepEqual(Array.from(wasm[i].values), Array.from(cpu[i].values));
    }
  });
}

test('simplifyTranspose merges axes that stay together and drops size-1 axes', () => {
  assert.deepEqual(simplifyTranspose([2, 3, 4, 5], [0, 1, 3, 2]), { shape: [6, 4, 5], perm: [0, 2, 1] });
  assert.deepEqual(simplifyTranspose([2, 1, 3], [2, 1, 0]), { shape: [2, 3], perm: [1, 0] });
  assert.deepEqual(simplifyTranspose([2, 3], [0, 1]), { shape: [6], perm: [0] });
});
