/** Accumulates gradients of this rank's parameters into one flat Float32Array (the layout of ParamStore). */
import type * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './param-store.js';

/** Flat gradient accumulator, zeroed each step. */
export class GradBuffer {
  readonly values: Float32Array;

  constructor(private readonly store: ParamStore) {
    this.values = new Float32Array(store.size);
  }

  /** Zeroes every gradient. */
  zero(): void {
    this.values.fill(0);
  }

  /** Adds a gradient tensor into a parameter's slot and disposes the tensor. */
  add(name: string, grad: tf.Tensor): void {
    const { offset, length } = this.store.entry(name);
    const data = grad.dataSync();
    if (data.length !== length) throw new Error(`gradient of ${name} has ${data.length} elements, expected ${length}`);
    const slot = this.values.subarray(offset, offset + length);
    for (let i = 0; i < length; i += 1) slot[i] += data[i];
    grad.dispose();
  }

  /** Adds a plain array into a parameter's slot. */
  addArray(name: string, data: Float32Array): void {
    const { offset, length } = this.store.entry(name);
    const slot = this.values.subarray(offset, offset + length);
    for (let i = 0; i < length; i += 1) slot[i] += data[i];
  }
}
