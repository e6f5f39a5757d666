/**
 * All-reduce for small groups on few hosts: reduce-scatter and all-gather straight between every pair
 * of members. Each member sends and receives exactly what the ring does (2(p-1)/p of the buffer), but an
 * operation has 2 dependent steps instead of 2(p-1), so one descheduled or slow member does not stall
 * a chain of ring steps. Segments are still pipelined: a reduced segment goes out as soon as it is ready.
 * Keys are `${prefix}.s.${segment}` (scatter) and `${prefix}.g.${segment}` (gather).
 */
import { chunkBounds, DEFAULT_SEGMENT_ELEMENTS, segmentBounds } from './chunk-bounds.js';
import { bytesOf, reduceAllInto } from './reduce.js';
import type { RingContext } from './ring.js';
import type { NumericArray, ReduceOp } from './types.js';

const noop = () => {};
/** Segment size used instead of the default one (an explicitly configured size is kept): 4 MiB of float32. */
const DIRECT_SEGMENT_ELEMENTS = 1 << 20;

/** All-reduce of `work` in place; member i reduces chunk i (chunkBounds), adding peers' contributions in a fixed order (deterministic). */
export async function runDirectAllReduce(ctx: RingContext, work: NumericArray, op: ReduceOp = 'sum'): Promise<void> {
  const { wire, me, size: p, prefix } = ctx;
  if (p === 1) return;
  // With the default segment size, use 4 MiB segments: fewer, larger frames cost less CPU (per-frame work and
  // wake-ups); at 4 ranks x 64 MB, 1 / 2 / 4 MiB measured ~73 / ~63 / ~58 ms CPU per op, and 4 ranks x 16 MB
  // (one segment per chunk) was faster than 1 MiB. The scatter window still overlaps peers and segments.
  const segmentElements = ctx.segmentElements === DEFAULT_SEGMENT_ELEMENTS ? DIRECT_SEGMENT_ELEMENTS : ctx.segmentElements;
  const segments = Array.from({ length: p }, (_, chunk) => segmentBounds(...chunkBounds(work.length, p, chunk), segmentElements));
  const peers = Array.from({ length: p - 1 }, (_, k) => (me + 1 + k) % p);
  const sends: Promise<void>[] = [];
  const send = (to: number, key: string, [a, b]: [number, number]) => {
    const sent = wire.send(to, key, bytesOf(work, a, b));
    sent.catch(noop);
    sends.push(sent);
  };
  // Gathered chunks land in place in `work`: post those receives before anything can arrive.
  const gathered: Promise<Uint8Array>[] = [];
  for (const from of peers) {
    segments[from].forEach(([a, b], j) => {
      const received = wire.receive(from, `${prefix}.g.${j}`, bytesOf(work, a, b));
      received.catch(noop);
      gathered.push(received);
    });
  }
  // Scatter: every peer gets its chunk of my buffer, segment by segment, interleaved so all peers progress.
  // At most scatterWindowSegments segments per peer are queued at once, so a receiver's early arrivals stay few
  // (pool buffers still warm in cache when reduced) instead of a whole chunk.
  const queue: Array<[number, number]> = [];
  const most = Math.max(...segments.map((s) => s.length));
  for (let j = 0; j < most; j++) for (const to of peers) if (j < segments[to].length) queue.push([to, j]);
  let next = 0;
  const pump = () => {
    if (next >= queue.length) return;
    const [to, j] = queue[next++];
    send(to, `${prefix}.s.${j}`, segments[to][j]);
    sends[sends.length - 1].then(pump, noop);
  };
  const window = ctx.scatterWindowSegments * peers.length;
  for (let k = 0; k < window; k++) pump();
  // Reduce my chunk as contributions arrive, then hand each finished segment to every peer.
  const mine = segments[me];
  for (let j = 0; j < mine.length; j++) {
    const [a, b] = mine[j];
    // All contributions first, then one pass over my segment adding them in peer order (deterministic).
    const incomings = await Promise.all(peers.map((from) => wire.receive(from, `${prefix}.s.${j}`)));
    reduceAllInto(work, a, b, incomings, op, ctx.simdSum);
    for (const incoming of incomings) wire.release(incoming);
    for (const to of peers) send(to, `${prefix}.g.${j}`, mine[j]);
  }
  await Promise.all(gathered);
  await Promise.all(sends);
}
