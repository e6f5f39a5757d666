/** Collects a run's live events and pushes them as RunUpdates at most every `intervalMs` (UI push <= 4 Hz). */
import type { StepEvent } from '../../../src-shared/engine-events.js';
import type { RunLogLine, RunStepPoint, RunUpdate } from '../../../src-shared/run-live.js';
import type { RunStatus } from '../../../src-shared/run-record.js';

/** Batches points, rank steps and log lines; `finish` sends the last update at once. */
export class RunUpdateBatcher {
  private points: RunStepPoint[] = [];
  private rankSteps: StepEvent[] = [];
  private logs: RunLogLine[] = [];
  private stepsDone = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runId: string,
    private readonly steps: number,
    private readonly startedAtMs: number,
    private readonly emit: (update: RunUpdate) => void,
    private readonly intervalMs = 250,
  ) {}

  /** A step finished on every rank. */
  addPoint(point: RunStepPoint): void {
    this.points.push(point);
    this.stepsDone = Math.max(this.stepsDone, point.step + 1);
    this.schedule();
  }

  /** One rank's step event. */
  addRankStep(event: StepEvent): void {
    this.rankSteps.push(event);
    this.schedule();
  }

  /** One line a rank printed. */
  addLog(line: RunLogLine): void {
    this.logs.push(line);
    this.schedule();
  }

  /** Sends what is pending now, with the final status. */
  finish(status: RunStatus, error: { kind: string; message: string } | null = null): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.send(status, error);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send('running', null);
    }, this.intervalMs);
  }

  private send(status: RunStatus, error: { kind: string; message: string } | null): void {
    const elapsedSeconds = (Date.now() - this.startedAtMs) / 1000;
    const etaSeconds = status === 'running' && this.stepsDone > 0 ? (elapsedSeconds / this.stepsDone) * (this.steps - this.stepsDone) : null;
    this.emit({
      runId: this.runId, status, steps: this.steps, stepsDone: this.stepsDone, startedAtMs: this.startedAtMs, etaSeconds,
      points: this.points, rankSteps: this.rankSteps, logs: this.logs, error,
    });
    this.points = [];
    this.rankSteps = [];
    this.logs = [];
  }
}
