/**
 * Watches a job until it ends: its state (PENDING with its reason, RUNNING, then the final
 * state) and, once it runs, the state of its nodes (a node drained or going down mid-job),
 * polled from the login host every `pollMs`. Reports changes only.
 */
import { TERMINAL_JOB_STATES, type SlurmJobStatus, type SlurmNode } from '../../../src-shared/slurm.js';
import { jobStatus } from './slurm-job.js';
import { parseNode, parseScontrolRecords } from './slurm-parse.js';
import type { SlurmShell } from './slurm-shell.js';

/** What the watcher reports. */
export interface SlurmWatchOptions {
  shell: SlurmShell;
  jobId: string;
  pollMs?: number;
  onStatus?: (status: SlurmJobStatus) => void;
  onNode?: (node: SlurmNode) => void;
  /** A poll failed (the login host did not answer); the watcher keeps trying. */
  onPollError?: (error: Error) => void;
}

/** A running watch. */
export interface SlurmWatch {
  /** Resolves with the status once the job runs (nodes allocated), or ends without running. */
  started: Promise<SlurmJobStatus>;
  /** Resolves with the final status. */
  ended: Promise<SlurmJobStatus>;
  /** The last status seen. */
  current(): SlurmJobStatus | null;
  stop(): void;
}

/** True once a state is final. */
export function isTerminalState(state: string): boolean {
  return TERMINAL_JOB_STATES.includes(state);
}

/** The part of a node's state that is not its allocation (drain, down, fail, not responding ...): what a run must hear about. */
export function healthOf(state: string): string {
  const allocation = ['idle', 'mixed', 'allocated', 'completing', 'planned'];
  return state.split('+').filter((flag) => !allocation.includes(flag)).join('+');
}

/** Starts watching. */
export function watchJob(options: SlurmWatchOptions): SlurmWatch {
  const pollMs = options.pollMs ?? 1000;
  let last: SlurmJobStatus | null = null;
  const nodeStates = new Map<string, string>();
  let isStopped = false;
  let onStarted: (s: SlurmJobStatus) => void = () => undefined;
  let onEnded: (s: SlurmJobStatus) => void = () => undefined;
  const started = new Promise<SlurmJobStatus>((resolve) => { onStarted = resolve; });
  const ended = new Promise<SlurmJobStatus>((resolve) => { onEnded = resolve; });
  let timer: NodeJS.Timeout | null = null;

  const poll = async () => {
    timer = null;
    try {
      const status = await jobStatus(options.shell, options.jobId);
      if (!last || last.state !== status.state || last.reason !== status.reason || last.nodes.join() !== status.nodes.join()) options.onStatus?.(status);
      last = status;
      if (status.state !== 'PENDING' && status.nodes.length > 0) {
        onStarted(status);
        if (!isTerminalState(status.state)) await pollNodes(status.nodes);
      }
      if (isTerminalState(status.state)) {
        onStarted(status);
        onEnded(status);
        return;
      }
    } catch (error) {
      options.onPollError?.(error as Error);
    }
    if (!isStopped) timer = setTimeout(() => void poll(), pollMs);
  };
  const pollNodes = async (names: string[]) => {
    const result = await options.shell.run(['scontrol', '-o', 'show', 'node', names.join(',')]);
    if (result.code !== 0) return;
    for (const node of parseScontrolRecords(result.stdout).map(parseNode)) {
      const seen = nodeStates.get(node.name);
      const health = healthOf(node.state);
      nodeStates.set(node.name, health);
      if (seen !== undefined && seen !== health) options.onNode?.(node);
    }
  };
  void poll();
  return {
    started, ended,
    current: () => last,
    stop() {
      isStopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
