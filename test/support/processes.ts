/** Process checks for tests that must prove nothing is left running (reads /proc; root can read every environ). */
import { readdirSync, readFileSync } from 'node:fs';

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True while a process runs: it exists and is not a zombie waiting for its parent to reap it. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function pids(): string[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d));
}

/** Pids of live processes whose environment carries this run id (every rank gets SHARDSCOPE_RUN_ID). */
export function processesOfRun(runId: string): number[] {
  return pids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`SHARDSCOPE_RUN_ID=${runId}`);
    } catch {
      return false;
    }
  }).map(Number);
}

/** Pids of the direct children of a process. */
export function childrenOf(parent: number): number[] {
  return pids().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
    } catch {
      return false;
    }
  }).map(Number);
}
