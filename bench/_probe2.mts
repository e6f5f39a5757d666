import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
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
time('transpose 1024x768', () => tf.transpose(tf.matMul(a, w)), 2 * 1024 * 256 * 768);
const big = tf.randomNormal([1024,1024]);
time('big 1024^3', () => tf.matMul(big, big), 2 * 1024 ** 3);
