import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src-worker/engine/backend/wasm-kernels.js';
if (process.argv[2] !== 'stock') registerWasmTrainingKernels();
await tf.setBackend('wasm'); await tf.ready();
function time(name: string, f: () => tf.Tensor, flops: number) {
  f().dispose();
  const n = 5; const t0 = performance.now();
  for (let i = 0; i < n; i++) { const r = f(); r.dataSync(); r.dispose(); }
  const ms = (performance.now() - t0) / n;
  console.log(name, ms.toFixed(2), 'ms', (flops / ms / 1e6).toFixed(1), 'GFLOP/s');
}
const a = tf.randomNormal([1024, 256]), w = tf.randomNormal([256, 768]), wt = tf.randomNormal([768, 256]), at = tf.randomNormal([256, 1024]);
time('plain', () => tf.matMul(a, w), 2 * 1024 * 256 * 768);
time('transB', () => tf.matMul(a, wt, false, true), 2 * 1024 * 256 * 768);
time('transA', () => tf.matMul(at, w, true, false), 2 * 1024 * 256 * 768);
const q = tf.randomNormal([8, 4, 128, 64]), k = tf.randomNormal([8, 4, 128, 64]);
time('batched transB', () => tf.matMul(q, k, false, true), 2 * 32 * 128 * 128 * 64);
const p = tf.randomNormal([8, 4, 128, 128]);
time('batched plain', () => tf.matMul(p, k), 2 * 32 * 128 * 128 * 64);
time('batched transA', () => tf.matMul(p, k, true, false), 2 * 32 * 128 * 128 * 64);
const x5 = tf.randomNormal([8, 128, 3, 4, 64]);
time('transpose5 20314', () => tf.transpose(x5, [2, 0, 3, 1, 4]), 0);
time('transpose4 0213', () => tf.transpose(q, [0, 2, 1, 3]), 0);
time('transpose2', () => tf.transpose(a), 0);
time('transpose3 021', () => tf.transpose(tf.reshape(q, [32, 128, 64]), [0, 2, 1]), 0);
