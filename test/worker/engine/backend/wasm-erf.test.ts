import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { onBothBackends, seededValues } from './compare-backends.js';

test('erf on wasm equals cpu to float32 accuracy over [-6, 6], and so does its gradient (exact GELU)', async () => {
  const values = Float32Array.from(seededValues(4001, 12), (v) => v * 6);
  values.set([0, -0, 4, -4, 6, -6, 1e-8, 0.5]);
  const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  const { cpu, wasm } = await onBothBackends(() => [tf.erf(tf.tensor(values)), tf.grad((x: tf.Tensor) => tf.sum(gelu(x)))(tf.tensor(values))]);
  for (let k = 0; k < 2; k++) {
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(cpu[k].values[i] - wasm[k].values[i]));
    assert.ok(worst < 5e-7, `max abs difference ${worst}`);
  }
  assert.equal(wasm[0].values[0], 0);
  assert.ok(wasm[0].values[4] <= 1 && wasm[0].values[5] >= -1);
});
