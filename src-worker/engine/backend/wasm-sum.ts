/**
 * Sum for the wasm backend when the reduced axes are the leading ones (bias gradients: sum of dy [B, T, H]
 * over [0, 1]): the stock kernel first transposes the whole input so the axes become innermost, which is slow
 * for large inputs; here rows are added into a float64 accumulator in one pass. Other cases go to the stock kernel.
 */
import { Sum, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './wasm-tensors.js';

interface SumArgs {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: { axis: number | number[]; keepDims: boolean };
}

/** The count of leading axes `axes` covers when it is exactly [0, 1, ..., p-1] with p below the rank, else 0. */
export function leadingAxisCount(axes: number[], rank: number): number {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const isPrefix = sorted.every((axis, i) => axis === i);
  return isPrefix && sorted.length < rank ? sorted.length : 0;
}

/** Builds the Sum registration with the leading-axes fast path, falling back to `stock`. */
export function wasmSumConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: SumArgs): TensorInfo => {
    const { inputs: { x }, backend, attrs: { axis, keepDims } } = args;
    const axes = util.parseAxisParam(axis, x.shape);
    const leading = leadingAxisCount(axes, x.shape.length);
    if (x.dtype !== 'float32' || leading === 0 || util.sizeFromShape(x.shape) === 0) return stock.kernelFunc(args as never) as TensorInfo;
    const kept = x.shape.slice(leading);
    const outShape = keepDims ? [...x.shape.slice(0, leading).map(() => 1), ...kept] : kept;
    const rows = util.sizeFromShape(x.shape.slice(0, leading));
    const cols = util.sizeFromShape(kept);
    const accumulator = new Float64Array(cols);
    const out = backend.makeOutput(outShape, 'float32');
    const values = heapFloats(backend, x);
    for (let row = 0, offset = 0; row < rows; row++, offset += cols) {
      for (let col = 0; col < cols; col++) accumulator[col] += values[offset + col];
    }
    heapFloats(backend, out).set(accumulator);
    return out;
  };
  return { kernelName: Sum, backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: kernelFunc as unknown as KernelFunc };
}
