import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { gelu, layerNorm } from '../../../../src-worker/engine/layers.js';
import { onBothBackends, relativeError, seededValues } from './compare-backends.js';

const shape = [3, 5, 64];
const size = 3 * 5 * 64;

test('fused GELU on wasm matches the op-by-op form on cpu, forward and gradient, without leaking tensors', async () => {
  const x = Float32Array.from(seededValues(size, 3), (v) => v * 6);
  const dy = seededValues(size, 4);
  const { cpu, wasm } = await onBothBackends(() => [gelu(tf.tensor(x, shape)), tf.grad((t: tf.Tensor) => gelu(t))(tf.tensor(x, shape), tf.tensor(dy, shape))]);
  for (let k = 0; k < 2; k++) assert.ok(relativeError(cpu[k].values, wasm[k].values) < 1e-6, `output ${k}: ${relativeError(cpu[k].values, wasm[k].values)}`);
});

test('fused LayerNorm on wasm matches tf.moments-based LayerNorm on cpu: output and the gradients of x, gain and bias', async () => {
  const x = Float32Array.from(seededValues(size, 5), (v) => v * 3 + 1);
  const gain = Float32Array.from(seededValues(64, 6), (v) => 1 + v / 2);
  const bias = seededValues(64, 7);
  const dy = seededValues(size, 8);
  const { cpu, wasm } = await onBothBackends(() => {
    const inputs = [tf.tensor(x, shape), tf.tensor(gain), tf.tensor(bias)];
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(a, g, b))(inputs, tf.tensor(dy, shape));
    return [layerNorm(inputs[0], inputs[1], inputs[2]), ...grads];
  });
  assert.deepEqual(wasm.map((r) => r.shape), [shape, shape, [64], [64]]);
  for (let k = 0; k < 4; k++) assert.ok(relativeError(cpu[k].values, wasm[k].values) < 2e-6, `output ${k}: ${relativeError(cpu[k].values, wasm[k].values)}`);
});

test('unstack along axis 0, identity and same-dtype casts on wasm give the values cpu gives', async () => {
  const x = seededValues(3 * 4 * 6, 9);
  const ids = Int32Array.from(x, (v) => Math.round(v * 100));
  const { cpu, wasm } = await onBothBackends(() => [
    ...tf.unstack(tf.tensor(x, [3, 4, 6])),
    ...tf.unstack(tf.tensor(x, [3, 4, 6]), 1),
    tf.clone(tf.tensor(x)),
    tf.cast(tf.tensor(x), 'float32'),
    tf.cast(tf.tensor(ids, [ids.length], 'int32'), 'float32'),
    tf.cast(tf.tensor(x), 'int32'),
  ]);
  assert.equal(wasm.length, cpu.length);
  cpu.forEach((expected, k) => {
    assert.deepEqual(wasm[k].shape, expected.shape);
    assert.deepEqual(Array.from(wasm[k].values), Array.from(expected.values));
  });
});
