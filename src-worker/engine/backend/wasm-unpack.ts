/**
 * Unpack (tf.unstack) along axis 0 for the wasm backend: each output is a contiguous slab of the input, so one
 * heap copy each; the stock kernel goes through a generic strided Slice per output. Other axes go to `stock`.
 */
import { Unpack, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface UnpackArgs {
  inputs: { value: TensorInfo };
  attrs: { axis: number };
  backend: BackendWasm;
}

/** Builds the Unpack registration. */
export function wasmUnpackConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: UnpackArgs): TensorInfo[] => {
    const { inputs: { value }, attrs, backend } = args;
    const axis = attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis;
    if (axis !== 0 || value.dtype === 'string') return stock.kernelFunc(args as never) as TensorInfo[];
    const count = value.shape[0];
    const shape = value.shape.slice(1);
    const outputs = Array.from({ length: count }, () => backend.makeOutput(shape, value.dtype));
    // Views are taken after every allocation: the heap may have grown.
    const source = backend.typedArrayFromHeap(value);
    const size = source.length / Math.max(count, 1);
    outputs.forEach((out, i) => backend.typedArrayFromHeap(out).set(source.subarray(i * size, (i + 1) * size)));
    return outputs;
  };
  return { kernelName: Unpack, backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: kernelFunc as unknown as KernelFunc };
}
