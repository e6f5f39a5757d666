/** Collects a sampler's telemetry batches and lets a test wait for a condition on them (event-driven, no sleeps). */
import type { GpuSample, TelemetryBatch } from '../../src-shared/telemetry.js';

/** `defaultTimeoutMs`: how long `until` waits unless told otherwise. */
export function batchCollector(defaultTimeoutMs: number) {
  const batches: TelemetryBatch[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const collector = {
    batches,
    onBatch(batch: TelemetryBatch) {
      batches.push(batch);
      for (const waiter of [...waiters]) if (waiter.check()) { waiters.splice(waiters.indexOf(waiter), 1); waiter.resolve(); }
    },
    until(check: () => boolean, what = 'condition', timeoutMs = defaultTimeoutMs): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: not seen within ${timeoutMs} ms; notices: ${JSON.stringify(collector.noticeMessages())}`)), timeoutMs);
        waiters.push({ check, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    gpus(): GpuSample[] { return batches.flatMap((b) => b.gpus); },
    notices(): { message: string; timestampMs: number }[] { return batches.flatMap((b) => b.notices); },
    noticeMessages(): string[] { return batches.flatMap((b) => b.notices.map((n) => n.message)); },
  };
  return collector;
}
