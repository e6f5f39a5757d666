/** Runs a child process to completion for the benchmarks, collecting its output; killed when `signal` aborts. */
import { spawn } from 'node:child_process';
import { ShardScopeError } from '../../src-shared/errors.js';

/** What a finished child printed. */
export interface ChildOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `command` and resolves when it closes; an abort kills it with `killSignal` and rejects as `cancelled`. */
export function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal, killSignal: NodeJS.Signals = 'SIGTERM'): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', (error) => reject(signal.aborted ? new ShardScopeError('cancelled', `${command}: interrupted`) : error));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
