/**
 * A stored run's energy over time, from its power series as the store downsampled them: each
 * series' bucket means integrated over the time between buckets (a gap longer than 3 typical steps is
 * not bridged, as in the store's own energy), CPU power of every host and power of the GPUs the run
 * used summed separately. Pure: series in, cumulative points out.
 */
import type { DownsampledSeries } from '../../src-shared/run-record.js';
import type { RunEnergyPoint } from '../../src-shared/run-live.js';

/** Cumulative joules of one series at each of its bucket times. */
function cumulative(series: DownsampledSeries): { timestampMs: number; joules: number }[] {
  const b = series.buckets;
  const steps = b.slice(1).map((x, i) => x.startMs - b[i].startMs).sort((x, y) => x - y);
  const maxGapMs = 3 * (steps[Math.floor(steps.length / 2)] ?? 0);
  const out: { timestampMs: number; joules: number }[] = [];
  let joules = 0;
  for (let i = 0; i < b.length; i += 1) {
    if (i > 0) {
      const spanMs = b[i].startMs - b[i - 1].startMs;
      if (spanMs > 0 && spanMs <= maxGapMs) joules += ((b[i - 1].avg + b[i].avg) / 2) * (spanMs / 1000);
    }
    out.push({ timestampMs: b[i].startMs, joules });
  }
  return out;
}

/** Value of a cumulative trace at `t` (its last point at or before t). */
function at(trace: { timestampMs: number; joules: number }[], t: number): number {
  let value = 0;
  for (const p of trace) {
    if (p.timestampMs > t) break;
    value = p.joules;
  }
  return value;
}

/** The energy history of a stored run (empty without power series). */
export function energyHistoryOf(series: DownsampledSeries[]): RunEnergyPoint[] {
  const cpu = series.filter((s) => s.metric === 'cpuPowerWatts' && s.gpuIndex === null);
  const gpu = series.filter((s) => s.metric === 'powerWatts' && s.gpuIndex !== null);
  const cpuTraces = cpu.map(cumulative);
  const gpuTraces = gpu.map(cumulative);
  const times = [...new Set([...cpuTraces, ...gpuTraces].flatMap((t) => t.map((p) => p.timestampMs)))].sort((a, b) => a - b);
  const cpuSource = cpu.length === 0 ? null : cpu.some((s) => s.source === 'estimated') ? 'estimated' : 'measured';
  return times.map((t) => ({
    timestampMs: t,
    cpuJoules: cpuTraces.reduce((sum, trace) => sum + at(trace, t), 0),
    gpuJoules: gpuTraces.reduce((sum, trace) => sum + at(trace, t), 0),
    cpuSource,
  }));
}
