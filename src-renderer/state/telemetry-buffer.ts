/**
 * Rolling window of live samples, kept as [timestampMs, value] series ready for charts. Each series
 * is held as min/max buckets of windowMs / MAX_BUCKETS, so an hour of 2 Hz data for 64 GPUs stays a
 * few hundred points per line: spikes and dips survive, and a redraw costs the same at any run length.
 */
import { BYTES_PER } from '../../src-shared/units.js';
import type { TelemetryBatch } from '../../src-shared/telemetry.js';

/** One named series of points. */
export interface Series {
  name: string;
  points: [number, number][];
}

/** The chart groups the Cluster and Run views draw. */
export interface TelemetrySeries {
  cpuPercent: Series[];
  memoryGiB: Series[];
  networkMiBps: Series[];
  gpuMemoryGiB: Series[];
  gpuPowerWatts: Series[];
}

const GIB = BYTES_PER.GiB;
const MIB = BYTES_PER.MiB;
/** Buckets per series over the whole window (about a chart's width in pixels). */
export const MAX_BUCKETS = 300;

interface Bucket {
  startMs: number;
  firstMs: number;
  lastMs: number;
  min: number;
  max: number;
  minAtMs: number;
  maxAtMs: number;
}

/** A series as min/max buckets. */
class BucketedSeries {
  readonly buckets: Bucket[] = [];

  constructor(readonly name: string, private readonly bucketMs: number) {}

  add(timestampMs: number, value: number): void {
    const startMs = Math.floor(timestampMs / this.bucketMs) * this.bucketMs;
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.startMs === startMs) {
      last.lastMs = timestampMs;
      if (value < last.min) { last.min = value; last.minAtMs = timestampMs; }
      if (value > last.max) { last.max = value; last.maxAtMs = timestampMs; }
      return;
    }
    this.buckets.push({ startMs, firstMs: timestampMs, lastMs: timestampMs, min: value, max: value, minAtMs: timestampMs, maxAtMs: timestampMs });
  }

  dropBefore(oldestMs: number): void {
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop].lastMs < oldestMs) drop += 1;
    if (drop > 0) this.buckets.splice(0, drop);
  }

  /** The min and max of each bucket, in time order (one point when they coincide). */
  points(): [number, number][] {
    const out: [number, number][] = [];
    for (const b of this.buckets) {
      if (b.minAtMs === b.maxAtMs) out.push([b.minAtMs, b.min]);
      else if (b.minAtMs < b.maxAtMs) out.push([b.minAtMs, b.min], [b.maxAtMs, b.max]);
      else out.push([b.maxAtMs, b.max], [b.minAtMs, b.min]);
    }
    return out;
  }
}

/** Holds the last `windowMs` of samples per series; older points fall off. */
export class TelemetryBuffer {
  private readonly series = new Map<keyof TelemetrySeries, Map<string, BucketedSeries>>();
  private readonly bucketMs: number;
  private pointCount = 0;

  constructor(private readonly windowMs: number) {
    this.bucketMs = Math.max(1, Math.floor(windowMs / MAX_BUCKETS));
  }

  /** Adds every sample of a batch. */
  add(batch: TelemetryBatch): void {
    for (const s of batch.hosts) {
      this.push('cpuPercent', `${s.hostId} CPU`, s.timestampMs, s.cpuUtilisationPercent);
      this.push('memoryGiB', `${s.hostId} used`, s.timestampMs, s.memoryUsedBytes / GIB);
      this.push('networkMiBps', `${s.hostId} rx`, s.timestampMs, s.networkRxBytesPerSecond / MIB);
      this.push('networkMiBps', `${s.hostId} tx`, s.timestampMs, s.networkTxBytesPerSecond / MIB);
    }
    for (const g of batch.gpus) {
      const name = `${g.hostId} GPU${g.gpuIndex}`;
      this.push('gpuMemoryGiB', name, g.timestampMs, g.memoryUsedBytes / GIB);
      if (g.powerWatts !== null) this.push('gpuPowerWatts', name, g.timestampMs, g.powerWatts);
    }
    let newestMs = 0;
    for (const s of batch.hosts) newestMs = Math.max(newestMs, s.timestampMs);
    for (const g of batch.gpus) newestMs = Math.max(newestMs, g.timestampMs);
    for (const group of this.series.values()) for (const s of group.values()) s.dropBefore(newestMs - this.windowMs);
  }

  /** Total samples added since the start (for tests and the status line). */
  get totalPoints(): number {
    return this.pointCount;
  }

  /** A snapshot of every group, as chart points. */
  snapshot(): TelemetrySeries {
    const group = (key: keyof TelemetrySeries): Series[] =>
      [...(this.series.get(key)?.values() ?? [])].map((s) => ({ name: s.name, points: s.points() }));
    return {
      cpuPercent: group('cpuPercent'),
      memoryGiB: group('memoryGiB'),
      networkMiBps: group('networkMiBps'),
      gpuMemoryGiB: group('gpuMemoryGiB'),
      gpuPowerWatts: group('gpuPowerWatts'),
    };
  }

  private push(group: keyof TelemetrySeries, name: string, timestampMs: number, value: number): void {
    const groupMap = this.series.get(group) ?? new Map<string, BucketedSeries>();
    this.series.set(group, groupMap);
    let series = groupMap.get(name);
    if (!series) {
      series = new BucketedSeries(name, this.bucketMs);
      groupMap.set(name, series);
    }
    series.add(timestampMs, value);
    this.pointCount += 1;
  }
}
