/**
 * The worker's clock: epoch milliseconds with sub-millisecond resolution (performance.timeOrigin +
 * performance.now()). SHARDSCOPE_TEST_CLOCK_SKEW_MS shifts it: tests use it to give one rank a wrong
 * clock and check that the alignment at rendezvous corrects it; nothing else reads that variable.
 */
const skewMs = Number(process.env.SHARDSCOPE_TEST_CLOCK_SKEW_MS ?? 0) || 0;

/** This rank's clock at `perfMs` (a performance.now() reading; default: now), in epoch ms. */
export function workerClockMs(perfMs: number = performance.now()): number {
  return performance.timeOrigin + perfMs + skewMs;
}
