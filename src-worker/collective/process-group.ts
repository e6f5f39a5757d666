/** A process group: runs collectives among its members, tagging every frame with group id and op sequence. */
import { ShardScopeError } from '../../src-shared/errors.js';
import { chunkBounds } from './chunk-bounds.js';
import { runDirectAllReduce } from './direct.js';
import { runBroadcast, runRing, type GroupWire, type RingContext } from './ring.js';
import { addToStats, copyStats, emptyStats } from './stats.js';
import type { ResolvedTuning } from './tuning.js';
import type { AllReduceAlgorithm, CollectiveStats, NumericArray, OpKind, OpTiming, ProcessGroup, ReduceOp } from './types.js';

/** What a group needs from its communicator: links by world rank, failure state, accounting. */
export interface GroupHost {
  readonly tuning: ResolvedTuning;
  /** Throws the communicator's failure, if any. */
  assertUsable(): void;
  sendTo(worldRank: number, key: string, payload: Uint8Array): Promise<void>;
  receiveFrom(worldRank: number, key: string, target?: Uint8Array): Promise<Uint8Array>;
  release(buffer: Uint8Array): void;
  /** Adds one finished operation of a group with this label to the communicator's totals. */
  record(label: string, kind: OpKind, bytesSent: number, bytesReceived: number, seconds: number): void;
  /** Set while ops are traced: takes the time a frame with this key began arriving from a peer. */
  readonly arrivalOf: ((worldRank: number, key: string) => number | undefined) | null;
  /** Set while ops are traced: receives each finished op's timing. */
  readonly onOp: ((op: OpTiming) => void) | null;
}

/** Largest group that all-reduces pair-wise (direct.ts) rather than around a ring. */
export const DIRECT_ALLREDUCE_MAX_SIZE = 4;

/** Pair-wise for small groups under `auto`; `ring` or `direct` forces one (for benchmarks). */
function usesDirect(algorithm: AllReduceAlgorithm, size: number): boolean {
  return algorithm === 'auto' ? size <= DIRECT_ALLREDUCE_MAX_SIZE : algorithm === 'direct';
}

function checkIndex(name: string, index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new ShardScopeError('bad-input', `${name} must be a member index in 0..${size - 1}, got ${index}`);
  }
}

/** ProcessGroup implementation over a GroupHost. */
export class Group implements ProcessGroup {
  readonly rank: number;
  readonly size: number;
  private sequence = 0;
  private readonly sendCounts = new Map<string, number>();
  private readonly receiveCounts = new Map<string, number>();
  private readonly totals = emptyStats();

  constructor(private readonly host: GroupHost, readonly id: number, readonly ranks: readonly number[], worldRank: number, readonly label: string) {
    this.rank = ranks.indexOf(worldRank);
    this.size = ranks.length;
  }

  stats(): CollectiveStats {
    return copyStats(this.totals);
  }

  allReduce(buf: NumericArray, op: ReduceOp = 'sum'): Promise<void> {
    return this.run('allReduce', (ctx) => (usesDirect(this.host.tuning.allReduceAlgorithm, this.size) ? runDirectAllReduce(ctx, buf, op) : runRing(ctx, buf, 'all-reduce', op)));
  }

  reduceScatter(buf: Float32Array): Promise<Float32Array> {
    return this.run('reduceScatter', async (ctx) => {
      const work = buf.slice();
      await runRing(ctx, work, 'reduce-scatter');
      const [start, end] = chunkBounds(buf.length, this.size, this.rank);
      return work.slice(start, end);
    });
  }

  allGather(chunk: Float32Array, totalLength: number): Promise<Float32Array> {
    const [start, end] = chunkBounds(totalLength, this.size, this.rank);
    if (chunk.length !== end - start) {
      return Promise.reject(new ShardScopeError('bad-input', `allGather: member ${this.rank} of ${this.size} must pass ${end - start} elements for totalLength ${totalLength}, got ${chunk.length}`));
    }
    return this.run('allGather', async (ctx) => {
      const result = new Float32Array(totalLength);
      result.set(chunk, start);
      await runRing(ctx, result, 'all-gather');
      return result;
    });
  }

  broadcast(buf: NumericArray, rootIndex: number): Promise<void> {
    return this.run('broadcast', (ctx) => {
      checkIndex('broadcast root', rootIndex, this.size);
      return runBroadcast(ctx, buf, rootIndex);
    });
  }

  send(buf: Float32Array, toIndex: number, tag = 0): Promise<void> {
    return this.run('send', async (ctx) => {
      checkIndex('send destination', toIndex, this.size);
      const key = this.pointKey(this.sendCounts, this.rank, toIndex, tag);
      await ctx.wire.send(toIndex, key, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    }, false);
  }

  recv(fromIndex: number, tag = 0): Promise<Float32Array> {
    return this.run('recv', async (ctx) => {
      checkIndex('recv source', fromIndex, this.size);
      const key = this.pointKey(this.receiveCounts, fromIndex, this.rank, tag);
      const bytes = await ctx.wire.receive(fromIndex, key);
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    }, false);
  }

  barrier(): Promise<void> {
    return this.run('barrier', (ctx) => runRing(ctx, new Int32Array(1), 'all-reduce'));
  }

  /** Key for the n-th point-to-point message from one member to another with a tag; both sides count alike. */
  private pointKey(counts: Map<string, number>, fromIndex: number, toIndex: number, tag: number): string {
    const pair = `${this.id}.p${fromIndex}>${toIndex}.t${tag}`;
    const count = counts.get(pair) ?? 0;
    counts.set(pair, count + 1);
    return `${pair}.${count}`;
  }

  /** Runs one op: checks usability, gives it a sequence number and a counting wire, records stats. */
  private async run<T>(kind: OpKind, body: (ctx: RingContext) => Promise<T>, isCollective = true): Promise<T> {
    this.host.assertUsable();
    const startedMs = performance.now();
    const prefix = `${this.id}.${isCollective ? this.sequence++ : 'p'}`;
    let bytesSent = 0;
    let bytesReceived = 0;
    let firstArrivalMs: number | null = null;
    const { arrivalOf } = this.host;
    const wire: GroupWire = {
      send: (toIndex, key, payload) => {
        bytesSent += payload.byteLength;
        return this.host.sendTo(this.ranks[toIndex], key, payload);
      },
      receive: async (fromIndex, key, target) => {
        const bytes = await this.host.receiveFrom(this.ranks[fromIndex], key, target);
        bytesReceived += bytes.byteLength;
        const arrivedMs = arrivalOf?.(this.ranks[fromIndex], key);
        if (arrivedMs !== undefined) firstArrivalMs = Math.min(firstArrivalMs ?? arrivedMs, arrivedMs);
        return bytes;
      },
      release: (buffer) => this.host.release(buffer),
    };
    try {
      const { segmentElements, simdSum, scatterWindowSegments } = this.host.tuning;
      return await body({ wire, me: this.rank, size: this.size, prefix, segmentElements, simdSum, scatterWindowSegments });
    } finally {
      const endMs = performance.now();
      const seconds = (endMs - startedMs) / 1000;
      addToStats(this.totals, kind, bytesSent, bytesReceived, seconds);
      this.host.record(this.label, kind, bytesSent, bytesReceived, seconds);
      this.host.onOp?.({ label: this.label, kind, startMs: startedMs, endMs, firstArrivalMs, bytesSent, bytesReceived });
    }
  }
}
