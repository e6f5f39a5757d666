/**
 * Step progress of a long CLI command: on a terminal one line rewritten in place (step, loss, rate,
 * ETA); when stdout is a pipe or a file, one plain line per step, so logs and `grep` keep working.
 */
import { formatDuration, formatRate } from '../../src-shared/units.js';
import type { CliIo } from './io.js';

/** One finished step as the run reports it. */
export interface StepPoint {
  step: number;
  loss: number | null;
  stepSeconds: number;
  tokensPerSecond: number;
}

/** Shows steps as they come; `end()` leaves the terminal on a fresh line. */
export interface StepProgressLine {
  add(point: StepPoint, totalSteps: number): void;
  /** Writes other output (e.g. a rank's stderr) above the progress line, which is drawn again below it. */
  above(write: () => void): void;
  end(): void;
}

/** True when the stream is an interactive terminal (Node sets `isTTY` on TTY streams only). */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** The text of one step: `step 3/20 loss 5.1234 120 ms 1,234 tokens/s`, with `ETA 2 s` when known. */
export function stepText(point: StepPoint, totalSteps: number, etaSeconds: number | null): string {
  const parts = [
    `step ${point.step + 1}/${totalSteps}`,
    `loss ${point.loss?.toFixed(4) ?? '-'}`,
    formatDuration(point.stepSeconds),
    formatRate(point.tokensPerSecond, 'tokens/s'),
  ];
  if (etaSeconds !== null) parts.push(`ETA ${formatDuration(etaSeconds)}`);
  return parts.join(' ');
}

/** A progress display for `io.stdout`, chosen by whether it is a terminal. */
export function stepProgress(io: CliIo, nowMs: () => number = Date.now): StepProgressLine {
  if (!isTerminal(io.stdout)) {
    return { add: (point, totalSteps) => io.stdout.write(`${stepText(point, totalSteps, null)}\n`), above: (write) => write(), end: () => undefined };
  }
  const startedMs = nowMs();
  let shown = '';
  return {
    add(point, totalSteps) {
      const done = point.step + 1;
      // Mean wall time per step so far (includes start-up), times the steps left.
      const etaSeconds = done >= totalSteps ? 0 : ((nowMs() - startedMs) / 1000 / done) * (totalSteps - done);
      shown = stepText(point, totalSteps, etaSeconds);
      io.stdout.write(`\r\x1b[2K${shown}`);
    },
    above(write) {
      if (shown) io.stdout.write('\r\x1b[2K');
      write();
      if (shown) io.stdout.write(shown);
    },
    end() {
      if (shown) io.stdout.write('\n');
      shown = '';
    },
  };
}
