/** Rolling window of live samples, kept as [timestampMs, value] series ready for charts. */
import type { TelemetryBatch } from '../../src-shared/telemetry.js';

/** One named series of points. */
export interface Series {
  name: string;
  points: [number, number][];
}

/** The chart groups the Cluster view draws. */
export interface TelemetrySeries {
  cpuPercent: Series[];
  memoryGiB: Series[];
  networkMBps: Series[];
  gpuMemoryGiB: Series[];
  gpuPowerWatts: Series[];
}

const GIB = 1024 ** 3;
const MB = 1e6;

/** Holds the last `windowMs` of samples per series; older points fall off. */
export class TelemetryBuffer {
  private readonly series = new Map<string, Map<string, Series>>();
  private pointCount = 0;

  constructor(private readonly windowMs: number) {}

  /** Adds every sample of a batch. */
  add(batch: TelemetryBatch): void {
    for (const s of batch.hosts) {
      this.push('cpuPercent', `${s.hostId} CPU`, s.timestampMs, s.cpuUtilisationPercent);
      this.push('memoryGiB', `${s.hostId} used`, s.timestampMs, s.memoryUsedBytes / GIB);
      this.push('networkMBps', `${s.hostId} rx`, s.timestampMs, s.networkRxBytesPerSecond / MB);
      this.push('networkMBps', `${s.hostId} tx`, s.timestampMs, s.networkTxBytesPerSecond / MB);
    }
    for (const g of batch.gpus) {
      const name = `${g.hostId} GPU${g.gpuIndex}`;
      this.push('gpuMemoryGiB', name, g.timestampMs, g.memoryUsedBytes / GIB);
      if (g.powerWatts !== null) this.push('gpuPowerWatts', name, g.timestampMs, g.powerWatts);
    }
  }

  /** Total points added since the start (for tests and the status line). */
  get totalPoints(): number {
    return this.pointCount;
  }

  /** A snapshot of every group. */
  snapshot(): TelemetrySeries {
    const group = (key: keyof TelemetrySeries) => [...(this.series.get(key)?.values() ?? [])];
    return {
      cpuPercent: group('cpuPercent'),
      memoryGiB: group('memoryGiB'),
      networkMBps: group('networkMBps'),
      gpuMemoryGiB: group('gpuMemoryGiB'),
      gpuPowerWatts: group('gpuPowerWatts'),
    };
  }

  private push(group: keyof TelemetrySeries, name: string, timestampMs: number, value: number): void {
    const groupMap = this.series.get(group) ?? new Map<string, Series>();
    this.series.set(group, groupMap);
    const series = groupMap.get(name) ?? { name, points: [] };
    groupMap.set(name, series);
    series.points.push([timestampMs, value]);
    this.pointCount += 1;
    const oldest = timestampMs - this.windowMs;
    let drop = 0;
    while (drop < series.points.length && series.points[drop][0] < oldest) drop += 1;
    if (drop > 0) series.points.splice(0, drop);
  }
}
