/**
 * Exact GELU as one fused wasm-backend kernel written in TypeScript, returning the activation and its derivative: the op-by-op form
 * (mul, erf, add, mul and, backward, square, neg, exp and five more muls on every MLP activation) costs several
 * passes and tensors; here the forward is one pass that also keeps the derivative (backward is one multiply), computed in float64 with the float32-accurate erf.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { fastErf } from './wasm-erf.js';
import { heapFloats } from './wasm-tensors.js';

/** Kernel name of the fused forward: outputs y = 0.5 x (1 + erf(x / sqrt 2)) and its derivative dy/dx = 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2 / 2) / sqrt(2 pi). */
export const geluKernelName = 'ShardScopeGelu';

const invSqrt2Pi = 1 / Math.sqrt(2 * Math.PI);
const powersOfHalf = Float64Array.from({ length: 160 }, (_, i) => 2 ** -i);

/** exp(y) for y <= 0 to ~1e-8 relative (2^k times a degree-9 Taylor polynomial on r in (-ln 2, 0]); V8's Math.exp is ~3x slower. */
export function expNonPositive(y: number): number {
  if (y < -100) return 0;
  const k = (y * Math.LOG2E) | 0;
  const r = y - k * Math.LN2;
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r / 362880))))))));
  return p * powersOfHalf[-k];
}

interface GeluArgs {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
}

function gelu(args: GeluArgs): TensorInfo[] {
  const { inputs: { x }, backend } = args;
  const out = backend.makeOutput(x.shape, 'float32');
  const slope = backend.makeOutput(x.shape, 'float32');
  const source = heapFloats(backend, x);
  const target = heapFloats(backend, out);
  const derivative = heapFloats(backend, slope);
  for (let i = 0; i < source.length; i++) {
    const v = source[i];
    const cdf = 0.5 * (1 + fastErf(v * Math.SQRT1_2));
    target[i] = v * cdf;
    derivative[i] = cdf + v * expNonPositive(-0.5 * v * v) * invSqrt2Pi;
  }
  return [out, slope];
}

/** The registration (wasm backend, float32 inputs); the gradient is dy times the derivative output. */
export const wasmGeluConfig: KernelConfig = { kernelName: geluKernelName, backendName: 'wasm', kernelFunc: gelu as unknown as KernelFunc };
