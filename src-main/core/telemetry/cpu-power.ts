/**
 * CPU package power of a host per sample: from RAPL energy counters where readable (`measured`),
 * else utilisation x TDP (`estimated`, never shown as measured). Sans-IO: feed readings in.
 */
import type { RaplDomainReading, RaplReading } from './energy.js';
import { estimateCpuPowerWatts, raplEnergyBetween } from './energy.js';

/** Power of one interval and where it came from. */
export interface CpuPower {
  cpuPowerWatts: number | null;
  cpuPowerSource: 'measured' | 'estimated';
}

/**
 * A rough TDP when none is given: ~3 W per logical CPU (server parts are 2-6 W per thread), clamped
 * to 35..400 W. Only ever used for `estimated` figures.
 */
export function defaultTdpWatts(logicalCpus: number): number {
  return Math.min(400, Math.max(35, 3 * Math.max(1, logicalCpus)));
}

/** Turns successive RAPL readings (or their absence) and utilisation into power per interval. */
export class CpuPowerTracker {
  private previous: RaplReading | null = null;

  constructor(private readonly tdpWatts: number | null) {}

  /**
   * Power over the interval that ended with `rapl` (null when RAPL is unreadable) at `cpuUtilisationPercent`.
   * With RAPL but no earlier reading yet, there is no figure for this interval (null, measured).
   */
  next(rapl: RaplReading | null, cpuUtilisationPercent: number, logicalCpus: number): CpuPower {
    if (rapl) {
      const before = this.previous;
      this.previous = rapl;
      const seconds = before ? (rapl.timestampMs - before.timestampMs) / 1000 : 0;
      if (!before || seconds <= 0) return { cpuPowerWatts: null, cpuPowerSource: 'measured' };
      return { cpuPowerWatts: raplEnergyBetween(before, rapl) / seconds, cpuPowerSource: 'measured' };
    }
    this.previous = null;
    const tdp = this.tdpWatts ?? defaultTdpWatts(logicalCpus);
    return { cpuPowerWatts: estimateCpuPowerWatts(cpuUtilisationPercent, tdp), cpuPowerSource: 'estimated' };
  }
}

const packageZone = /\/(intel-rapl:\d+)\/(energy_uj|max_energy_range_uj):(\d+)\s*$/;

/**
 * Reads `grep -H . /sys/class/powercap/intel-rapl:*\/{energy_uj,max_energy_range_uj}` output (as sent
 * by the remote sampler) into a RaplReading; package zones only. Null when no zone had both values.
 */
export function parseRaplGrep(lines: string[], timestampMs: number): RaplReading | null {
  const zones = new Map<string, Partial<RaplDomainReading>>();
  for (const line of lines) {
    const match = packageZone.exec(line.trim());
    if (!match) continue;
    const zone = zones.get(match[1]) ?? { zone: match[1], name: match[1] };
    if (match[2] === 'energy_uj') zone.energyMicrojoules = Number(match[3]);
    else zone.maxEnergyRangeMicrojoules = Number(match[3]);
    zones.set(match[1], zone);
  }
  const domains = [...zones.values()].filter((z): z is RaplDomainReading => z.energyMicrojoules !== undefined && z.maxEnergyRangeMicrojoules !== undefined);
  return domains.length > 0 ? { timestampMs, domains } : null;
}
