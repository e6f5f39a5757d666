/**
 * LayerNorm over the last axis (eps 1e-5) as two fused wasm-backend kernels written in TypeScript: the op-by-op
 * form (moments, sub, rsqrt, muls, and in backward Mean's gradient that builds a ones tensor the size of x) is a
 * dozen passes and tensors; here forward and backward are one row-wise pass each, accumulating in float64.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './wasm-tensors.js';

/** Forward kernel: inputs {x, gain, bias}; outputs [y, xhat, rstd] (xhat = normalised x, rstd per row). */
export const layerNormKernelName = 'ShardScopeLayerNorm';
/** Backward kernel: inputs {dy, xhat, rstd, gain}; outputs [dx, dgain, dbias]. */
export const layerNormGradKernelName = 'ShardScopeLayerNormGrad';

const epsilon = 1e-5;

interface LayerNormArgs {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
}

function layerNorm(args: LayerNormArgs): TensorInfo[] {
  const { inputs: { x, gain, bias }, backend } = args;
  const width = x.shape[x.shape.length - 1];
  const rows = width === 0 ? 0 : x.shape.reduce((a, b) => a * b, 1) / width;
  const out = backend.makeOutput(x.shape, 'float32');
  const normed = backend.makeOutput(x.shape, 'float32');
  const rstdOut = backend.makeOutput([...x.shape.slice(0, -1), 1], 'float32');
  const [xs, g, b, y, xhat, rstd] = [x, gain, bias, out, normed, rstdOut].map((t) => heapFloats(backend, t));
  for (let r = 0, o = 0; r < rows; r++, o += width) {
    let sum = 0;
    for (let j = 0; j < width; j++) sum += xs[o + j];
    const mean = sum / width;
    let squares = 0;
    for (let j = 0; j < width; j++) {
      const d = xs[o + j] - mean;
      squares += d * d;
    }
    const inv = 1 / Math.sqrt(squares / width + epsilon);
    rstd[r] = inv;
    for (let j = 0; j < width; j++) {
      const n = (xs[o + j] - mean) * inv;
      xhat[o + j] = n;
      y[o + j] = n * g[j] + b[j];
    }
  }
  return [out, normed, rstdOut];
}

function layerNormGrad(args: LayerNormArgs): TensorInfo[] {
  const { inputs: { dy, xhat, rstd, gain }, backend } = args;
  const width = dy.shape[dy.shape.length - 1];
  const rows = width === 0 ? 0 : dy.shape.reduce((a, b) => a * b, 1) / width;
  const dxOut = backend.makeOutput(dy.shape, 'float32');
  const dgOut = backend.makeOutput(gain.shape, 'float32');
  const dbOut = backend.makeOutput(gain.shape, 'float32');
  const [d, n, inv, g, dx, dg, db] = [dy, xhat, rstd, gain, dxOut, dgOut, dbOut].map((t) => heapFloats(backend, t));
  const gainSums = new Float64Array(width);
  const biasSums = new Float64Array(width);
  for (let r = 0, o = 0; r < rows; r++, o += width) {
    let sumScaled = 0;
    let sumScaledNormed = 0;
    for (let j = 0; j < width; j++) {
      const dyj = d[o + j];
      const nj = n[o + j];
      const scaled = dyj * g[j];
      sumScaled += scaled;
      sumScaledNormed += scaled * nj;
      gainSums[j] += dyj * nj;
      biasSums[j] += dyj;
    }
    const meanScaled = sumScaled / width;
    const meanScaledNormed = sumScaledNormed / width;
    const scale = inv[r];
    for (let j = 0; j < width; j++) dx[o + j] = scale * (d[o + j] * g[j] - meanScaled - n[o + j] * meanScaledNormed);
  }
  dg.set(gainSums);
  db.set(biasSums);
  return [dxOut, dgOut, dbOut];
}

/** The two registrations (wasm backend, float32 inputs). */
export const wasmLayerNormConfigs: KernelConfig[] = [
  { kernelName: layerNormKernelName, backendName: 'wasm', kernelFunc: layerNorm as unknown as KernelFunc },
  { kernelName: layerNormGradKernelName, backendName: 'wasm', kernelFunc: layerNormGrad as unknown as KernelFunc },
];
