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
  /**
   * A run that prints nothing for this long is taken for hung: stopped (its whole process group) and
   * restarted, with a notice. Before its first line a run gets at least FIRST_LINE_LIMIT_MS (a slow start is not a hang).
   */
  silenceLimitMs?: number;
}

/** Least time a run gets for its first line before a silence limit applies. */
export const FIRST_LINE_LIMIT_MS = 30_000;

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
  // The current run's silence check (cleared when the run ends and on stop: an SSH run lost with its
  // link never reports its end).
  let watchdog: NodeJS.Timeout | undefined;

  const launch = (): void => {
    let lines = 0;
    let hasEnded = false;
    let lastLineMs = Date.now();
    let silentForMs: number | null = null;
    const current = options.launch({
      onLine: (line) => { if (hasEnded) return; lines += 1; lastLineMs = Date.now(); options.onLine(line); },
      onEnd: (reason) => {
        if (hasEnded) return;
        hasEnded = true;
        clearInterval(watchdog);
        run = undefined;
        if (isStopping) return;
        backoffMs = lines > 0 ? firstBackoffMs : Math.min(maxBackoffMs, backoffMs * 2);
        const delayMs = lines > 0 ? firstBackoffMs : backoffMs;
        const why = silentForMs !== null ? `no output for ${silentForMs} ms: taken for hung and stopped` : reason;
        options.onNotice(`${options.name} stopped (${why}); restarting in ${delayMs} ms`);
        timer = setTimeout(() => { timer = undefined; if (!isStopping) launch(); }, delayMs);
      },
    });
    run = hasEnded ? undefined : current;
    const limitMs = options.silenceLimitMs;
    if (limitMs !== undefined && !hasEnded) {
      watchdog = setInterval(() => {
        const silentMs = Date.now() - lastLineMs;
        if (hasEnded || isStopping || silentForMs !== null || silentMs <= (lines > 0 ? limitMs : Math.max(limitMs, FIRST_LINE_LIMIT_MS))) return;
        silentForMs = silentMs;
        void current.stop();
      }, Math.max(50, Math.min(1000, limitMs / 4)));
    }
  };
  launch();
  return {
    async stop() {
      isStopping = true;
      if (timer) clearTimeout(timer);
      clearInterval(watchdog);
      await run?.stop();
    },
  };
}
