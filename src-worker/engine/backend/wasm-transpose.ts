/**
 * Transpose for the wasm backend: the stock kernel is fast up to rank 4 but takes a slow generic path
 * above it (e.g. [b, s, 3, heads, d] -> [3, b, heads, s, d] when splitting attention heads). Axes that
 * stay adjacent are merged first; what is still above rank 4 is copied in contiguous runs here.
 */
import { Transpose, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapValues } from './wasm-tensors.js';

interface TransposeArgs {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: { perm: number[] };
}

/** Drops size-1 axes and merges input axes that stay adjacent and in order under `perm`. */
export function simplifyTranspose(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  // Merging must also respect input order of the axes that were dropped (size 1): renumber by input order.
  const byInput = [...groups].sort((g1, g2) => g1[0] - g2[0]);
  const newShape = byInput.map((group) => group.reduce((size, axis) => size * shape[axis], 1));
  const newPerm = groups.map((group) => byInput.indexOf(group));
  return { shape: newShape, perm: newPerm };
}

type HeapArray = Float32Array | Int32Array | Uint8Array;

/** Copies `source` (of `shape`) into `target` transposed by `perm`, whole rows at a time when the last axis stays last. */
function copyTranspose(source: HeapArray, target: HeapArray, shape: number[], perm: number[]): void {
  const rank = shape.length;
  const inStrides = new Array<number>(rank);
  inStrides[rank - 1] = 1;
  for (let axis = rank - 2; axis >= 0; axis--) inStrides[axis] = inStrides[axis + 1] * shape[axis + 1];
  const outShape = perm.map((axis) => shape[axis]);
  const keepsLast = perm[rank - 1] === rank - 1;
  const run = keepsLast ? shape[rank - 1] : 1;
  const outerRank = keepsLast ? rank - 1 : rank;
  const total = util.sizeFromShape(shape) / run;
  const coords = new Array<number>(outerRank).fill(0);
  let sourceOffset = 0;
  for (let i = 0; i < total; i++) {
    if (run === 1) target[i] = source[sourceOffset];
    else target.set(source.subarray(sourceOffset, sourceOffset + run), i * run);
    for (let axis = outerRank - 1; axis >= 0; axis--) {
      coords[axis]++;
      sourceOffset += inStrides[perm[axis]];
      if (coords[axis] < outShape[axis]) break;
      sourceOffset -= coords[axis] * inStrides[perm[axis]];
      coords[axis] = 0;
    }
  }
}

/** Builds the Transpose registration that simplifies axes and hands rank <= 4 to `stock`. */
export function wasmTransposeConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs: { x }, backend, attrs: { perm } }: TransposeArgs): TensorInfo => {
    const outShape = perm.map((axis) => x.shape[axis]);
    const simple = simplifyTranspose(x.shape, perm);
    if (simple.shape.length <= 4 || x.dtype === 'string') {
      const reduced = { dataId: x.dataId, shape: simple.shape, dtype: x.dtype };
      const out = stock.kernelFunc({ inputs: { x: reduced }, backend, attrs: { perm: simple.perm } }) as TensorInfo;
      return { ...out, shape: outShape };
    }
    const out = backend.makeOutput(outShape, x.dtype);
    const source = heapValues(backend, x);
    copyTranspose(source, heapValues(backend, out), simple.shape, simple.perm);
    return out;
  };
  return { kernelName: Transpose, backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: kernelFunc as unknown as KernelFunc };
}
