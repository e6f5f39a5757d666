/**
 * A line stream that restarts itself: a launcher starts one run (a local child or an SSH exec
 * channel), its lines are passed on, and when it ends it is restarted with exponential backoff.
 * Each end is reported as a notice, so the gap it leaves in the data is visible.
 */

/** Where a run sends its output. */
export interface StreamSink {
  onLine(line: string): void;
  /** Called once when the run is over; `reason` says why (exit code, signal, last stderr line). */
  onEnd(reason: string): void;
}

/** One running instance; stop() ends it and resolves once it is gone. */
export interface StreamRun {
  stop(): Promise<void>;
}

/** Starts one run of the stream. */
export type StreamLauncher = (sink: StreamSink) => StreamRun;

/** Options of a restarting stream. */
export interface RestartingStreamOptions {
  /** Shown in notices, e.g. `nvidia-smi dmon`. */
  name: string;
  launch: StreamLauncher;
  onLine: (line: string) => void;
  onNotice: (message: string) => void;
  /** First restart delay; doubles per run that produced no line, up to maxBackoffMs (defaults 1 s, 30 s). */
  restartBackoffMs?: number;
  maxBackoffMs?: number;
}

/** A running restarting stream. */
export interface RestartingStream {
  stop(): Promise<void>;
}

/** Starts the stream now; it runs until stop(). */
export function startRestartingStream(options: RestartingStreamOptions): RestartingStream {
  const firstBackoffMs = options.restartBackoffMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let backoffMs = firstBackoffMs;
  let isStopping = false;
  let run: StreamRun | undefined;
  let timer: NodeJS.Timeout | undefined;

  const launch = (): void => {
    let lines = 0;
    let hasEnded = false;
    run = options.launch({
      onLine: (line) => { if (hasEnded) return; lines += 1; options.onLine(line); },
      onEnd: (reason) => {
        if (hasEnded) return;
        hasEnded = true;
        run = undefined;
        if (isStopping) return;
        backoffMs = lines > 0 ? firstBackoffMs : Math.min(maxBackoffMs, backoffMs * 2);
        const delayMs = lines > 0 ? firstBackoffMs : backoffMs;
        options.onNotice(`${options.name} stopped (${reason}); restarting in ${delayMs} ms`);
        timer = setTimeout(() => { timer = undefined; if (!isStopping) launch(); }, delayMs);
      },
    });
  };
  launch();
  return {
    async stop() {
      isStopping = true;
      if (timer) clearTimeout(timer);
      await run?.stop();
    },
  };
}
