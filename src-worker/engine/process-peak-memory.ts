/** The rank process's own peak resident memory (VmHWM), the figure a prediction of per-rank memory is checked against. */
import { readFileSync } from 'node:fs';

/** VmHWM of this process in bytes from /proc/self/status, or null where /proc is not readable (not Linux). */
export function processPeakMemoryBytes(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
