/**
 * Erf for the wasm backend (GELU's exact form calls it on every MLP activation): the stock kernel calls the
 * C library's erf per element (~11 ns); this rational approximation (Eigen's float erf: odd degree-13 over even
 * degree-8 polynomial on x clamped to [-4, 4]) is accurate to float32 rounding and several times faster.
 */
import { Erf, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './wasm-tensors.js';

/** erf(x) to float32 accuracy. */
export function fastErf(value: number): number {
  const x = value > 4 ? 4 : value < -4 ? -4 : value;
  const x2 = x * x;
  let p = x2 * -2.72614225801306e-10 + 2.77068142495902e-8;
  p = x2 * p - 2.10102402082508e-6;
  p = x2 * p - 5.69250639462346e-5;
  p = x2 * p - 7.34990630326855e-4;
  p = x2 * p - 2.95459980854025e-3;
  p = x2 * p - 1.60960333262415e-2;
  let q = x2 * -1.45660718464996e-5 - 2.13374055278905e-4;
  q = x2 * q - 1.68282697438203e-3;
  q = x2 * q - 7.37332916720468e-3;
  q = x2 * q - 1.42647390514189e-2;
  return (x * p) / q;
}

interface ErfArgs {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
}

/** Builds the Erf registration (float32 here, anything else to `stock`). */
export function wasmErfConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: ErfArgs): TensorInfo => {
    const { inputs: { x }, backend } = args;
    if (x.dtype !== 'float32') return stock.kernelFunc(args as never) as TensorInfo;
    const out = backend.makeOutput(x.shape, 'float32');
    const source = heapFloats(backend, x);
    const target = heapFloats(backend, out);
    for (let i = 0; i < source.length; i++) target[i] = fastErf(source[i]);
    return out;
  };
  return { kernelName: Erf, backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: kernelFunc as unknown as KernelFunc };
}
