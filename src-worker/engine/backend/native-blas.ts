/**
 * The optional OpenBLAS addon (native/blas, built into dist/native/blas.node when libopenblas-dev is
 * installed): loaded at run time inside try/catch, so its absence is a value and the bundle stays portable.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { codeDirectory, oneLineReason } from './native-loader.js';

/** The addon's one function: row-major C = alpha*op(A)*op(B) + beta*C on Float32Array views (no copies). */
export type Sgemm = (transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number) => void;

/** The loaded addon, or why it is not used. */
export type NativeBlasLoad = { sgemm: Sgemm; path: string } | { sgemm?: undefined; reason: string };

/** Places the addon may be: next to the bundle (dist/native/), the built dist/ or the node-gyp output of a checkout. */
export function nativeBlasCandidates(): string[] {
  const here = codeDirectory();
  return [
    join(here, 'native', 'blas.node'),
    join(here, '..', '..', '..', 'native', 'blas', 'build', 'Release', 'blas.node'),
    join(process.cwd(), 'dist', 'native', 'blas.node'),
    join(process.cwd(), 'native', 'blas', 'build', 'Release', 'blas.node'),
  ];
}

/** Loads the addon unless SHARDSCOPE_NATIVE_BLAS is '0'; never throws. */
export function loadNativeBlas(env: NodeJS.ProcessEnv = process.env): NativeBlasLoad {
  if (env.SHARDSCOPE_NATIVE_BLAS === '0') return { reason: 'disabled by SHARDSCOPE_NATIVE_BLAS=0' };
  const path = nativeBlasCandidates().find((candidate) => existsSync(candidate));
  if (!path) return { reason: 'native BLAS addon not built (install libopenblas-dev, then npm run build)' };
  try {
    const addon = createRequire(join(codeDirectory(), 'noop.js'))(path) as { sgemm?: unknown };
    if (typeof addon.sgemm !== 'function') return { reason: `${path} has no sgemm` };
    return { sgemm: addon.sgemm as Sgemm, path };
  } catch (error) {
    return { reason: oneLineReason(error) };
  }
}
