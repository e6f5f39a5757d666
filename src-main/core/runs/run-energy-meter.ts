/**
 * Energy of the running run so far, for the live view: each host's CPU power and each GPU's power
 * integrated as samples arrive (trapezoid between consecutive samples of the same source, gaps
 * longer than `maxGapMs` not bridged — the same rule as the stored run's energy).
 */
import type { RunEnergyPoint } from '../../../src-shared/run-live.js';
import type { SampleSource, TelemetryBatch } from '../../../src-shared/telemetry.js';
import { integratePower, type PowerPoint } from '../telemetry/energy.js';

/** Accumulates joules per power source (a host's CPU, a GPU). */
export class RunEnergyMeter {
  private readonly last = new Map<string, PowerPoint>();
  private cpuJoules = 0;
  private gpuJoules = 0;
  private cpuSource: SampleSource | null = null;
  private latestMs = 0;

  constructor(private readonly maxGapMs: number) {}

  /** Adds a batch of samples. */
  add(batch: TelemetryBatch): void {
    for (const host of batch.hosts) {
      if (typeof host.cpuPowerWatts !== 'number') continue;
      this.cpuSource = host.cpuPowerSource ?? 'estimated';
      this.cpuJoules += this.step(`cpu:${host.hostId}`, { timestampMs: host.timestampMs, powerWatts: host.cpuPowerWatts });
    }
    for (const gpu of batch.gpus) {
      this.gpuJoules += this.step(`gpu:${gpu.hostId}:${gpu.gpuIndex}`, { timestampMs: gpu.timestampMs, powerWatts: gpu.powerWatts });
    }
  }

  /** Joules so far. */
  snapshot(): RunEnergyPoint {
    return { timestampMs: this.latestMs, cpuJoules: this.cpuJoules, gpuJoules: this.gpuJoules, cpuSource: this.cpuSource };
  }

  private step(key: string, point: PowerPoint): number {
    const previous = this.last.get(key);
    this.last.set(key, point);
    this.latestMs = Math.max(this.latestMs, point.timestampMs);
    return previous ? integratePower([previous, point], { maxGapMs: this.maxGapMs }).energyJoules : 0;
  }
}
