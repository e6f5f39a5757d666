/**
 * BatchMatMul for the wasm backend routed to its fast path: the stock kernel is fast (XNNPACK) only for
 * one plain matrix product and takes a slow scalar loop for transposed or batched operands. Here transposed
 * operands are transposed once by the (fast) Transpose kernel, a batch against one shared matrix becomes a
 * single tall product, and other batches run as one fast product per matrix over zero-copy views.
 * When the optional OpenBLAS addon is in use (`useNativeSgemm`), every float32 product instead calls its
 * sgemm directly on the wasm heap (transposes handled by BLAS, same batching and broadcasting).
 */
import { BatchMatMul, broadcast_util, getKernel, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Sgemm } from './native-blas.js';
import { heapFloats, makeView, releaseView, wasmTensorId } from './wasm-tensors.js';

interface MatMulArgs {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: { transposeA: boolean; transposeB: boolean };
}

type PlainMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number,
  transposeA: boolean, transposeB: boolean, outId: number) => void;

let nativeSgemm: Sgemm | undefined;

/** Routes float32 products to a native sgemm (the OpenBLAS addon), or back to the wasm kernels with `undefined`. */
export function useNativeSgemm(sgemm: Sgemm | undefined): void {
  nativeSgemm = sgemm;
}

/** The native sgemm products now go to, if any. */
export function activeNativeSgemm(): Sgemm | undefined {
  return nativeSgemm;
}

const plainMatMuls = new WeakMap<object, PlainMatMul>();

function plainMatMul(backend: BackendWasm): PlainMatMul {
  let fn = plainMatMuls.get(backend.wasm);
  if (!fn) {
    const types = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    fn = (backend.wasm as unknown as { cwrap(name: string, ret: null, args: string[]): PlainMatMul }).cwrap(BatchMatMul, null, types);
    plainMatMuls.set(backend.wasm, fn);
  }
  return fn;
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/** Swaps the last two axes with the stock Transpose kernel; the caller disposes the result. */
function transposeLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const transpose = getKernel('Transpose', 'wasm')!.kernelFunc;
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/** Index of the operand's matrix used by output matrix `outIndex` under numpy-style batch broadcasting. */
function broadcastIndex(outIndex: number, outBatch: number[], operandBatch: number[]): number {
  let index = 0;
  let stride = 1;
  let rest = outIndex;
  const offset = outBatch.length - operandBatch.length;
  for (let axis = outBatch.length - 1; axis >= 0; axis--) {
    const coord = rest % outBatch[axis];
    rest = Math.floor(rest / outBatch[axis]);
    const operandAxis = axis - offset;
    if (operandAxis < 0) continue;
    const dim = operandBatch[operandAxis];
    if (dim !== 1) index += coord * stride;
    stride *= dim;
  }
  return index;
}

interface ProductShape { m: number; n: number; k: number; aBatch: number[]; bBatch: number[]; outBatch: number[]; outShape: number[] }

/** Every product through `sgemm` on heap views: a batch against one shared B is one tall product. */
function blasBatchMatMul(sgemm: Sgemm, args: MatMulArgs, shape: ProductShape): TensorInfo {
  const { inputs: { a, b }, backend, attrs: { transposeA, transposeB } } = args;
  const { m, n, k, aBatch, bBatch, outBatch, outShape } = shape;
  const out = backend.makeOutput(outShape, 'float32');
  // Views are taken after the last allocation: a growing heap would detach them.
  const aAll = heapFloats(backend, a);
  const bAll = heapFloats(backend, b);
  const cAll = heapFloats(backend, out);
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  const aCount = util.sizeFromShape(aBatch);
  const outCount = util.sizeFromShape(outBatch);
  if (util.sizeFromShape(bBatch) === 1 && aCount === outCount && !transposeA) {
    sgemm(false, transposeB, aCount * m, n, k, 1, aAll, lda, bAll, ldb, 0, cAll, n);
    return out;
  }
  const aSize = m * k;
  const bSize = k * n;
  for (let i = 0; i < outCount; i++) {
    const ai = broadcastIndex(i, outBatch, aBatch) * aSize;
    const bi = broadcastIndex(i, outBatch, bBatch) * bSize;
    sgemm(transposeA, transposeB, m, n, k, 1, aAll.subarray(ai, ai + aSize), lda, bAll.subarray(bi, bi + bSize), ldb, 0,
      cAll.subarray(i * m * n, (i + 1) * m * n), n);
  }
  return out;
}

function fastBatchMatMul(args: MatMulArgs, stock: KernelFunc): TensorInfo {
  const { inputs: { a, b }, backend, attrs: { transposeA, transposeB } } = args;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args as never) as TensorInfo;
  const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
  const k = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  const kB = transposeB ? b.shape[b.shape.length - 1] : b.shape[b.shape.length - 2];
  const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  util.assert(k === kB, () => `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const outShape = [...outBatch, m, n];
  if (m * n * k === 0) return stock(args as never) as TensorInfo;
  if (nativeSgemm) return blasBatchMatMul(nativeSgemm, args, { m, n, k, aBatch, bBatch, outBatch, outShape });

  const aPlain = transposeA ? transposeLastTwo(backend, a) : a;
  const bPlain = transposeB ? transposeLastTwo(backend, b) : b;
  const out = backend.makeOutput(outShape, 'float32');
  const run = plainMatMul(backend);
  const aCount = util.sizeFromShape(aBatch);
  const bCount = util.sizeFromShape(bBatch);
  const outCount = util.sizeFromShape(outBatch);
  const views: TensorInfo[] = [];
  const view = (base: TensorInfo, offset: number, shape: number[]) => {
    const v = makeView(backend, base, offset, shape);
    views.push(v);
    return wasmTensorId(backend, v);
  };
  try {
    if (bCount === 1 && aCount === outCount) {
      // Every matrix of A meets the same B: one tall [aCount*m, k] x [k, n] product.
      const rows = aCount * m;
      run(view(aPlain, 0, [1, rows, k]), shapeBytes([1, rows, k]), 3, view(bPlain, 0, [1, k, n]), shapeBytes([1, k, n]), 3,
        false, false, view(out, 0, [1, rows, n]));
    } else {
      const aShape = shapeBytes([1, m, k]);
      const bShape = shapeBytes([1, k, n]);
      for (let i = 0; i < outCount; i++) {
        const aId = view(aPlain, broadcastIndex(i, outBatch, aBatch) * m * k, [1, m, k]);
        const bId = view(bPlain, broadcastIndex(i, outBatch, bBatch) * k * n, [1, k, n]);
        run(aId, aShape, 3, bId, bShape, 3, false, false, view(out, i * m * n, [1, m, n]));
      }
    }
  } finally {
    for (const v of views) releaseView(backend, v);
    if (aPlain !== a) backend.disposeData(aPlain.dataId);
    if (bPlain !== b) backend.disposeData(bPlain.dataId);
  }
  return out;
}

/** Builds the kernel registration of the routed BatchMatMul, falling back to `stock` where routing does not apply. */
export function wasmBatchMatMulConfig(stock: KernelConfig): KernelConfig {
  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: ((args: MatMulArgs) => fastBatchMatMul(args, stock.kernelFunc)) as unknown as KernelFunc,
  };
}
