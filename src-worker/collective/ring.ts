/**
 * Ring algorithms over a group, pipelined by segments: each segment is forwarded as soon as it has
 * been reduced (or received), so sending, receiving and reducing overlap across ring steps.
 * Keys are `${prefix}.${step}.${segment}`; prefix carries group id and op sequence.
 */
import { chunkBounds, segmentBounds } from './chunk-bounds.js';
import { bytesOf, reduceInto } from './reduce.js';
import type { NumericArray, ReduceOp } from './types.js';

/** What the ring needs from a group: keyed sends/receives to members by index. */
export interface GroupWire {
  send(toIndex: number, key: string, payload: Uint8Array): Promise<void>;
  receive(fromIndex: number, key: string, target?: Uint8Array): Promise<Uint8Array>;
  release(buffer: Uint8Array): void;
}

/** Ring parameters shared by the algorithms. */
export interface RingContext {
  wire: GroupWire;
  /** This member's index and the group size. */
  me: number;
  size: number;
  /** Key prefix unique to this operation in this group. */
  prefix: string;
  /** Largest segment in elements. */
  segmentElements: number;
  /** Float sums with WebAssembly SIMD where the runtime has it (CollectiveTuning.simdSum). */
  simdSum: boolean;
  /** Scatter segments per peer in flight in the pair-wise all-reduce (CollectiveTuning.scatterWindowSegments). */
  scatterWindowSegments: number;
}

const noop = () => {};
const mod = (x: number, p: number) => ((x % p) + p) % p;

/** Which ring phases to run: reduce-scatter, all-gather, or both (all-reduce). */
export type RingPhases = 'all-reduce' | 'reduce-scatter' | 'all-gather';

/**
 * Runs the ring on `work` in place. After reduce-scatter member i holds the reduced chunk i
 * (chunkBounds); after all-gather every member holds every chunk.
 */
export async function runRing(ctx: RingContext, work: NumericArray, phases: RingPhases, op: ReduceOp = 'sum'): Promise<void> {
  const { wire, me, size: p, prefix } = ctx;
  if (p === 1) return;
  const next = mod(me + 1, p);
  const prev = mod(me - 1, p);
  const segments = (chunk: number) => segmentBounds(...chunkBounds(work.length, p, chunk), ctx.segmentElements);
  const sends: Promise<void>[] = [];
  const send = (step: number, j: number, start: number, end: number) => {
    const sent = wire.send(next, `${prefix}.${step}.${j}`, bytesOf(work, start, end));
    sent.catch(noop);
    sends.push(sent);
  };
  const hasReduce = phases !== 'all-gather';
  const hasGather = phases !== 'reduce-scatter';
  const gatherBase = hasReduce ? p - 1 : 0;
  // All-gather receives land straight in `work`: post them first so no copy is needed.
  const gathered: Promise<Uint8Array>[][] = [];
  if (hasGather) {
    for (let s = 0; s < p - 1; s++) {
      gathered.push(segments(mod(me - s - 1, p)).map(([a, b], j) => {
        const received = wire.receive(prev, `${prefix}.${gatherBase + s}.${j}`, bytesOf(work, a, b));
        received.catch(noop);
        return received;
      }));
    }
  }
  if (hasReduce) {
    segments(mod(me - 1, p)).forEach(([a, b], j) => send(0, j, a, b));
    for (let s = 0; s < p - 1; s++) {
      const chunkSegments = segments(mod(me - s - 2, p));
      for (let j = 0; j < chunkSegments.length; j++) {
        const [a, b] = chunkSegments[j];
        const incoming = await wire.receive(prev, `${prefix}.${s}.${j}`);
        reduceInto(work, a, b, incoming, op, ctx.simdSum);
        wire.release(incoming);
        if (s < p - 2) send(s + 1, j, a, b);
        else if (hasGather) send(gatherBase, j, a, b);
      }
    }
  } else {
    segments(me).forEach(([a, b], j) => send(gatherBase, j, a, b));
  }
  if (hasGather) {
    for (let s = 0; s < p - 1; s++) {
      const chunkSegments = segments(mod(me - s - 1, p));
      for (let j = 0; j < chunkSegments.length; j++) {
        await gathered[s][j];
        if (s < p - 2) send(gatherBase + s + 1, j, chunkSegments[j][0], chunkSegments[j][1]);
      }
    }
  }
  await Promise.all(sends);
}

/** Pipelined chain broadcast from member `root` around the ring, in place. */
export async function runBroadcast(ctx: RingContext, buf: NumericArray, root: number): Promise<void> {
  const { wire, me, size: p, prefix } = ctx;
  if (p === 1) return;
  const position = mod(me - root, p);
  const next = mod(me + 1, p);
  const prev = mod(me - 1, p);
  const segments = segmentBounds(0, buf.length, ctx.segmentElements);
  const sends: Promise<void>[] = [];
  const send = (j: number) => {
    const sent = wire.send(next, `${prefix}.0.${j}`, bytesOf(buf, segments[j][0], segments[j][1]));
    sent.catch(noop);
    sends.push(sent);
  };
  if (position === 0) {
    segments.forEach((_, j) => send(j));
  } else {
    const received = segments.map(([a, b], j) => {
      const r = wire.receive(prev, `${prefix}.0.${j}`, bytesOf(buf, a, b));
      r.catch(noop);
      return r;
    });
    for (let j = 0; j < segments.length; j++) {
      await received[j];
      if (position < p - 1) send(j);
    }
  }
  await Promise.all(sends);
}
