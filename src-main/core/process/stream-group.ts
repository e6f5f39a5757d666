/**
 * The streaming sibling of runCapped: a long-lived external command (an nvidia-smi stream, a sampler
 * loop) run as the leader of its own process group, its stdout passed on line by line with a cap on
 * the length of a line. A line past the cap, stop() and our own exit end the whole group; stop()
 * resolves only once the command has exited (SIGTERM to the group, SIGKILL after a grace period).
 */
import { spawn } from 'node:child_process';
import { CappedLineSplitter, DEFAULT_MAX_LINE_CHARS, lineCutNote } from './capped-lines.js';
import { signalGroup, trackGroup, untrackGroup } from './process-group.js';

/** How to run one stream. */
export interface GroupStreamOptions {
  env?: NodeJS.ProcessEnv;
  /** Longest stdout line read; past it the group is killed and the end reason says the output was cut. */
  maxLineChars?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 2000 ms). */
  killGraceMs?: number;
  onLine(line: string): void;
  /** Called once when the command is over: exit code or signal, the last stderr line, a cut note. */
  onEnd(reason: string): void;
}

/** A running stream. */
export interface GroupStream {
  /** Pid of the command (= its process group id) while it runs. */
  readonly pid: number | undefined;
  /** Ends the group; resolves once the command has exited. */
  stop(): Promise<void>;
}

const MAX_STDERR_LINE_CHARS = 300;

/** Starts `command args` in its own process group. */
export function startGroupStream(command: string, args: readonly string[], options: GroupStreamOptions): GroupStream {
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const killGraceMs = options.killGraceMs ?? 2000;
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, env: options.env ?? process.env });
  const pid = child.pid;
  trackGroup(pid);
  const splitter = new CappedLineSplitter(maxLineChars);
  let lastStderrLine = '';
  let spawnError: Error | undefined;
  let isRunning = pid !== undefined;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const { lines, isCut } = splitter.push(chunk);
    lines.forEach((line) => options.onLine(line));
    if (isCut) signalGroup(pid); // nothing more of it will be read: stop it rather than drain it
  });
  child.stderr.on('data', (chunk: string) => {
    const lines = chunk.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length > 0) lastStderrLine = lines[lines.length - 1].trim().slice(0, MAX_STDERR_LINE_CHARS);
  });
  child.on('error', (error) => { spawnError = error; });
  const closed = new Promise<void>((resolve) => {
    child.on('close', (code, signal) => {
      isRunning = false;
      untrackGroup(pid);
      signalGroup(pid); // anything it left behind in its group
      splitter.flush().forEach((line) => options.onLine(line));
      const why = spawnError ? spawnError.message : `exit code ${code ?? 'none'}${signal ? `, signal ${signal}` : ''}`;
      options.onEnd(`${why}${lastStderrLine ? `: ${lastStderrLine}` : ''}${splitter.isCut ? ` ${lineCutNote(maxLineChars)}` : ''}`);
      resolve();
    });
  });
  return {
    get pid() {
      return isRunning ? pid : undefined;
    },
    async stop() {
      if (isRunning) {
        const forceKill = setTimeout(() => signalGroup(pid, 'SIGKILL'), killGraceMs);
        signalGroup(pid, 'SIGTERM');
        await closed;
        clearTimeout(forceKill);
      } else {
        await closed;
      }
    },
  };
}
