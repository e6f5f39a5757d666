/** A bounded in-memory ring of recent telemetry, for the API's "last N seconds" calls. */
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';

/** Limits of the ring: by age and by count, whichever bites first. */
export interface RecentSamplesOptions {
  maxAgeMs?: number;
  maxBatches?: number;
  now?: () => number;
}

/** Keeps recent batches, drops the old ones, and answers windows of them as one batch. */
export class RecentSamples {
  private readonly batches: TelemetryBatch[] = [];
  private readonly maxAgeMs: number;
  private readonly maxBatches: number;
  private readonly now: () => number;

  constructor(options: RecentSamplesOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60 * 1000;
    this.maxBatches = options.maxBatches ?? 36_000;
    this.now = options.now ?? Date.now;
  }

  /** Adds one batch and evicts what is past the limits. */
  add(batch: TelemetryBatch): void {
    this.batches.push(batch);
    const oldestKeptMs = this.now() - this.maxAgeMs;
    let drop = Math.max(0, this.batches.length - this.maxBatches);
    while (drop < this.batches.length && latestMs(this.batches[drop]) < oldestKeptMs) drop += 1;
    if (drop > 0) this.batches.splice(0, drop);
  }

  /** Number of batches held. */
  get size(): number {
    return this.batches.length;
  }

  /** Every sample and notice of the last `windowMs`, merged into one batch in time order. */
  window(windowMs: number): TelemetryBatch {
    const sinceMs = this.now() - windowMs;
    const merged: TelemetryBatch = { hosts: [], gpus: [], notices: [] };
    for (const batch of this.batches) {
      merged.hosts.push(...batch.hosts.filter((s) => s.timestampMs >= sinceMs));
      merged.gpus.push(...batch.gpus.filter((s) => s.timestampMs >= sinceMs));
      merged.notices.push(...batch.notices.filter((n) => n.timestampMs >= sinceMs));
      const snapshots = (batch.gpuProcesses ?? []).filter((p) => p.timestampMs >= sinceMs);
      if (snapshots.length > 0) (merged.gpuProcesses ??= []).push(...snapshots);
    }
    return merged;
  }
}

function latestMs(batch: TelemetryBatch): number {
  let latest = -Infinity;
  for (const list of [batch.hosts, batch.gpus, batch.notices]) {
    for (const item of list) latest = Math.max(latest, item.timestampMs);
  }
  return latest;
}
