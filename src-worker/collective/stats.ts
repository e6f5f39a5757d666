/** Accounting records of the collectives: empty, copy and add (shared by groups and the communicator). */
import type { CollectiveStats, OpKind } from './types.js';

/** Every op kind the accounting counts, in a stable order. */
export const OP_KINDS: readonly OpKind[] = ['allReduce', 'reduceScatter', 'allGather', 'broadcast', 'send', 'recv', 'barrier'];

/** A record with zero calls, bytes and seconds for every op kind. */
export function emptyStats(): CollectiveStats {
  return Object.fromEntries(OP_KINDS.map((k) => [k, { calls: 0, bytesSent: 0, bytesReceived: 0, seconds: 0 }])) as CollectiveStats;
}

/** A deep copy, so callers can keep snapshots while the totals go on counting. */
export function copyStats(stats: CollectiveStats): CollectiveStats {
  return Object.fromEntries(OP_KINDS.map((k) => [k, { ...stats[k] }])) as CollectiveStats;
}

/** Adds one finished operation to a record. */
export function addToStats(stats: CollectiveStats, kind: OpKind, bytesSent: number, bytesReceived: number, seconds: number): void {
  const entry = stats[kind];
  entry.calls += 1;
  entry.bytesSent += bytesSent;
  entry.bytesReceived += bytesReceived;
  entry.seconds += seconds;
}
