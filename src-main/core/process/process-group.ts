/**
 * Process groups of the external commands we start (nvidia-smi probes and streams): each runs as the
 * leader of its own group, so one signal to the group reaches everything it started, children holding
 * its pipes included. Groups still alive when this process exits are killed then.
 */

/** Process groups of commands still running: killed if this process exits first. */
const liveGroups = new Set<number>();
let isExitHookInstalled = false;

/** Sends `signal` to the whole group led by `pid` (ignores a group already gone). */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Remembers a running group, so our own exit kills it. */
export function trackGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  if (!isExitHookInstalled) {
    isExitHookInstalled = true;
    process.on('exit', () => { for (const live of liveGroups) signalGroup(live); });
  }
  liveGroups.add(pid);
}

/** Forgets a group that has ended. */
export function untrackGroup(pid: number | undefined): void {
  if (pid !== undefined) liveGroups.delete(pid);
}
