/** Temporary stand-in for ./backend/index.ts (owned by the backend engineer): wasm, else cpu. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** Selects a tfjs backend (default cpu; wasm lacks training kernels until the backend module lands). */
export async function initBackend(preferred?: string): Promise<{ name: string; device: string }> {
  const wanted = preferred ?? 'cpu';
  const ok = await tf.setBackend(wanted).catch(() => false);
  if (!ok) await tf.setBackend('cpu');
  await tf.ready();
  return { name: tf.getBackend(), device: 'cpu' };
}
