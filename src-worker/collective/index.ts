/**
 * ShardScope collectives: rendezvous, authenticated TCP mesh, ring all-reduce and friends over
 * process groups. The training engine's only entry point into rank-to-rank communication.
 */
import { ShardScopeError } from '../../src-shared/errors.js';
import { MeshCommunicator } from './communicator.js';
import { buildMesh } from './rendezvous.js';
import type { CollectiveOptions, Communicator } from './types.js';

export type { CollectiveOptions, CollectiveStats, Communicator, GroupOptions, NumericArray, OpKind, ProcessGroup, ReduceOp } from './types.js';
export { chunkBounds } from './chunk-bounds.js';
import { DEFAULT_SEGMENT_ELEMENTS } from './chunk-bounds.js';

/** Default peer-lost / operation timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default pipeline segment of the ring: large enough to amortise per-frame cost, small enough to overlap (the pair-wise all-reduce uses 4 MiB instead). */
export const DEFAULT_SEGMENT_BYTES = DEFAULT_SEGMENT_ELEMENTS * 4;

/** Joins the run: rendezvous at rank 0, authenticated connections to every peer; fails with `timeout`/`auth`/`unavailable`/`bad-input`. */
export async function initCollective(opts: CollectiveOptions & { segmentBytes?: number }): Promise<Communicator> {
  validate(opts);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const mesh = await buildMesh(opts, timeoutMs);
  const segmentElements = Math.max(1, Math.floor((opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES) / 4));
  return new MeshCommunicator(opts.rank, opts.worldSize, mesh, timeoutMs, segmentElements);
}

function validate(opts: CollectiveOptions & { segmentBytes?: number }): void {
  const problems: string[] = [];
  if (!Number.isInteger(opts.worldSize) || opts.worldSize < 1) problems.push(`worldSize must be a positive integer, got ${opts.worldSize}`);
  if (!Number.isInteger(opts.rank) || opts.rank < 0 || opts.rank >= opts.worldSize) problems.push(`rank must be in 0..${opts.worldSize - 1}, got ${opts.rank}`);
  if (!Number.isInteger(opts.masterPort) || opts.masterPort < 0 || opts.masterPort > 65535) problems.push(`masterPort must be a port number, got ${opts.masterPort}`);
  if (!opts.masterAddr) problems.push('masterAddr is empty');
  if (!opts.secret || opts.secret.length < 16) problems.push('secret must be at least 16 characters');
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) problems.push(`timeoutMs must be positive, got ${opts.timeoutMs}`);
  if (opts.segmentBytes !== undefined && !(opts.segmentBytes >= 4)) problems.push(`segmentBytes must be at least 4, got ${opts.segmentBytes}`);
  if (problems.length > 0) throw new ShardScopeError('bad-input', `initCollective: ${problems.join('; ')}`);
}
