/** Temporary stand-in for ./backend/index.ts (owned by the backend engineer): the tfjs cpu backend. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** Selects a tfjs backend; this shim only knows `cpu`. */
export async function initBackend(preferred?: string): Promise<{ name: string; device: string }> {
  await tf.setBackend(preferred && preferred !== 'cpu' ? preferred : 'cpu');
  await tf.ready();
  return { name: tf.getBackend(), device: 'cpu' };
}
