/** Pure readers of Linux /proc files for host telemetry: CPU time, memory, network byte counters. */

/** Aggregate CPU time counters from /proc/stat (clock ticks). */
export interface CpuTimes {
  idleTicks: number;
  totalTicks: number;
}

/** Reads the aggregate "cpu" line of /proc/stat; null when absent. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  if (values.length < 4 || values.some((v) => !Number.isFinite(v))) return null;
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
  return { idleTicks: idle + iowait, totalTicks: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** CPU utilisation in percent between two /proc/stat readings. */
export function cpuUtilisationPercent(before: CpuTimes, after: CpuTimes): number {
  const total = after.totalTicks - before.totalTicks;
  if (total <= 0) return 0;
  const busy = total - (after.idleTicks - before.idleTicks);
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

/** Memory totals from /proc/meminfo, in bytes; used = total - available. */
export function parseMeminfo(text: string): { memoryTotalBytes: number; memoryUsedBytes: number } | null {
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable') ?? kib('MemFree');
  if (total === null || available === null) return null;
  return { memoryTotalBytes: total, memoryUsedBytes: Math.max(0, total - available) };
}

/** Received and transmitted byte counters summed over interfaces of /proc/net/dev, loopback excluded. */
export function parseNetDev(text: string): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n')) {
    const match = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!match || match[1] === 'lo') continue;
    const fields = match[2].trim().split(/\s+/).map(Number);
    if (fields.length < 9) continue;
    rxBytes += fields[0];
    txBytes += fields[8];
  }
  return { rxBytes, txBytes };
}
