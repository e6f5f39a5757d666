/** Registers the kernels and fast paths training needs on the wasm backend (idempotent). */
import { BatchMatMul, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { wasmBatchMatMulConfig } from './wasm-batch-matmul.js';
import { wasmUnsortedSegmentSumConfig } from './wasm-segment-sum.js';

const routedMarker = Symbol('shardscope-routed');

/** Kernel names this module adds to or replaces on 'wasm', for reports and tests. */
export const wasmTrainingKernelNames = [BatchMatMul, wasmUnsortedSegmentSumConfig.kernelName] as const;

/** Adds missing kernels and routes slow ones to fast paths; call before the wasm backend runs any op. */
export function registerWasmTrainingKernels(): void {
  if (!getKernel(wasmUnsortedSegmentSumConfig.kernelName, 'wasm')) registerKernel(wasmUnsortedSegmentSumConfig);
  const stock = getKernel(BatchMatMul, 'wasm') as (KernelConfig & { [routedMarker]?: true }) | undefined;
  if (stock && !stock[routedMarker]) {
    unregisterKernel(BatchMatMul, 'wasm');
    registerKernel({ ...wasmBatchMatMulConfig(stock), [routedMarker]: true } as KernelConfig);
  }
}
