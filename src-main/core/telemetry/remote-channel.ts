/**
 * Long-lived SSH exec channels for the remote sampler, and the remote command lines they run.
 * Every command first prints `@@pid $$` — the pid of the session's process group (sshd runs each
 * session in its own session) — so the sampler can end everything it started with one `kill -TERM -PGID`.
 */
import type { Client, ClientChannel } from 'ssh2';
import { buildRemoteCommand, shellQuote } from '../ssh/shell-quote.js';
import { dmonPcieArgs } from './smi-dmon-parse.js';
import { nvlinkCounterArgs } from './smi-nvlink-parse.js';
import { gpuQueryArgs, LineSplitter } from './smi-query-parse.js';
import { procLoopScript } from './remote-proc-parse.js';
import { computeAppsArgs } from './smi-compute-apps-parse.js';
import type { StreamLauncher } from './host-sampler-stream.js';

const pidLine = /^@@pid (\d+)\s*$/;

function inShell(script: string): string {
  return buildRemoteCommand({ argv: ['sh', '-c', script] });
}

function seconds(ms: number): number {
  return Math.max(0.05, ms / 1000);
}

/** The remote command lines of one host's sampler. */
export function remoteSamplerCommands(smiPath: string, intervalMs: number, nvlinkIntervalMs: number, processIntervalMs = Math.max(intervalMs, 1000)) {
  return {
    gpuQuery: inShell(`echo "@@pid $$"; exec ${shellQuote([smiPath, ...gpuQueryArgs(intervalMs)])}`),
    dmon: inShell(`echo "@@pid $$"; exec ${shellQuote([smiPath, ...dmonPcieArgs(intervalMs)])}`),
    nvlinkLoop: inShell(`echo "@@pid $$"; while :; do ${shellQuote([smiPath, ...nvlinkCounterArgs])} 2>&1; echo "@@end $?" || exit 0; sleep ${seconds(nvlinkIntervalMs).toFixed(3)}; done`),
    // each listed pid's owner follows as `@@user PID USER` (ps on the host), then `@@end <nvidia-smi exit code>`
    processLoop: inShell(`echo "@@pid $$"; while :; do out=$(${shellQuote([smiPath, ...computeAppsArgs])} 2>/dev/null); rc=$?; printf '%s\\n' "$out"; `
      + `for p in $(printf '%s\\n' "$out" | awk -F', *' '{print $2}'); do case "$p" in ''|*[!0-9]*) ;; *) u=$(ps -o user= -p "$p" 2>/dev/null) && echo "@@user $p $u";; esac; done; `
      + `echo "@@end $rc" || exit 0; sleep ${seconds(processIntervalMs).toFixed(3)}; done`),
    procLoop: inShell(procLoopScript(seconds(intervalMs))),
    /** One-shot: exit 127 without nvidia-smi, else one NVLink counter reading (errors included). */
    probe: inShell(`command -v ${shellQuote([smiPath])} >/dev/null 2>&1 || exit 127; ${shellQuote([smiPath, ...nvlinkCounterArgs])} 2>&1; exit 0`),
  };
}

/** `kill -TERM -PGID` for each process group (ignoring ones already gone). */
export function killGroupsCommand(pids: readonly number[]): string {
  const safe = pids.filter((p) => Number.isInteger(p) && p > 1).map(String);
  return buildRemoteCommand({ argv: ['sh', '-c', 'for g in "$@"; do kill -TERM -"$g" 2>/dev/null; done; exit 0', 'sh', ...safe] });
}

/** Options of an exec-channel launcher. */
export interface ExecLauncherOptions {
  client: Client;
  command: string;
  /** Receives the remote process-group id once printed, and `undefined` when the channel closed. */
  onRemotePid: (pid: number, isRunning: boolean) => void;
  /** When false at the moment a channel closes, the close is the connection's, not the stream's: not reported. */
  isConnectionAlive: () => boolean;
}

const closeWaitMs = 2000;

/** A StreamLauncher running `command` on an exec channel of the shared connection. */
export function execLauncher(options: ExecLauncherOptions): StreamLauncher {
  return (sink) => {
    let channel: ClientChannel | undefined;
    let isClosed = false;
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => { markClosed = resolve; });
    const end = (reason: string): void => {
      if (isClosed) return;
      isClosed = true;
      markClosed();
      // Let the connection's own close/error handlers run first: a dead connection is reported once, by the sampler.
      setImmediate(() => { if (options.isConnectionAlive()) sink.onEnd(reason); });
    };
    try {
      options.client.exec(options.command, (error, stream) => {
        if (error) { end(`could not open a channel: ${error.message}`); return; }
        channel = stream;
        const splitter = new LineSplitter();
        let remotePid: number | undefined;
        let lastStderrLine = '';
        let exit = 'no exit status';
        stream.setEncoding('utf8');
        stream.stderr.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          for (const line of splitter.push(chunk)) {
            const pid = pidLine.exec(line);
            if (pid && remotePid === undefined) { remotePid = Number(pid[1]); options.onRemotePid(remotePid, true); } else sink.onLine(line);
          }
        });
        stream.stderr.on('data', (chunk: string) => {
          const lines = chunk.split(/\r?\n/).filter((l) => l.trim() !== '');
          if (lines.length > 0) lastStderrLine = lines[lines.length - 1].trim();
        });
        stream.on('exit', (code: number | null, signal?: string) => { exit = signal ? `signal ${signal}` : `exit code ${code ?? 'none'}`; });
        stream.on('close', () => {
          splitter.flush().forEach(sink.onLine);
          if (remotePid !== undefined) options.onRemotePid(remotePid, false);
          end(`${exit}${lastStderrLine ? `: ${lastStderrLine}` : ''}`);
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
