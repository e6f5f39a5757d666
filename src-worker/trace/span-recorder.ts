/**
 * Records the spans of the traced steps of one rank: compute parts timed by the trainer, and every
 * collective the communicator reports (Communicator.traceOps). Times are taken with
 * performance.now() and converted once, when a span is added, to the run clock (this rank's clock
 * plus its offset to rank 0's). Outside the traced steps, adding is a single check.
 */
import type { ClockAlignment, EngineSpan, SpanKind, TraceWindow } from '../../src-shared/trace-spans.js';
import { isTracedStep } from '../../src-shared/trace-spans.js';
import type { OpTiming } from '../collective/types.js';
import { workerClockMs } from './worker-clock.js';

/** Rounds to microseconds (keeps the events short; finer than the clock alignment anyway). */
function roundUs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** One rank's span buffer for the current step. */
export class SpanRecorder {
  private spans: EngineSpan[] = [];
  private isOn = false;
  /** Micro-batch the trainer is working on (tags collectives such as a stage's send/recv). */
  microBatch: number | undefined;

  constructor(private readonly window: TraceWindow | null | undefined, private readonly stage: number, readonly clock: ClockAlignment) {}

  /** True while the current step is traced. */
  get isRecording(): boolean {
    return this.isOn;
  }

  /** Starts a step: spans are kept only when it is inside the window. */
  beginStep(step: number): void {
    this.isOn = isTracedStep(this.window, step);
    this.spans = [];
    this.microBatch = undefined;
  }

  /** The run-clock time of a performance.now() reading. */
  toRunMs(perfMs: number): number {
    return workerClockMs(perfMs) + this.clock.offsetMs;
  }

  /** Adds a compute span from two performance.now() readings. */
  add(kind: SpanKind, name: string, startPerfMs: number, endPerfMs: number, microBatch?: number): void {
    if (!this.isOn) return;
    this.spans.push({
      kind, name, startMs: roundUs(this.toRunMs(startPerfMs)), durationMs: roundUs(endPerfMs - startPerfMs), stage: this.stage,
      ...(microBatch === undefined ? {} : { microBatch }),
    });
  }

  /** Times synchronous compute work as one span. */
  time<T>(kind: SpanKind, name: string, work: () => T, microBatch?: number): T {
    if (!this.isOn) return work();
    const startMs = performance.now();
    const result = work();
    this.add(kind, name, startMs, performance.now(), microBatch);
    return result;
  }

  /** Adds a finished collective (the communicator's op listener). */
  addOp(op: OpTiming): void {
    if (!this.isOn) return;
    const waitMs = op.firstArrivalMs === null ? undefined : roundUs(Math.max(0, Math.min(op.endMs, op.firstArrivalMs) - op.startMs));
    this.spans.push({
      kind: 'collective', name: `${op.kind} ${op.label}`, startMs: roundUs(this.toRunMs(op.startMs)), durationMs: roundUs(op.endMs - op.startMs),
      stage: this.stage, group: op.label, bytes: op.bytesSent + op.bytesReceived,
      ...(waitMs === undefined ? {} : { waitMs }),
      ...(this.microBatch === undefined ? {} : { microBatch: this.microBatch }),
    });
  }

  /** The spans of the step so far (empty when it was not traced), in start order. */
  take(): EngineSpan[] {
    const spans = this.spans.sort((a, b) => a.startMs - b.startMs);
    this.spans = [];
    return spans;
  }
}
