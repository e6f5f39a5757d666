/**
 * Who controls a running run: host name, pid and the process start time (so a reused pid is not
 * mistaken for the controller). A run whose controller is gone is `interrupted`, not `running`.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** The identity recorded with a run when it starts. */
export interface ControllerIdentity {
  host: string;
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux /proc), or '' where unknown. */
  startTicks: string;
}

/** A heartbeat older than this means the controller is gone (used where the pid cannot be checked). */
export const HEARTBEAT_STALE_MS = 60_000;
/** How often a controller refreshes the heartbeat of its runs. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/** Start time of a process from /proc/<pid>/stat (field 22), or '' where /proc does not say. */
export function processStartTicks(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** This process as a controller. */
export function currentController(): ControllerIdentity {
  return { host: hostname(), pid: process.pid, startTicks: processStartTicks(process.pid) };
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the recorded controller may still be driving the run. */
export function isControllerAlive(identity: Partial<ControllerIdentity> | null, heartbeatAtMs: number | null, nowMs: number): boolean {
  if (!identity?.pid || !identity.host) return false; // recorded by a version without identities: nobody drives it now
  if (identity.host !== hostname()) return heartbeatAtMs !== null && nowMs - heartbeatAtMs < HEARTBEAT_STALE_MS;
  if (identity.pid === process.pid && identity.startTicks === processStartTicks(process.pid)) return true;
  if (!isPidAlive(identity.pid)) return false;
  const ticks = processStartTicks(identity.pid);
  return identity.startTicks === '' || ticks === '' || ticks === identity.startTicks;
}
