/**
 * Energy maths, pure: power integrated over time (trapezoid rule, gaps not bridged), RAPL counter
 * deltas with wraparound, CPU power estimated from utilisation x TDP, and per-run totals.
 */
import type { GpuSample, HostSample, SampleSource } from '../../../src-shared/telemetry.js';
import type { HostEnergy, RunEnergy } from '../../../src-shared/run-record.js';

/** One power reading. */
export interface PowerPoint {
  timestampMs: number;
  powerWatts: number | null;
}

/** Energy integrated from a power trace and the stretches where it could not be. */
export interface IntegratedEnergy {
  energyJoules: number;
  /** Time covered by consecutive samples close enough to integrate between. */
  coveredSeconds: number;
  /** Time between samples further apart than the gap limit (or around missing readings). */
  gapSeconds: number;
  gaps: { startMs: number; endMs: number }[];
  samples: number;
}

/** Options of the integration. */
export interface IntegrateOptions {
  /** Two samples further apart than this are a gap, not integrated (default 3x the median interval). */
  maxGapMs?: number;
}

function medianIntervalMs(points: PowerPoint[]): number {
  const intervals: number[] = [];
  for (let i = 1; i < points.length; i += 1) intervals.push(points[i].timestampMs - points[i - 1].timestampMs);
  if (intervals.length === 0) return 0;
  intervals.sort((a, b) => a - b);
  return intervals[Math.floor(intervals.length / 2)];
}

/**
 * Integrates power over time with the trapezoid rule. Points are sorted by time; a missing reading
 * (null) or an interval longer than the gap limit is counted as gap time and not bridged.
 */
export function integratePower(trace: PowerPoint[], options: IntegrateOptions = {}): IntegratedEnergy {
  const points = [...trace].sort((a, b) => a.timestampMs - b.timestampMs);
  const maxGapMs = options.maxGapMs ?? 3 * medianIntervalMs(points.filter((p) => p.powerWatts !== null));
  const result: IntegratedEnergy = { energyJoules: 0, coveredSeconds: 0, gapSeconds: 0, gaps: [], samples: points.length };
  for (let i = 1; i < points.length; i += 1) {
    const a = points[i - 1];
    const b = points[i];
    const spanMs = b.timestampMs - a.timestampMs;
    if (spanMs <= 0) continue;
    if (a.powerWatts === null || b.powerWatts === null || spanMs > maxGapMs) {
      result.gapSeconds += spanMs / 1000;
      const last = result.gaps[result.gaps.length - 1];
      if (last && last.endMs === a.timestampMs) last.endMs = b.timestampMs;
      else result.gaps.push({ startMs: a.timestampMs, endMs: b.timestampMs });
      continue;
    }
    result.energyJoules += ((a.powerWatts + b.powerWatts) / 2) * (spanMs / 1000);
    result.coveredSeconds += spanMs / 1000;
  }
  return result;
}

/** Energy of each GPU (keyed `host/gpuIndex`) and of each host's GPUs together. */
export interface GpuEnergyBreakdown {
  perGpu: Map<string, IntegratedEnergy>;
  perHostJoules: Map<string, number>;
  totalJoules: number;
  gapSeconds: number;
}

/** Integrates the power of every GPU found in the samples, separately, then sums per host. */
export function integrateGpuSamples(samples: GpuSample[], options: IntegrateOptions = {}): GpuEnergyBreakdown {
  const traces = new Map<string, { host: string; points: PowerPoint[] }>();
  for (const sample of samples) {
    const key = `${sample.hostId}/${sample.gpuIndex}`;
    const trace = traces.get(key) ?? { host: sample.hostId, points: [] };
    trace.points.push({ timestampMs: sample.timestampMs, powerWatts: sample.powerWatts });
    traces.set(key, trace);
  }
  const result: GpuEnergyBreakdown = { perGpu: new Map(), perHostJoules: new Map(), totalJoules: 0, gapSeconds: 0 };
  for (const [key, trace] of traces) {
    const energy = integratePower(trace.points, options);
    result.perGpu.set(key, energy);
    result.perHostJoules.set(trace.host, (result.perHostJoules.get(trace.host) ?? 0) + energy.energyJoules);
    result.totalJoules += energy.energyJoules;
    result.gapSeconds += energy.gapSeconds;
  }
  return result;
}

