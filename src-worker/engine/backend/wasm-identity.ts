/**
 * Identity and same-dtype Cast for the wasm backend without a copy: the stock kernels copy every element
 * (tfjs' gradients call them hundreds of times a step, e.g. cast(x, 'float32') in Mul's gradient), while
 * tensors are immutable, so the output can share the input's memory as Reshape does (refcounted).
 */
import { Cast, Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface ShareArgs {
  inputs: { x: TensorInfo };
  attrs?: { dtype?: string };
  backend: BackendWasm;
}

function share(args: ShareArgs): TensorInfo {
  const { inputs: { x }, backend } = args;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Builds the zero-copy Identity or Cast registration (strings, and casts that change dtype, go to `stock`). */
export function wasmShareConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: ShareArgs): TensorInfo => {
    const { x } = args.inputs;
    const sameType = stock.kernelName === Identity || args.attrs?.dtype === x.dtype;
    if (x.dtype === 'string' || !sameType) return stock.kernelFunc(args as never) as TensorInfo;
    return share(args);
  };
  return { kernelName: stock.kernelName, backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: kernelFunc as unknown as KernelFunc };
}

