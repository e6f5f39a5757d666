/** UnsortedSegmentSum for the wasm backend (missing there; the gradient of gather needs it). */
import { UnsortedSegmentSum, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapValues } from './wasm-tensors.js';

interface SegmentSumArgs {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: { numSegments: number };
}

/**
 * out[segmentIds[i], ...] += x[i, ...] over the leading dimensions of x that segmentIds covers;
 * ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: SegmentSumArgs): TensorInfo {
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs;
  const rowCount = util.sizeFromShape(segmentIds.shape);
  const rowSize = rowCount === 0 ? 0 : util.sizeFromShape(x.shape) / rowCount;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const outValues = heapValues(backend, out);
  outValues.fill(0);
  const xValues = heapValues(backend, x);
  const ids = heapValues(backend, segmentIds);
  for (let row = 0; row < rowCount; row++) {
    const segment = ids[row];
    if (segment < 0 || segment >= numSegments) continue;
    const source = row * rowSize;
    const target = segment * rowSize;
    for (let j = 0; j < rowSize; j++) outValues[target + j] += xValues[source + j];
  }
  return out;
}

/** Kernel registration of UnsortedSegmentSum for 'wasm'. */
export const wasmUnsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
