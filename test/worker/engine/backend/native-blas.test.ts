import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { onBothBackends, relativeError, seededValues } from './compare-backends.js';
import { loadNativeBlas, type Sgemm } from '../../../../src-worker/engine/backend/native-blas.js';
import { activeNativeSgemm, useNativeSgemm } from '../../../../src-worker/engine/backend/wasm-batch-matmul.js';
import { initBackend } from '../../../../src-worker/engine/backend/index.js';

const blas = loadNativeBlas({});
const skip = blas.sgemm ? false : `OpenBLAS addon not available: ${blas.reason}`;

let sgemmCalls = 0;
const countedSgemm: Sgemm = (...args) => { sgemmCalls++; blas.sgemm!(...args); };

type Case = [aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean];

const cases: Case[] = [
  [[7, 13], [13, 5], false, false],
  [[13, 7], [13, 5], true, false],
  [[7, 13], [5, 13], false, true],
  [[13, 7], [5, 13], true, true],
  [[67, 129], [129, 33], false, false],        // odd sizes past one register block
  [[3, 9, 4], [4, 6], false, false],           // batch against one shared matrix (one tall product)
  [[3, 4, 9], [6, 4], true, true],             // same, transposed A (one product per matrix)
  [[2, 3, 9, 4], [2, 3, 6, 4], false, true],   // attention scores q @ k^T
  [[2, 3, 9, 9], [2, 3, 9, 4], true, false],   // gradient w.r.t. v
  [[5, 3], [4, 3, 6], false, false],           // one A against a batch of B
  [[1, 5, 3], [4, 6, 3], false, true],
  [[1, 1, 1], [1, 1, 1], false, false],
];

for (const [aShape, bShape, transposeA, transposeB] of cases) {
  test(`OpenBLAS matMul ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} tA=${transposeA} tB=${transposeB} equals cpu`, { skip }, async () => {
    useNativeSgemm(countedSgemm);
    sgemmCalls = 0;
    const aValues = seededValues(aShape.reduce((p, d) => p * d, 1), 1);
    const bValues = seededValues(bShape.reduce((p, d) => p * d, 1), 2);
    const { cpu, wasm } = await onBothBackends(() => tf.matMul(tf.tensor(aValues, aShape), tf.tensor(bValues, bShape), transposeA, transposeB));
    assert.deepEqual(wasm[0].shape, cpu[0].shape);
    assert.ok(relativeError(cpu[0].values, wasm[0].values) < 1e-5, `relative error ${relativeError(cpu[0].values, wasm[0].values)}`);
    assert.ok(sgemmCalls > 0, 'the product went through the addon');
  });
}

test('OpenBLAS matMul broadcasts batch dimensions both ways (tiled inputs on cpu are the reference)', { skip }, async () => {
  useNativeSgemm(blas.sgemm);
  const a = seededValues(2 * 5 * 3, 5);
  const b = seededValues(4 * 3 * 6, 6);
  const { cpu, wasm } = await onBothBackends(() => {
    const ta = tf.tensor(a, [2, 1, 5, 3]);
    const tb = tf.tensor(b, [1, 4, 3, 6]);
    return tf.getBackend() === 'wasm' ? tf.matMul(ta, tb) : tf.matMul(tf.tile(ta, [1, 4, 1, 1]), tf.tile(tb, [2, 1, 1, 1]));
  });
  assert.deepEqual(wasm[0].shape, [2, 4, 5, 6]);
  assert.ok(relativeError(cpu[0].values, wasm[0].values) < 1e-5);
});

test('gradients of a batched transposed matMul through OpenBLAS equal cpu', { skip }, async () => {
  useNativeSgemm(blas.sgemm);
  const a = seededValues(2 * 3 * 9 * 4, 3);
  const b = seededValues(2 * 3 * 7 * 4, 4);
  const { cpu, wasm } = await onBothBackends(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, false, true))))(
    [tf.tensor(a, [2, 3, 9, 4]), tf.tensor(b, [2, 3, 7, 4])]));
  for (let i = 0; i < cpu.length; i++) {
    assert.deepEqual(wasm[i].shape, cpu[i].shape);
    assert.ok(relativeError(cpu[i].values, wasm[i].values) < 1e-5);
  }
});

test('the addon rejects arrays too short for the dimensions and non-float32 arrays instead of reading past them', { skip }, () => {
  const sgemm = blas.sgemm!;
  const c = new Float32Array(4);
  assert.throws(() => sgemm(false, false, 3, 2, 3, 1, new Float32Array(6), 3, new Float32Array(6), 2, 0, c, 2), /too short/);
  assert.throws(() => sgemm(false, false, 2, 2, 3, 1, new Float64Array(6) as unknown as Float32Array, 3, new Float32Array(6), 2, 0, c, 2), /Float32Array/);
  sgemm(false, false, 2, 2, 3, 1, new Float32Array([1, 2, 3, 4, 5, 6]), 3, new Float32Array([1, 0, 0, 1, 1, 1]), 2, 0, c, 2);
  assert.deepEqual(Array.from(c), [4, 5, 10, 11]);
});

test('SHARDSCOPE_NATIVE_BLAS=0 turns the addon off with a reason', () => {
  const off = loadNativeBlas({ SHARDSCOPE_NATIVE_BLAS: '0' });
  assert.equal(off.sgemm, undefined);
  assert.match('reason' in off ? off.reason : '', /SHARDSCOPE_NATIVE_BLAS=0/);
});

test('initBackend on wasm reports who computes matrix products and routes them accordingly', async () => {
  const off = await initBackend('wasm', { env: { SHARDSCOPE_NATIVE_BLAS: '0' } });
  assert.equal(off.name, 'wasm');
  assert.equal(off.matmul, 'builtin');
  assert.match(off.matmulReason ?? '', /SHARDSCOPE_NATIVE_BLAS=0/);
  assert.equal(activeNativeSgemm(), undefined);
  const on = await initBackend('wasm', { env: {} });
  assert.equal(on.matmul, blas.sgemm ? 'openblas' : 'builtin');
  assert.equal(activeNativeSgemm() !== undefined, Boolean(blas.sgemm));
  if (blas.sgemm) assert.match(on.device, /openblas/);
  const cpu = await initBackend('cpu', { env: {} });
  assert.equal(cpu.matmul, 'builtin');
});
