/** Registers the kernels and fast paths training needs on the wasm backend (idempotent). */
import { BatchMatMul, Erf, getKernel, registerKernel, Sum, Transpose, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { wasmBatchMatMulConfig } from './wasm-batch-matmul.js';
import { wasmErfConfig } from './wasm-erf.js';
import { wasmUnsortedSegmentSumConfig } from './wasm-segment-sum.js';
import { wasmSumConfig } from './wasm-sum.js';
import { wasmTransposeConfig } from './wasm-transpose.js';

const routedMarker = Symbol('shardscope-routed');

const routes: Array<[string, (stock: KernelConfig) => KernelConfig]> = [
  [BatchMatMul, wasmBatchMatMulConfig],
  [Transpose, wasmTransposeConfig],
  [Sum, wasmSumConfig],
  [Erf, wasmErfConfig],
];

/** Adds missing kernels and routes slow ones to fast paths; call before the wasm backend runs any op. */
export function registerWasmTrainingKernels(): void {
  if (!getKernel(wasmUnsortedSegmentSumConfig.kernelName, 'wasm')) registerKernel(wasmUnsortedSegmentSumConfig);
  for (const [name, route] of routes) {
    const stock = getKernel(name, 'wasm') as (KernelConfig & { [routedMarker]?: true }) | undefined;
    if (!stock || stock[routedMarker]) continue;
    unregisterKernel(name, 'wasm');
    registerKernel({ ...route(stock), [routedMarker]: true } as KernelConfig);
  }
}
