/**
 * The long-lived `nvidia-smi --query-gpu ... -lms N` child: lines become GpuSamples; when the child
 * dies it is restarted with exponential backoff and each death is reported as a notice.
 * stop() ends the child (SIGTERM, then SIGKILL) and resolves once it has exited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { GpuSample } from '../../../src-shared/telemetry.js';
import { gpuQueryArgs, LineSplitter, parseGpuQueryLine } from './smi-query-parse.js';

/** Options of the GPU stream. */
export interface GpuStreamOptions {
  smiPath: string;
  hostId: string;
  intervalMs: number;
  onSample: (sample: GpuSample) => void;
  onNotice: (message: string) => void;
  /** First restart delay; doubles per consecutive failure up to maxBackoffMs (defaults 1 s, 30 s). */
  restartBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  /** Environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** A running GPU stream. */
export interface GpuStream {
  /** Process id of the current child, if one runs. */
  readonly pid: number | undefined;
  /** Stops the stream and waits until no child is left. */
  stop(): Promise<void>;
}

const killGraceMs = 2000;

/** Starts the streaming GPU sampler. */
export function startGpuStream(options: GpuStreamOptions): GpuStream {
  const now = options.now ?? Date.now;
  const firstBackoffMs = options.restartBackoffMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let backoffMs = firstBackoffMs;
  let child: ChildProcess | undefined;
  let childExited: Promise<void> = Promise.resolve();
  let restartTimer: NodeJS.Timeout | undefined;
  let isStopping = false;

  function launch(): void {
    const splitter = new LineSplitter();
    let samplesThisRun = 0;
    let hasReportedBadLine = false;
    let lastStderrLine = '';
    const handleLine = (line: string) => {
      if (line.trim() === '') return;
      const result = parseGpuQueryLine(line, options.hostId, now());
      if (result.ok) {
        samplesThisRun += 1;
        options.onSample(result.sample);
      } else if (!hasReportedBadLine) {
        hasReportedBadLine = true;
        options.onNotice(`nvidia-smi stream: unreadable line (${result.reason})`);
      }
    };
    const current = spawn(options.smiPath, gpuQueryArgs(options.intervalMs), { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, env: options.env ?? process.env });
    child = current;
    current.stdout!.setEncoding('utf8');
    current.stderr!.setEncoding('utf8');
    current.stdout!.on('data', (chunk: string) => splitter.push(chunk).forEach(handleLine));
    current.stderr!.on('data', (chunk: string) => {
      const lines = chunk.split(/\r?\n/).filter((l) => l.trim() !== '');
      if (lines.length > 0) lastStderrLine = lines[lines.length - 1].trim();
    });
    let spawnError: Error | undefined;
    current.on('error', (error) => { spawnError = error; });
    childExited = new Promise((resolve) => {
      current.on('close', (code, signal) => {
        splitter.flush().forEach(handleLine);
        if (child === current) child = undefined;
        resolve();
        if (isStopping) return;
        backoffMs = samplesThisRun > 0 ? firstBackoffMs : Math.min(maxBackoffMs, backoffMs * 2);
        const delayMs = samplesThisRun > 0 ? firstBackoffMs : backoffMs;
        const why = spawnError ? spawnError.message : `exit code ${code ?? 'none'}${signal ? `, signal ${signal}` : ''}`;
        options.onNotice(`nvidia-smi stream stopped (${why}${lastStderrLine ? `: ${lastStderrLine}` : ''}); restarting in ${delayMs} ms`);
        restartTimer = setTimeout(() => { restartTimer = undefined; if (!isStopping) launch(); }, delayMs);
      });
    });
  }

  launch();
  return {
    get pid() {
      return child?.pid;
    },
    async stop() {
      isStopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const running = child;
      if (running && running.exitCode === null && running.signalCode === null) {
        const forceKill = setTimeout(() => running.kill('SIGKILL'), killGraceMs);
        running.kill('SIGTERM');
        await childExited;
        clearTimeout(forceKill);
      } else {
        await childExited;
      }
    },
  };
}
