/** Helpers for kernels written in TypeScript that run on the wasm backend's heap without copies. */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A typed-array view of a tensor's bytes on the wasm heap; take it after the last allocation (the heap may grow). */
export function heapFloats(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** The tensor's data as numbers (int32 ids, float32 values), viewed on the heap. */
export function heapValues(backend: BackendWasm, info: TensorInfo): Float32Array | Int32Array | Uint8Array {
  return backend.typedArrayFromHeap(info) as Float32Array | Int32Array | Uint8Array;
}

/** The id the C++ side knows a tensor by. */
export function wasmTensorId(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.id;
}

/**
 * A zero-copy tensor over part of another tensor's memory (`offsetElements` float32 elements in):
 * registered with the C++ side so stock wasm kernels can read or write it. Release with `releaseView`,
 * never `disposeData` (that would free memory the view does not own).
 */
export function makeView(backend: BackendWasm, base: TensorInfo, offsetElements: number, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  const memoryOffset = backend.getMemoryOffset(base.dataId) + offsetElements * 4;
  return backend.makeOutput(shape, dtype, memoryOffset);
}

/** Unregisters a view made by `makeView` without freeing the memory it points into. */
export function releaseView(backend: BackendWasm, view: TensorInfo): void {
  const data = backend.dataIdMap.get(view.dataId);
  if (!data) return;
  (backend.wasm as unknown as { tfjs: { disposeData(id: number): void } }).tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}