/** One RAPL energy counter as read from /sys/class/powercap. */
export interface RaplDomainReading {
  /** Zone directory, e.g. `intel-rapl:0`. */
  zone: string;
  /** Zone name, e.g. `package-0`. */
  name: string;
  energyMicrojoules: number;
  maxEnergyRangeMicrojoules: number;
}

/** All package counters of a host at one moment. */
export interface RaplReading {
  timestampMs: number;
  domains: RaplDomainReading[];
}

/** Joules between two readings of one counter; a smaller second value means it wrapped at the range. */
export function raplDeltaJoules(beforeMicrojoules: number, afterMicrojoules: number, maxEnergyRangeMicrojoules: number): number {
  const delta = afterMicrojoules >= beforeMicrojoules
    ? afterMicrojoules - beforeMicrojoules
    : maxEnergyRangeMicrojoules - beforeMicrojoules + afterMicrojoules;
  return delta / 1e6;
}

/** CPU energy between two readings, summed over the package zones present in both. */
export function raplEnergyBetween(before: RaplReading, after: RaplReading): number {
  let joules = 0;
  for (const domain of after.domains) {
    const earlier = before.domains.find((d) => d.zone === domain.zone);
    if (earlier) joules += raplDeltaJoules(earlier.energyMicrojoules, domain.energyMicrojoules, domain.maxEnergyRangeMicrojoules);
  }
  return joules;
}

/** CPU energy over a sequence of readings, and the mean power between consecutive ones. */
export function raplEnergy(readings: RaplReading[]): { energyJoules: number; power: PowerPoint[]; source: SampleSource } {
  const sorted = [...readings].sort((a, b) => a.timestampMs - b.timestampMs);
  let energyJoules = 0;
  const power: PowerPoint[] = [];
  for (let i = 1; i < sorted.length; i += 1) {
    const joules = raplEnergyBetween(sorted[i - 1], sorted[i]);
    energyJoules += joules;
    const seconds = (sorted[i].timestampMs - sorted[i - 1].timestampMs) / 1000;
    if (seconds > 0) power.push({ timestampMs: sorted[i].timestampMs, powerWatts: joules / seconds });
  }
  return { energyJoules, power, source: 'measured' };
}

/** CPU power estimated from utilisation x TDP (a model, always labelled `estimated`). */
export function estimateCpuPowerWatts(cpuUtilisationPercent: number, tdpWatts: number): number {
  return (Math.min(100, Math.max(0, cpuUtilisationPercent)) / 100) * tdpWatts;
}

/** CPU energy of one host estimated from its utilisation samples and the CPU's TDP. */
export function estimateCpuEnergy(samples: HostSample[], tdpWatts: number, options: IntegrateOptions = {}): IntegratedEnergy & { source: SampleSource } {
  const points = samples.map((s) => ({ timestampMs: s.timestampMs, powerWatts: estimateCpuPowerWatts(s.cpuUtilisationPercent, tdpWatts) }));
  return { ...integratePower(points, options), source: 'estimated' };
}

/** Inputs of a run's energy figures. */
export interface RunEnergyInputs {
  gpuJoules: number;
  cpuJoules: number;
  cpuSource: SampleSource | null;
  gapSeconds: number;
  steps: number;
  tokens: number;
  perHost?: HostEnergy[];
}

/** A run's energy: total, split GPU/CPU, per step and per token (null when there were none). */
export function runEnergy(inputs: RunEnergyInputs): RunEnergy {
  const totalJoules = inputs.gpuJoules + inputs.cpuJoules;
  return {
    totalJoules,
    gpuJoules: inputs.gpuJoules,
    cpuJoules: inputs.cpuJoules,
    gpuSource: 'integrated',
    cpuSource: inputs.cpuSource,
    gapSeconds: inputs.gapSeconds,
    joulesPerStep: inputs.steps > 0 ? totalJoules / inputs.steps : null,
    joulesPerToken: inputs.tokens > 0 ? totalJoules / inputs.tokens : null,
    ...(inputs.perHost ? { perHost: inputs.perHost } : {}),
  };
}
