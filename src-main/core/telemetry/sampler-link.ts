/**
 * What the host sampler runs its scripts through: a launcher opens links to one host (this machine:
 * `sh -c` children in their own process groups; an SSH host: exec channels of one connection), and
 * the reconnect supervisor opens a new link when one breaks.
 */
import { PID_LINE } from './sampler-commands.js';
import type { StreamLauncher, StreamSink } from './sampler-stream.js';

/** Reports a script's process group (from its `@@pid` line) as running, then as gone. */
export type PidListener = (pid: number, isRunning: boolean) => void;

/** How a one-shot script ended (exitCode -1: it could not be run). */
export interface LinkRunResult {
  exitCode: number | null;
  stdout: string;
}

/** One open way of running the sampler's scripts on a host. */
export interface SamplerLink {
  /** A launcher for one long-lived script; its `@@pid` line goes to `onPid`, the other lines to the sink. */
  stream(script: string, onPid: PidListener): StreamLauncher;
  /** Runs a one-shot script to completion, with a time limit and capped output. */
  run(script: string, timeoutMs: number, signal?: AbortSignal): Promise<LinkRunResult>;
  /** Ends these process groups (started through an earlier link to the same host, or this one). */
  killGroups(pids: readonly number[]): Promise<void>;
  /** `listener` is called once if the link breaks (never for this machine). */
  onLost(listener: (why: string) => void): void;
  /** Closes the link (after its streams were stopped); not gracefully after a loss. */
  close(isGraceful?: boolean): Promise<void>;
}

/** Where nvidia-smi is on the host, or why GPU telemetry is off (off: null, silently: there is none). */
export type SmiChoice = { path: string } | { off: string | null };

/** Opens links to one host. */
export interface SamplerLauncher {
  /** What a link is, in notices ("SSH connection"). */
  readonly linkName: string;
  /** Whether a link can drop or go silent and must be re-opened (an SSH connection can; this machine cannot). */
  readonly canBeLost: boolean;
  readonly smi: SmiChoice;
  connect(signal: AbortSignal): Promise<SamplerLink>;
}

/** A sink that takes a script's first `@@pid N` line as its process group and passes every other line on. */
export function pidSplittingSink(sink: StreamSink, onPid: PidListener): StreamSink & { readonly pid: number | undefined } {
  let pid: number | undefined;
  return {
    get pid() { return pid; },
    onLine(line) {
      const match = pid === undefined ? PID_LINE.exec(line) : null;
      if (match) { pid = Number(match[1]); onPid(pid, true); } else sink.onLine(line);
    },
    onEnd(reason) {
      if (pid !== undefined) onPid(pid, false);
      sink.onEnd(reason);
    },
  };
}
