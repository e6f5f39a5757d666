/**
 * The training backend, chosen at start and reported: tfjs-node-gpu (CUDA) -> tfjs-node -> wasm -> cpu.
 * Each backend that cannot start is recorded with a one-line reason; a missing native package is a
 * normal, reported condition. `preferred` (or SHARDSCOPE_BACKEND) starts the chain lower down.
 * On wasm, matrix products go to the optional OpenBLAS addon when it loads (SHARDSCOPE_NATIVE_BLAS=0 turns it off).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// Named imports keep these packages in the worker bundle (their `sideEffects` lists would let esbuild drop a bare import).
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { bundledWasmDirectory, oneLineReason, requireOptional } from './native-loader.js';
import { loadNativeBlas } from './native-blas.js';
import { useNativeSgemm } from './wasm-batch-matmul.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

/** Names a user may ask for, best first. */
export const backendNames = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** One backend of the chain. */
export type BackendName = (typeof backendNames)[number];

/** What started, on which device, and why each better backend did not. */
export interface BackendReport {
  name: BackendName;
  device: string;
  threads: number;
  /** Who computes matrix products: OpenBLAS (native addon, wasm backend only) or the backend itself. */
  matmul: 'openblas' | 'builtin';
  /** On wasm without OpenBLAS: why the addon is not used. */
  matmulReason?: string;
  fallbacks: { name: BackendName; reason: string }[];
}

/** Options of initBackend; `env` defaults to process.env (SHARDSCOPE_BACKEND, SHARDSCOPE_WASM_THREADS, SHARDSCOPE_NATIVE_BLAS). */
export interface BackendOptions {
  threads?: number;
  env?: NodeJS.ProcessEnv;
}

/** Checks a backend name from a flag or the environment; anything else is `bad-input`. */
export function parseBackendName(value: string, source = '--backend'): BackendName {
  if ((backendNames as readonly string[]).includes(value)) return value as BackendName;
  throw new ShardScopeError('bad-input', `${source} must be one of ${backendNames.join(', ')}, got "${value}"`);
}

async function activate(name: string): Promise<void> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...parts: unknown[]) => { warnings.push(parts.map((part) => oneLineReason(part)).join(' ')); };
  try {
    if (!(await tf.setBackend(name))) throw new Error(warnings.find((w) => !w.startsWith('Initialization of backend')) ?? warnings[0] ?? `backend ${name} did not initialise`);
  } finally {
    console.warn = warn;
  }
}

type Started = { device: string; threads: number; matmul?: BackendReport['matmul']; matmulReason?: string };

async function tryBackend(name: BackendName, threads: number, env: NodeJS.ProcessEnv): Promise<Started> {
  switch (name) {
    case 'tensorflow-gpu': {
      requireOptional('@tensorflow/tfjs-node-gpu');
      await activate('tensorflow');
      return { device: 'cuda:0', threads: 0 };
    }
    case 'tensorflow': {
      requireOptional('@tensorflow/tfjs-node');
      await activate('tensorflow');
      return { device: 'cpu (libtensorflow)', threads: 0 };
    }
    case 'wasm': {
      const wasmDir = bundledWasmDirectory();
      if (wasmDir) setWasmPaths(`${wasmDir}/`);
      setThreadsCount(threads);
      registerWasmTrainingKernels();
      await activate('wasm');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const actual = getThreadsCount();
      const blas = loadNativeBlas(env);
      useNativeSgemm(blas.sgemm);
      const device = `cpu (wasm${simd ? ' simd' : ''}, ${actual} thread${actual === 1 ? '' : 's'}${blas.sgemm ? ', openblas matmul' : ''})`;
      return blas.sgemm ? { device, threads: actual, matmul: 'openblas' } : { device, threads: actual, matmulReason: blas.reason };
    }
    case 'cpu':
      if (!tf.findBackendFactory('cpu')) tf.registerBackend('cpu', () => new MathBackendCPU(), 1);
      await activate('cpu');
      return { device: 'cpu (javascript)', threads: 1 };
  }
}

/** Starts the best backend from `preferred` (default: the top of the chain) downwards and reports the choice. */
export async function initBackend(preferred?: BackendName, options: BackendOptions = {}): Promise<BackendReport> {
  const env = options.env ?? process.env;
  const start = preferred ?? (env.SHARDSCOPE_BACKEND ? parseBackendName(env.SHARDSCOPE_BACKEND, 'SHARDSCOPE_BACKEND') : 'tensorflow-gpu');
  const threads = options.threads ?? (env.SHARDSCOPE_WASM_THREADS ? Number(env.SHARDSCOPE_WASM_THREADS) : 1);
  if (!Number.isInteger(threads) || threads < 1) throw new ShardScopeError('bad-input', `wasm threads must be a positive integer, got "${threads}"`);
  tf.env().set('PROD', true);
  const fallbacks: BackendReport['fallbacks'] = [];
  for (const name of backendNames.slice(backendNames.indexOf(start))) {
    try {
      const started = await tryBackend(name, threads, env);
      const matmul = started.matmul ?? 'builtin';
      return { name, device: started.device, threads: started.threads, matmul, ...(started.matmulReason ? { matmulReason: started.matmulReason } : {}), fallbacks };
    } catch (error) {
      fallbacks.push({ name, reason: oneLineReason(error) });
    }
  }
  throw new ShardScopeError('unavailable', `no training backend could start: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
}

/** The backend now running ops, as TensorFlow.js names it. */
export function activeBackendName(): string {
  return tf.getBackend();
}
