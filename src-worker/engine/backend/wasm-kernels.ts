/** Registers the kernels and fast paths training needs on the wasm backend (idempotent). */
import { BatchMatMul, Cast, Erf, Identity, getKernel, registerKernel, Sum, Transpose, unregisterKernel, Unpack, type KernelConfig } from '@tensorflow/tfjs-core';
import { wasmBatchMatMulConfig } from './wasm-batch-matmul.js';
import { wasmErfConfig } from './wasm-erf.js';
import { wasmGeluConfig } from './wasm-gelu.js';
import { wasmLayerNormConfigs } from './wasm-layer-norm.js';
import { wasmShareConfig } from './wasm-identity.js';
import { wasmUnsortedSegmentSumConfig } from './wasm-segment-sum.js';
import { wasmSumConfig } from './wasm-sum.js';
import { wasmTransposeConfig } from './wasm-transpose.js';
import { wasmUnpackConfig } from './wasm-unpack.js';

const routedMarker = Symbol('shardscope-routed');

const routes: Array<[string, (stock: KernelConfig) => KernelConfig]> = [
  [BatchMatMul, wasmBatchMatMulConfig],
  [Transpose, wasmTransposeConfig],
  [Sum, wasmSumConfig],
  [Erf, wasmErfConfig],
  [Identity, wasmShareConfig],
  [Cast, wasmShareConfig],
  [Unpack, wasmUnpackConfig],
];

/** Adds missing kernels and routes slow ones to fast paths; call before the wasm backend runs any op. */
export function registerWasmTrainingKernels(): void {
  for (const config of [wasmUnsortedSegmentSumConfig, wasmGeluConfig, ...wasmLayerNormConfigs]) if (!getKernel(config.kernelName, 'wasm')) registerKernel(config);
  for (const [name, route] of routes) {
    const stock = getKernel(name, 'wasm') as (KernelConfig & { [routedMarker]?: true }) | undefined;
    if (!stock || stock[routedMarker]) continue;
    unregisterKernel(name, 'wasm');
    registerKernel({ ...route(stock), [routedMarker]: true } as KernelConfig);
  }
}
