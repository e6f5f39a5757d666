/**
 * ShardScope collectives: rendezvous, authenticated TCP mesh, ring all-reduce and friends over
 * process groups. The training engine's only entry point into rank-to-rank communication.
 */
import { ShardScopeError } from '../../src-shared/errors.js';
import { MeshCommunicator } from './communicator.js';
import { buildMesh } from './rendezvous.js';
import type { CollectiveOptions, Communicator } from './types.js';

import { resolveTuning, tuningProblems } from './tuning.js';

export type {
  AllReduceAlgorithm, CollectiveOptions, CollectiveStats, CollectiveTuning, Communicator, GroupOptions, NumericArray, OpKind, ProcessGroup, ReduceOp, TransportStats,
} from './types.js';
export { chunkBounds } from './chunk-bounds.js';
export { ALL_REDUCE_ALGORITHMS, DEFAULT_SCATTER_WINDOW_SEGMENTS, DEFAULT_SEGMENT_BYTES } from './tuning.js';

/** Default peer-lost / operation timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Joins the run: rendezvous at rank 0, authenticated connections to every peer; fails with `timeout`/`auth`/`unavailable`/`bad-input`. */
export async function initCollective(opts: CollectiveOptions): Promise<Communicator> {
  validate(opts);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tuning = resolveTuning(opts);
  const mesh = await buildMesh(opts, timeoutMs, tuning.zeroCopyReads);
  return new MeshCommunicator(opts.rank, opts.worldSize, mesh, timeoutMs, tuning);
}

function validate(opts: CollectiveOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(opts.worldSize) || opts.worldSize < 1) problems.push(`worldSize must be a positive integer, got ${opts.worldSize}`);
  if (!Number.isInteger(opts.rank) || opts.rank < 0 || opts.rank >= opts.worldSize) problems.push(`rank must be in 0..${opts.worldSize - 1}, got ${opts.rank}`);
  if (!Number.isInteger(opts.masterPort) || opts.masterPort < 0 || opts.masterPort > 65535) problems.push(`masterPort must be a port number, got ${opts.masterPort}`);
  if (!opts.masterAddr) problems.push('masterAddr is empty');
  if (!opts.secret || opts.secret.length < 16) problems.push('secret must be at least 16 characters');
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) problems.push(`timeoutMs must be positive, got ${opts.timeoutMs}`);
  problems.push(...tuningProblems(opts));
  if (problems.length > 0) throw new ShardScopeError('bad-input', `initCollective: ${problems.join('; ')}`);
}
