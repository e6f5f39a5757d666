/**
 * The one way to run an external probe (nvidia-smi and friends) to completion: in its own process
 * group, so a timeout, a cancel or our own exit kills everything it started (children that inherit
 * its pipes included); with its output read only up to a cap, and a note saying it was cut.
 */
import { spawn } from 'node:child_process';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { signalGroup, trackGroup, untrackGroup } from './process-group.js';

/** How to run one command. */
export interface RunCappedOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Most bytes kept of stdout and of stderr each (default 4 MiB); past it the group is killed. */
  maxOutputBytes?: number;
}

/** How a command ended and what it printed (each stream cut at the cap). */
export interface CappedResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the output went past the cap: what is kept is its start, the command was stopped. */
  isOutputCut: boolean;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** A short note to append to text that was cut. */
export function cutNote(maxBytes: number): string {
  return `[output cut at ${maxBytes} bytes]`;
}

/**
 * Runs `command args` and resolves with its result; rejects `timeout` (group killed after
 * timeoutMs), `cancelled` (signal aborted) or `smi-missing`-like `not-found` when it cannot start.
 */
export function runCapped(command: string, args: string[], options: RunCappedOptions): Promise<CappedResult> {
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const label = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ShardScopeError('cancelled', `${label}: cancelled`));
      return;
    }
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, windowsHide: true });
    const pid = child.pid;
    trackGroup(pid);
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const sizes = { stdout: 0, stderr: 0 };
    let isOutputCut = false;
    let ending: 'timeout' | 'cancelled' | null = null;
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const room = maxBytes - sizes[stream];
      if (room > 0) chunks[stream].push(room >= chunk.length ? chunk : chunk.subarray(0, room));
      sizes[stream] += Math.min(room > 0 ? room : 0, chunk.length);
      if (chunk.length > room && !isOutputCut) {
        isOutputCut = true;
        signalGroup(pid); // nothing more of it will be read: stop it rather than drain it
      }
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const timer = setTimeout(() => { ending = 'timeout'; signalGroup(pid); }, options.timeoutMs);
    const onAbort = () => { ending = 'cancelled'; signalGroup(pid); };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      untrackGroup(pid);
      signalGroup(pid); // anything it left behind in its group
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish();
      reject(new ShardScopeError('not-found', `${label}: cannot run ${command} (${error.code ?? error.message})`, { code: error.code }));
    });
    child.on('close', (code, signal) => {
      finish();
      if (ending === 'timeout') return reject(new ShardScopeError('timeout', `${label}: no answer within ${options.timeoutMs} ms (stopped it and everything it started)`));
      if (ending === 'cancelled') return reject(new ShardScopeError('cancelled', `${label}: cancelled`));
      resolve({
        code, signal,
        stdout: Buffer.concat(chunks.stdout).toString('utf8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf8'),
        isOutputCut,
      });
    });
  });
}
