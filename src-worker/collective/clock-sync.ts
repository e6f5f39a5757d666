/**
 * Clock alignment at rendezvous, NTP-style: every rank exchanges a few pings with rank 0
 * (t0 sent, t1 received and t2 answered on rank 0, t3 back), takes the round with the smallest
 * round trip, and gets offset = ((t1 - t0) + (t2 - t3)) / 2, right within half that round trip.
 * Rank 0 answers the ranks one after another; all ranks must call it together.
 */
import type { ClockAlignment } from '../../src-shared/trace-spans.js';
import type { ProcessGroup } from './types.js';

const CLOCK_TAG = 0x7c10c;

/** Float64 values carried in a Float32Array (the group's send/recv move 4-byte elements). */
function pack(values: number[]): Float32Array {
  return new Float32Array(new Float64Array(values).buffer);
}

function unpack(buffer: Float32Array): Float64Array {
  return new Float64Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}

/** Estimates this rank's offset to rank 0 of `world` (rank 0 gets 0); `nowMs` is the clock being aligned. */
export async function alignClocks(world: ProcessGroup, nowMs: () => number, roundTrips = 8): Promise<ClockAlignment> {
  if (world.rank === 0) {
    for (let peer = 1; peer < world.size; peer += 1) {
      for (let i = 0; i < roundTrips; i += 1) {
        await world.recv(peer, CLOCK_TAG);
        const t1 = nowMs();
        await world.send(pack([t1, nowMs()]), peer, CLOCK_TAG);
      }
    }
    return { offsetMs: 0, errorMs: 0, roundTrips };
  }
  let best = { offsetMs: 0, delayMs: Infinity };
  for (let i = 0; i < roundTrips; i += 1) {
    const t0 = nowMs();
    await world.send(pack([t0]), 0, CLOCK_TAG);
    const [t1, t2] = unpack(await world.recv(0, CLOCK_TAG));
    const t3 = nowMs();
    const delayMs = (t3 - t0) - (t2 - t1);
    if (delayMs < best.delayMs) best = { offsetMs: ((t1 - t0) + (t2 - t3)) / 2, delayMs };
  }
  return { offsetMs: best.offsetMs, errorMs: Math.max(0, best.delayMs) / 2, roundTrips };
}
