/**
 * Where Slurm commands run: the cluster's login host, either this machine (`local`) or an SSH
 * target (core/ssh, host keys checked). Every command is an argv, quoted for the remote shell by
 * buildRemoteCommand, with a timeout and an AbortSignal.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SshConnection } from '../ssh/connect.js';
import { buildRemoteCommand, shellQuote } from '../ssh/shell-quote.js';

/** What a command on the login host did. */
export interface SlurmCommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Limits of one command. */
export interface SlurmCommandOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A long-running command's output (e.g. `tail -F` of a rank's output file) and a way to end it. */
export interface SlurmStream {
  stdout: Readable;
  stop(): void;
}

/** The login host of a Slurm cluster. */
export interface SlurmShell {
  /** `local`, or the SSH target's id. */
  loginHost: string;
  /** The SSH connection of an SSH login host (for SFTP deploys), absent for `local`. */
  connection?: SshConnection;
  /** Runs argv there; resolves with its exit code and output (never rejects on a non-zero exit). */
  run(argv: string[], options?: SlurmCommandOptions): Promise<SlurmCommandResult>;
  /** Writes a file there (parent folders made), readable only by the user when `isPrivate`. */
  writeFile(path: string, content: string, isPrivate?: boolean): Promise<void>;
  /** Starts a long-running command there. */
  stream(argv: string[]): SlurmStream;
  close(): void;
}

const defaultTimeoutMs = 30_000;

/** Runs argv and fails with a one-line reason naming the command when it exits non-zero. */
export async function runChecked(shell: SlurmShell, argv: string[], options?: SlurmCommandOptions): Promise<string> {
  const result = await shell.run(argv, options);
  if (result.code !== 0) {
    const reason = (result.stderr.trim() || result.stdout.trim()).split('\n').pop() ?? `exit code ${result.code}`;
    const missing = result.code === 127 ? ` (${argv[0]} not found on ${shell.loginHost}: is it a Slurm login host?)` : '';
    throw new ShardScopeError('unavailable', `slurm on ${shell.loginHost}: ${argv[0]} failed: ${reason}${missing}`);
  }
  return result.stdout;
}

/** This machine as the login host; `env` is added to every command's environment (e.g. SLURM_CONF). */
export function localSlurmShell(env: NodeJS.ProcessEnv = process.env): SlurmShell {
  return {
    loginHost: 'local',
    run(argv, options = {}) {
      return new Promise((resolve, reject) => {
        options.signal?.throwIfAborted();
        execFile(argv[0], argv.slice(1), { env, timeout: options.timeoutMs ?? defaultTimeoutMs, signal: options.signal, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (options.signal?.aborted) return reject(new ShardScopeError('cancelled', `${argv[0]} cancelled`));
          const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : (error as { code?: string }).code === 'ENOENT' ? 127 : null) : 0;
          if (error && (error as { killed?: boolean }).killed) return reject(new ShardScopeError('timeout', `slurm on local: ${argv[0]} did not finish within ${options.timeoutMs ?? defaultTimeoutMs} ms`));
          resolve({ code, stdout, stderr: stderr || (error && code === null ? error.message : '') });
        });
      });
    },
    async writeFile(path, content, isPrivate = false) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, content, { mode: isPrivate ? 0o600 : 0o644 });
    },
    stream(argv) {
      const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'ignore'] });
      child.once('error', () => undefined);
      // SIGTERM first: srun ends its step cleanly on it (SIGKILL would leave the step to Slurm's timeouts).
      const stop = () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      };
      return { stdout: child.stdout, stop };
    },
    close() {
      // nothing held
    },
  };
}

/** An SSH login host over an open connection (which this shell then owns); `env` is prefixed to every command. */
export function sshSlurmShell(connection: SshConnection, env: Record<string, string> = {}): SlurmShell {
  const line = (argv: string[]) => buildRemoteCommand({ argv, env });
  return {
    loginHost: connection.target.id,
    connection,
    async run(argv, options = {}) {
      const result = await connection.exec(line(argv), { timeoutMs: options.timeoutMs ?? defaultTimeoutMs, signal: options.signal });
      return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    },
    async writeFile(path, content, isPrivate = false) {
      const script = `umask ${isPrivate ? '077' : '022'} && mkdir -p ${shellQuote([dirname(path)])} && cat > ${shellQuote([path])}`;
      const result = await connection.exec(`sh -c ${shellQuote([script])}`, { stdin: content, timeoutMs: defaultTimeoutMs });
      if (result.exitCode !== 0) throw new ShardScopeError('unavailable', `slurm on ${connection.target.id}: could not write ${path}: ${result.stderr.trim()}`);
    },
    stream(argv) {
      const stdout = new PassThrough();
      let stopChannel = () => undefined as void;
      let isStopped = false;
      connection.client.exec(line(argv), (error, channel) => {
        if (error) return stdout.end();
        stopChannel = () => { try { channel.signal('KILL'); } catch { /* closed */ } channel.close(); };
        if (isStopped) stopChannel();
        channel.pipe(stdout);
        channel.stderr.resume();
      });
      return { stdout, stop: () => { isStopped = true; stopChannel(); } };
    },
    close() {
      connection.close();
    },
  };
}
