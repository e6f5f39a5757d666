/** Runs one nvidia-smi command to completion with a timeout and cancellation; failures carry a kind. */
import { execFile } from 'node:child_process';
import { ShardScopeError } from '../../../src-shared/errors.js';

/** Options of one nvidia-smi run. */
export interface RunSmiOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Runs `nvidia-smi ARGS` and resolves with its stdout; rejects `timeout`, `cancelled` or `smi-missing`/`unavailable`. */
export function runNvidiaSmi(smiPath: string, args: string[], options: RunSmiOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const command = `nvidia-smi ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    execFile(smiPath, args, { timeout: timeoutMs, killSignal: 'SIGKILL', signal: options.signal, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
        if (failure.name === 'AbortError') return reject(new ShardScopeError('cancelled', `${command}: cancelled`));
        if (failure.code === 'ENOENT' || failure.code === 'EACCES') {
          return reject(new ShardScopeError('smi-missing', `${command}: cannot run ${smiPath} (${failure.code})`));
        }
        if (failure.killed) return reject(new ShardScopeError('timeout', `${command}: no answer within ${timeoutMs} ms`));
        const said = (String(stderr).trim() || String(stdout).trim()).split(/\r?\n/, 1)[0] ?? '';
        reject(new ShardScopeError('unavailable', `${command} failed (exit ${failure.code}): ${said || 'no output'}`, { stdout: String(stdout) }));
      });
  });
}
