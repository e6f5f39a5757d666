/** Test helper: runs the same computation on the cpu and the wasm backend (with our kernels) and returns both results. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../../src-worker/engine/backend/wasm-kernels.js';

registerWasmTrainingKernels();

/** Deterministic pseudo-random values in [-1, 1) (a small LCG), so both backends get identical inputs. */
export function seededValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

/** Runs `compute` on cpu and on wasm, returning each result's values and shapes. */
export async function onBothBackends(compute: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: { shape: number[]; values: Float32Array | Int32Array }[]; wasm: { shape: number[]; values: Float32Array | Int32Array }[] }> {
  const results: Record<'cpu' | 'wasm', { shape: number[]; values: Float32Array | Int32Array }[]> = { cpu: [], wasm: [] };
  for (const name of ['cpu', 'wasm'] as const) {
    await tf.setBackend(name);
    const before = tf.memory().numTensors;
    const out = tf.tidy(compute);
    const list = Array.isArray(out) ? out : [out];
    results[name] = list.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array | Int32Array }));
    tf.dispose(list);
    if (tf.memory().numTensors !== before) throw new Error(`${name}: ${tf.memory().numTensors - before} tensors leaked`);
  }
  return results;
}

/** Largest absolute difference relative to the largest magnitude (1 when all values are small). */
export function relativeError(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
  return worst / scale;
}
