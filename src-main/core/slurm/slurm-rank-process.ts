/**
 * A rank of a Slurm job as the run controller sees a process: its stdout/stderr are the rank's
 * output files in the job folder, followed with `tail -F` on the login host; it exits when its
 * exit-code marker line arrives, or when the job ends without one; killing it cancels the job.
 */
import { PassThrough } from 'node:stream';
import type { RankExit, RankProcess } from '../launch/spawner.js';
import { RANK_EXIT_MARKER } from './sbatch-script.js';
import type { SlurmShell } from './slurm-shell.js';

/** How a rank learns that its job is over, and how it cancels the job. */
export interface SlurmRankContext {
  shell: SlurmShell;
  jobId: string;
  jobDir: string;
  /** Resolves with the job's final state once it ends. */
  jobEnded: Promise<string>;
  /** Cancels the whole job (scancel, once). */
  cancel: () => void;
  /** Time the output followers get to deliver the last lines once the job has ended (default 2000 ms). */
  drainMs?: number;
}

/** The rank `rank` of the job. */
export function slurmRankProcess(context: SlurmRankContext, rank: number): RankProcess {
  const { shell, jobDir } = context;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = shell.stream(['tail', '-n', '+1', '-F', `${jobDir}/rank-${rank}.out`]);
  const err = shell.stream(['tail', '-n', '+1', '-F', `${jobDir}/rank-${rank}.err`]);
  let settle: (exit: RankExit) => void = () => undefined;
  const exited = new Promise<RankExit>((resolve) => { settle = resolve; });
  let isDone = false;
  const finish = (exit: RankExit) => {
    if (isDone) return;
    isDone = true;
    out.stop();
    stdout.end();
    // stderr may trail stdout a little: give its follower a moment.
    setTimeout(() => {
      err.stop();
      stderr.end();
      settle(exit);
    }, 300).unref();
  };
  let pending = '';
  out.stdout.setEncoding('utf8');
  out.stdout.on('data', (chunk: string) => {
    if (isDone) return;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(RANK_EXIT_MARKER)) return finish({ code: Number(line.slice(RANK_EXIT_MARKER.length)), signal: null });
      stdout.write(`${line}\n`);
    }
  });
  err.stdout.pipe(stderr, { end: false });
  void context.jobEnded.then((state) => setTimeout(() => finish({
    code: null, signal: state === 'CANCELLED' ? 'SIGTERM' : null,
    reason: `slurm job ${context.jobId} ended ${state} before rank ${rank} finished`,
  }), context.drainMs ?? 2000).unref());
  return { pid: -1, stdout, stderr, kill: () => context.cancel(), exited };
}
