/**
 * Sans-IO reading of the host sampler's /proc loop: each tick is ONE `grep -H ''` over /proc/uptime,
 * /proc/stat, /proc/meminfo, /proc/net/dev and the readable RAPL counters (every line prefixed with its
 * file: one process per tick, not one per file), then `@@end`. Frames become host samples with rates
 * computed over the host's own uptime clock, so SSH latency jitter does not distort them.
 */
import type { HostSample } from '../../../src-shared/telemetry.js';
import { cpuUtilisationPercent, parseMeminfo, parseNetDev, parseProcStat, type CpuTimes } from './proc-parse.js';
import { CpuPowerTracker, parseRaplGrep } from './cpu-power.js';

/** The shell loop run on the host; `sleepSeconds` is a plain number, checked here. */
export function procLoopScript(sleepSeconds: number): string {
  if (!(sleepSeconds > 0 && sleepSeconds < 3600)) throw new RangeError(`bad /proc loop interval ${sleepSeconds}`);
  const seconds = sleepSeconds.toFixed(3);
  const rapl = '/sys/class/powercap/intel-rapl:*';
  // Without RAPL the glob stays literal and `[ -r ]` fails: the counters are left out of the grep.
  return [
    'echo "@@pid $$"',
    `while :; do set -- ${rapl}/energy_uj ${rapl}/max_energy_range_uj; [ -r "$1" ] || set --; grep -H '' /proc/uptime /proc/stat /proc/meminfo /proc/net/dev "$@" 2>/dev/null; echo @@end || exit 0; sleep ${seconds}; done`,
  ].join('; ');
}

/** One tick of the loop. */
export interface ProcFrame {
  uptimeSeconds: number;
  cpuTimes: CpuTimes | null;
  logicalCpus: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  rxBytes: number;
  txBytes: number;
  raplLines: string[];
}

type Section = 'uptime' | 'stat' | 'meminfo' | 'netdev' | 'rapl';
const fileSections: [string, Section][] = [['/proc/uptime:', 'uptime'], ['/proc/stat:', 'stat'], ['/proc/meminfo:', 'meminfo'], ['/proc/net/dev:', 'netdev']];

/** Collects lines into frames; returns a frame on each `@@end` (null for an incomplete one). */
export class ProcLoopParser {
  private text: Record<Section, string[]> = { uptime: [], stat: [], meminfo: [], netdev: [], rapl: [] };

  /** Reads one line; returns the frame it completed, if any. */
  pushLine(line: string): ProcFrame | null {
    if (line.trim() === '@@end') return this.finish();
    for (const [prefix, section] of fileSections) {
      if (line.startsWith(prefix)) { this.text[section].push(line.slice(prefix.length)); return null; }
    }
    if (line.startsWith('/sys/class/powercap/')) this.text.rapl.push(line); // kept whole: `FILE:VALUE` is what parseRaplGrep reads
    return null;
  }

  private finish(): ProcFrame | null {
    const text = this.text;
    this.text = { uptime: [], stat: [], meminfo: [], netdev: [], rapl: [] };
    const uptimeSeconds = Number((text.uptime[0] ?? '').trim().split(/\s+/)[0]);
    const statText = text.stat.join('\n');
    const memory = parseMeminfo(text.meminfo.join('\n'));
    if (!Number.isFinite(uptimeSeconds) || !memory) return null;
    const net = parseNetDev(text.netdev.join('\n'));
    return {
      uptimeSeconds,
      cpuTimes: parseProcStat(statText),
      logicalCpus: text.stat.filter((l) => /^cpu\d+\s/.test(l)).length,
      ...memory,
      rxBytes: net.rxBytes,
      txBytes: net.txBytes,
      raplLines: text.rapl,
    };
  }
}

/** Turns successive frames into host samples (the first frame only primes the counters). */
export class RemoteHostRates {
  private previous: ProcFrame | null = null;
  private readonly power: CpuPowerTracker;

  constructor(private readonly hostId: string, tdpWatts: number | null) {
    this.power = new CpuPowerTracker(tdpWatts);
  }

  /** Forgets the previous frame (after a reconnect: rates never span a gap). */
  reset(): void {
    this.previous = null;
  }

  /** The sample for the interval ending at `frame`, received at `timestampMs`; null for the first. */
  next(frame: ProcFrame, timestampMs: number): HostSample | null {
    const before = this.previous;
    this.previous = frame;
    const seconds = before ? frame.uptimeSeconds - before.uptimeSeconds : 0;
    // RAPL timestamps on the remote clock too (uptime, ms), for the same reason as the rates.
    const rapl = parseRaplGrep(frame.raplLines, frame.uptimeSeconds * 1000);
    if (!before || seconds <= 0) {
      this.power.next(rapl, 0, frame.logicalCpus);
      return null;
    }
    const cpu = before.cpuTimes && frame.cpuTimes ? cpuUtilisationPercent(before.cpuTimes, frame.cpuTimes) : 0;
    const power = this.power.next(rapl, cpu, frame.logicalCpus);
    return {
      hostId: this.hostId,
      timestampMs,
      cpuUtilisationPercent: cpu,
      memoryUsedBytes: frame.memoryUsedBytes,
      memoryTotalBytes: frame.memoryTotalBytes,
      networkRxBytesPerSecond: Math.max(0, (frame.rxBytes - before.rxBytes) / seconds),
      networkTxBytesPerSecond: Math.max(0, (frame.txBytes - before.txBytes) / seconds),
      cpuPowerWatts: power.cpuPowerWatts,
      cpuPowerSource: power.cpuPowerSource,
    };
  }
}
