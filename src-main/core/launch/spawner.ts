/** How the run controller starts a rank's process: injected, so a remote (SSH) spawner can plug in later. */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** What to start for one rank. The env holds the run secret: it must never be logged or put in argv. */
export interface SpawnRequest {
  rank: number;
  command: string;
  /** True when `command` is the local worker runtime and args[0] the worker bundle: a remote spawner runs the bundle with the host's Node.js. */
  isWorker?: boolean;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** How a rank's process ended. */
export interface RankExit {
  code: number | null;
  signal: string | null;
  /** Why the rank is gone when it is not a plain exit (e.g. a remote host that went silent). */
  reason?: string;
}

/** A started rank: its streams, a way to stop it (and everything it started), and its end. */
export interface RankProcess {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** Signals the rank's whole process group. */
  kill(signal: NodeJS.Signals): void;
  exited: Promise<RankExit>;
}

/** Starts rank processes. */
export type Spawner = (request: SpawnRequest) => RankProcess;

/**
 * Local spawner: a child in its own process group (so kill reaches any grandchildren), stdin kept
 * open as a lifeline — the worker exits when it closes, i.e. when this controller dies.
 */
export const localSpawner: Spawner = (request) => {
  const child = spawn(request.command, request.args, {
    cwd: request.cwd, env: { ...process.env, ...request.env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true,
  });
  const exited = new Promise<RankExit>((resolve) => {
    child.once('error', () => resolve({ code: 127, signal: null }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.stdin.on('error', () => undefined);
  return {
    pid: child.pid ?? -1,
    stdout: child.stdout,
    stderr: child.stderr,
    kill(signal) {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
    },
    exited,
  };
};
