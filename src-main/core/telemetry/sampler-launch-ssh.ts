/**
 * The host sampler's launcher for an SSH host: a link is ONE verified connection; each script runs on
 * its own exec channel (`sh -c`, in the session's process group on the host), its output read line by
 * line with the same cap as a local child's. nvidia-smi is the configured command (default from the
 * login PATH); the sampler's probe says when the host has none.
 */
import type { Client, ClientChannel } from 'ssh2';
import { CappedLineSplitter, DEFAULT_MAX_LINE_CHARS, lineCutNote } from '../process/capped-lines.js';
import { connectSsh, type SshConnection } from '../ssh/connect.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';
import { buildRemoteCommand } from '../ssh/shell-quote.js';
import type { RemoteTarget } from '../ssh/target.js';
import { killGroupsArgv } from './sampler-commands.js';
import { pidSplittingSink, type SamplerLauncher, type SamplerLink } from './sampler-link.js';
import type { StreamLauncher } from './sampler-stream.js';

/** Most bytes read of a one-shot probe. */
const PROBE_OUTPUT_BYTES = 1024 * 1024;
const closeWaitMs = 2000;

/** Options of an SSH host's launcher. */
export interface SshLauncherOptions {
  target: RemoteTarget;
  knownHostsFile: KnownHostsFiles;
  /** nvidia-smi on the host (default `nvidia-smi` from the login PATH). */
  nvidiaSmi?: string;
  /** SSH handshake limit per attempt (default 10 s). */
  connectTimeoutMs?: number;
  maxLineChars?: number;
}

function inShell(script: string): string {
  return buildRemoteCommand({ argv: ['sh', '-c', script] });
}

/** The launcher of one SSH host. */
export function sshLauncher(options: SshLauncherOptions): SamplerLauncher {
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  return {
    linkName: 'SSH connection',
    canBeLost: true,
    smi: { path: options.nvidiaSmi ?? 'nvidia-smi' },
    async connect(signal) {
      const connection = await connectSsh(options.target, { knownHostsFile: options.knownHostsFile, timeoutMs: options.connectTimeoutMs, signal });
      return sshLink(connection, maxLineChars);
    },
  };
}

function sshLink(connection: SshConnection, maxLineChars: number): SamplerLink {
  const { client } = connection;
  let isLost = false;
  const lostListeners: ((why: string) => void)[] = [];
  const lose = (why: string): void => {
    if (isLost) return;
    isLost = true;
    for (const listener of lostListeners) listener(why);
  };
  client.on('error', (error: Error) => lose(error.message));
  client.on('close', () => lose('connection closed'));
  return {
    stream: (script, onPid) => (sink) => {
      let remotePid: number | undefined;
      const run = execLauncher(client, inShell(script), maxLineChars, () => !isLost, (pid, isRunning) => {
        remotePid = isRunning ? pid : undefined;
        onPid(pid, isRunning);
      })(sink);
      return {
        stop: () => {
          // A hung command does not notice its channel closing: its group is ended on the host as well.
          if (remotePid !== undefined && !isLost) void connection.exec(buildRemoteCommand({ argv: killGroupsArgv([remotePid]) }), { timeoutMs: 8000 }).catch(() => undefined);
          return run.stop();
        },
      };
    },
    async run(script, timeoutMs, signal) {
      try {
        const result = await connection.exec(inShell(script), { timeoutMs, signal, maxOutputBytes: PROBE_OUTPUT_BYTES });
        return { exitCode: result.exitCode, stdout: result.stdout };
      } catch {
        return { exitCode: -1, stdout: '' };
      }
    },
    async killGroups(pids) {
      if (pids.length === 0 || isLost) return;
      await connection.exec(buildRemoteCommand({ argv: killGroupsArgv(pids) }), { timeoutMs: 8000 }).catch(() => undefined);
    },
    onLost: (listener) => { lostListeners.push(listener); },
    close(isGraceful = true) {
      isLost = true; // a close we asked for is not a loss
      if (!isGraceful) { client.destroy(); return Promise.resolve(); }
      return new Promise((resolve) => {
        const timer = setTimeout(() => { client.destroy(); resolve(); }, closeWaitMs);
        client.once('close', () => { clearTimeout(timer); resolve(); });
        client.end();
      });
    },
  };
}

/**
 * A StreamLauncher running `command` on an exec channel. When the connection is gone at the moment a
 * channel closes, the close is the connection's, not the stream's: not reported (the supervisor says it once).
 */
function execLauncher(client: Client, command: string, maxLineChars: number, isConnectionAlive: () => boolean, onPid: (pid: number, isRunning: boolean) => void): StreamLauncher {
  return (outer) => {
    let channel: ClientChannel | undefined;
    let isClosed = false;
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => { markClosed = resolve; });
    let endReason = '';
    const sink = pidSplittingSink({
      onLine: (line) => outer.onLine(line),
      // Let the connection's own close/error handlers run first: a dead connection is reported once.
      onEnd: (reason) => { setImmediate(() => { if (isConnectionAlive()) outer.onEnd(reason); }); },
    }, onPid);
    const end = (reason: string): void => {
      if (isClosed) return;
      isClosed = true;
      endReason = reason;
      markClosed();
      sink.onEnd(endReason);
    };
    try {
      client.exec(command, (error, stream) => {
        if (error) { end(`could not open a channel: ${error.message}`); return; }
        channel = stream;
        const splitter = new CappedLineSplitter(maxLineChars);
        let lastStderrLine = '';
        let exit = 'no exit status';
        stream.setEncoding('utf8');
        stream.stderr.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          const { lines, isCut } = splitter.push(chunk);
          lines.forEach((line) => sink.onLine(line));
          if (isCut) { try { stream.close(); } catch { /* already closing */ } }
        });
        stream.stderr.on('data', (chunk: string) => {
          const lines = chunk.split(/\r?\n/).filter((l) => l.trim() !== '');
          if (lines.length > 0) lastStderrLine = lines[lines.length - 1].trim().slice(0, 300);
        });
        stream.on('exit', (code: number | null, signal?: string) => { exit = signal ? `signal ${signal}` : `exit code ${code ?? 'none'}`; });
        stream.on('close', () => {
          splitter.flush().forEach((line) => sink.onLine(line));
          end(`${exit}${lastStderrLine ? `: ${lastStderrLine}` : ''}${splitter.isCut ? ` ${lineCutNote(maxLineChars)}` : ''}`);
        });
      });
    } catch (error) {
      // ssh2 throws synchronously when the connection is no longer open.
      setImmediate(() => end(`could not open a channel: ${(error as Error).message}`));
    }
    return {
      async stop() {
        if (isClosed) return;
        try { channel?.close(); } catch { /* connection already gone */ }
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, closeWaitMs); })]);
        clearTimeout(timer);
      },
    };
  };
}
