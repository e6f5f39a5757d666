/**
 * The collectives' tuning switches a user may set in a worker's environment (for benchmarks and for checking
 * one path against another; the defaults are right for training). They are read here, once, by the worker
 * commands, and reach the library only as CollectiveTuning fields: the library never reads the environment.
 * Documented in docs/collectives.md. Unset or empty means the library's default; anything unknown is refused.
 */
import { ShardScopeError } from '../../src-shared/errors.js';
import { ALL_REDUCE_ALGORITHMS, type AllReduceAlgorithm, type CollectiveTuning } from '../collective/index.js';

/** The variables, by the tuning field each one sets. */
export const COLLECTIVE_ENV = {
  allReduceAlgorithm: 'SHARDSCOPE_COLLECTIVE_ALGO',
  copyReads: 'SHARDSCOPE_COLLECTIVE_COPY_READS',
  simdSum: 'SHARDSCOPE_COLLECTIVE_SIMD',
  scatterWindowSegments: 'SHARDSCOPE_COLLECTIVE_SCATTER_WINDOW',
} as const;

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (value === '1' || value === '0') return value === '1';
  throw new ShardScopeError('bad-input', `${name} must be 1 or 0, got "${value}"`);
}

/** The tuning set by SHARDSCOPE_COLLECTIVE_* variables; throws `bad-input` naming a variable with a value it cannot take. */
export function collectiveTuningFromEnv(env: NodeJS.ProcessEnv): CollectiveTuning {
  const tuning: CollectiveTuning = {};
  const algorithm = env[COLLECTIVE_ENV.allReduceAlgorithm];
  if (algorithm) {
    if (!(ALL_REDUCE_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new ShardScopeError('bad-input', `${COLLECTIVE_ENV.allReduceAlgorithm} must be one of ${ALL_REDUCE_ALGORITHMS.join(', ')}, got "${algorithm}"`);
    }
    tuning.allReduceAlgorithm = algorithm as AllReduceAlgorithm;
  }
  const copyReads = flag(env, COLLECTIVE_ENV.copyReads);
  if (copyReads !== undefined) tuning.zeroCopyReads = !copyReads;
  const simdSum = flag(env, COLLECTIVE_ENV.simdSum);
  if (simdSum !== undefined) tuning.simdSum = simdSum;
  const window = env[COLLECTIVE_ENV.scatterWindowSegments];
  if (window) {
    if (!/^[1-9]\d*$/.test(window)) throw new ShardScopeError('bad-input', `${COLLECTIVE_ENV.scatterWindowSegments} must be a positive integer, got "${window}"`);
    tuning.scatterWindowSegments = Number(window);
  }
  return tuning;
}
