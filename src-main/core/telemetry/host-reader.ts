/** Reads host counters for telemetry: /proc on Linux, systeminformation elsewhere. */
import { readFile } from 'node:fs/promises';
import * as si from 'systeminformation';
import { cpuUtilisationPercent, parseMeminfo, parseNetDev, parseProcStat, type CpuTimes } from './proc-parse.js';

/** One reading of the host's counters. */
export interface HostReading {
  timestampMs: number;
  cpuTimes: CpuTimes | null;
  /** Used when cpuTimes is not available (non-Linux): utilisation measured by systeminformation. */
  cpuUtilisationPercent: number | null;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  rxBytes: number;
  txBytes: number;
}

async function readLinux(now: () => number): Promise<HostReading> {
  const [stat, meminfo, netdev] = await Promise.all([
    readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8'), readFile('/proc/net/dev', 'utf8'),
  ]);
  const memory = parseMeminfo(meminfo) ?? { memoryTotalBytes: 0, memoryUsedBytes: 0 };
  const net = parseNetDev(netdev);
  return { timestampMs: now(), cpuTimes: parseProcStat(stat), cpuUtilisationPercent: null, ...memory, rxBytes: net.rxBytes, txBytes: net.txBytes };
}

async function readPortable(now: () => number): Promise<HostReading> {
  const [load, mem, stats] = await Promise.all([si.currentLoad(), si.mem(), si.networkStats('*')]);
  const rxBytes = stats.reduce((sum, s) => sum + (s.rx_bytes || 0), 0);
  const txBytes = stats.reduce((sum, s) => sum + (s.tx_bytes || 0), 0);
  return {
    timestampMs: now(), cpuTimes: null, cpuUtilisationPercent: load.currentLoad,
    memoryUsedBytes: mem.active, memoryTotalBytes: mem.total, rxBytes, txBytes,
  };
}

/** Reads the host's counters once. */
export function readHost(now: () => number = Date.now): Promise<HostReading> {
  return process.platform === 'linux' ? readLinux(now) : readPortable(now);
}

/** CPU utilisation between two readings. */
export function utilisationBetween(before: HostReading, after: HostReading): number {
  if (before.cpuTimes && after.cpuTimes) return cpuUtilisationPercent(before.cpuTimes, after.cpuTimes);
  return after.cpuUtilisationPercent ?? 0;
}
