/** Matrix-product checks shared by every wasm matMul path (our fast path, the OpenBLAS addon): each compares with cpu. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { onBothBackends, relativeError, seededValues } from './compare-backends.js';

/** A product: shapes of A and B and whether each is transposed. */
export type MatMulCase = [aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean];

/** Shapes the engine uses plus the awkward ones: transposes, odd sizes, shared and broadcast batches, 1x1. */
export const matMulCases: MatMulCase[] = [
  [[7, 13], [13, 5], false, false],
  [[13, 7], [13, 5], true, false],
  [[7, 13], [5, 13], false, true],
  [[13, 7], [5, 13], true, true],
  [[67, 129], [129, 33], false, false],        // odd sizes past one register block
  [[3, 9, 4], [4, 6], false, false],           // batch against one shared matrix
  [[3, 4, 9], [6, 4], true, true],             // same, transposed A
  [[2, 3, 9, 4], [2, 3, 6, 4], false, true],   // attention scores q @ k^T
  [[2, 3, 9, 9], [2, 3, 9, 4], false, false],  // attention output
  [[2, 3, 9, 9], [2, 3, 9, 4], true, false],   // its gradient w.r.t. v
  [[5, 3], [4, 3, 6], false, false],           // one A against a batch of B
  [[1, 5, 3], [4, 6, 3], false, true],
  [[1, 1, 1], [1, 1, 1], false, false],
];

/** The product of one case on wasm equals cpu's. */
export async function checkMatMulCase([aShape, bShape, transposeA, transposeB]: MatMulCase): Promise<void> {
  const aValues = seededValues(aShape.reduce((p, d) => p * d, 1), 1);
  const bValues = seededValues(bShape.reduce((p, d) => p * d, 1), 2);
  const { cpu, wasm } = await onBothBackends(() => tf.matMul(tf.tensor(aValues, aShape), tf.tensor(bValues, bShape), transposeA, transposeB));
  assert.deepEqual(wasm[0].shape, cpu[0].shape);
  assert.ok(relativeError(cpu[0].values, wasm[0].values) < 1e-5, `relative error ${relativeError(cpu[0].values, wasm[0].values)}`);
}

/** Batch dimensions broadcast both ways as in numpy (tfjs cpu mis-sizes this case, so tiled inputs are the reference). */
export async function checkBroadcastBothWays(): Promise<void> {
  const a = seededValues(2 * 5 * 3, 5);
  const b = seededValues(4 * 3 * 6, 6);
  const { cpu, wasm } = await onBothBackends(() => {
    const ta = tf.tensor(a, [2, 1, 5, 3]);
    const tb = tf.tensor(b, [1, 4, 3, 6]);
    return tf.getBackend() === 'wasm' ? tf.matMul(ta, tb) : tf.matMul(tf.tile(ta, [1, 4, 1, 1]), tf.tile(tb, [2, 1, 1, 1]));
  });
  assert.deepEqual(wasm[0].shape, [2, 4, 5, 6]);
  assert.ok(relativeError(cpu[0].values, wasm[0].values) < 1e-5);
}

/** Gradients of a batched, transposed product on wasm equal cpu's. */
export async function checkBatchedTransposedGrads(): Promise<void> {
  const a = seededValues(2 * 3 * 9 * 4, 3);
  const b = seededValues(2 * 3 * 7 * 4, 4);
  const { cpu, wasm } = await onBothBackends(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, false, true))))(
    [tf.tensor(a, [2, 3, 9, 4]), tf.tensor(b, [2, 3, 7, 4])]));
  for (let i = 0; i < cpu.length; i++) {
    assert.deepEqual(wasm[i].shape, cpu[i].shape);
    assert.ok(relativeError(cpu[i].values, wasm[i].values) < 1e-5);
  }
}
