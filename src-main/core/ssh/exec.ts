/** Runs one command on an open ssh2 connection with a timeout and an AbortSignal; output is captured with a cap. */
import type { Client, ClientChannel } from 'ssh2';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { describeTarget, type RemoteTarget } from './target.js';

/**
 * Limit of a short remote command (a probe, `mkdir`, a free port, `$SSH_CONNECTION`): long enough for a
 * slow login shell on a loaded host, short enough that a hung host is reported while the user waits.
 */
export const REMOTE_COMMAND_TIMEOUT_MS = 15_000;

/** Limits for one remote command. */
export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Stop collecting (and fail) past this many bytes of stdout, default 32 MiB. */
  maxOutputBytes?: number;
  /** Bytes written to the command's stdin, then closed. */
  stdin?: string;
}

/** What a remote command did. `exitCode` is null when it died by a signal. */
export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` (an already quoted shell line — build it with buildRemoteCommand) and collects its output. */
export function execRemote(client: Client, target: RemoteTarget, command: string, options: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxOutputBytes ?? 32 * 1024 * 1024;
  const who = `host ${describeTarget(target)}`;
  return new Promise((resolve, reject) => {
    let channel: ClientChannel | null = null;
    let isSettled = false;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    const finish = (error: ShardScopeError | null, result?: ExecResult): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        if (channel) { try { channel.signal('KILL'); } catch { /* closed */ } channel.close(); }
        reject(error);
      } else resolve(result!);
    };
    const timer = setTimeout(() => finish(new ShardScopeError('ssh-timeout', `${who}: command did not finish within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => finish(new ShardScopeError('cancelled', `${who}: command cancelled`));
    if (options.signal?.aborted) { onAbort(); return; }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.exec(command, (error, stream) => {
      if (error) { finish(new ShardScopeError('protocol', `${who}: could not start a command: ${error.message}`)); return; }
      channel = stream;
      if (isSettled) { stream.close(); return; }
      stream.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (stdoutBytes > maxBytes) finish(new ShardScopeError('protocol', `${who}: command printed more than ${maxBytes} bytes`));
        else stdout.push(chunk);
      });
      stream.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 1024) stderr.push(chunk); });
      let exit: { code: number | null; signal: string | null } = { code: null, signal: null };
      stream.on('exit', (code: number | null, signal?: string) => { exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null }; });
      stream.on('close', () => {
        finish(null, {
          exitCode: exit.code,
          signal: exit.signal,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      });
      if (options.stdin !== undefined) stream.end(options.stdin);
      else stream.end();
    });
  });
}
