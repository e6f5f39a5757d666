/**
 * Turns measured collective timings (as `shardscope calibrate` records them: op, group size, host or
 * cross-host, payload bytes, seconds) into the bus-bandwidth curves a GPU spec's `calibration` holds,
 * with the NCCL-tests convention busbw = bytes × factor(op, n) / seconds.
 */
import { busBandwidthFactor, type Collective } from './comm.js';
import type { Calibration } from './schemas.js';

/** One timed collective call (structurally the calibration store's CollectiveTiming). */
export interface TimedCollective {
  op: 'allReduce' | 'reduceScatter' | 'allGather' | 'send';
  groupSize: number;
  scope: 'host' | 'cross-host';
  bytes: number;
  seconds: number;
}

const collectiveOf: Record<TimedCollective['op'], Collective> = { allReduce: 'all-reduce', reduceScatter: 'reduce-scatter', allGather: 'all-gather', send: 'broadcast' };

/**
 * Bus-bandwidth points by scope, one per message size (the best of the ops measured at that size, as
 * the planner's collectives are bandwidth-bound rings); timings of groups of one rank are skipped.
 */
export function busBandwidthFromTimings(timings: TimedCollective[]): Pick<Calibration, 'intraNodeBusBandwidth' | 'interNodeBusBandwidth'> {
  const curve = (scope: TimedCollective['scope']) => {
    const bySize = new Map<number, number>();
    for (const t of timings) {
      if (t.scope !== scope || t.seconds <= 0 || (t.op !== 'send' && t.groupSize < 2)) continue;
      const busBytesPerSecond = (t.bytes * (t.op === 'send' ? 1 : busBandwidthFactor(collectiveOf[t.op], t.groupSize))) / t.seconds;
      bySize.set(t.bytes, Math.max(bySize.get(t.bytes) ?? 0, busBytesPerSecond));
    }
    const points = [...bySize.entries()].sort((a, b) => a[0] - b[0]).map(([bytes, busBytesPerSecond]) => ({ bytes, busBytesPerSecond }));
    return points.length > 0 ? points : undefined;
  };
  const intra = curve('host');
  const inter = curve('cross-host');
  return { ...(intra ? { intraNodeBusBandwidth: intra } : {}), ...(inter ? { interNodeBusBandwidth: inter } : {}) };
}
