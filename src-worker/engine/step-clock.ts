/** Splits a step's wall time into compute, communication and pipeline bubble. */
import type { ParallelismKind } from '../../src-shared/engine-events.js';
import type { SpanKind } from '../../src-shared/trace-spans.js';
import type { SpanRecorder } from '../trace/span-recorder.js';

/** Seconds of one step by category; compute = total - communication - bubble. */
export interface StepTimes {
  compute: number;
  communication: number;
  bubble: number;
  total: number;
}

/**
 * Times awaited work: `communication` wraps collectives and sends, `bubble` wraps waits for a
 * neighbouring pipeline stage (recv of activations/gradients: idle time plus the transfer itself).
 */
export class StepClock {
  private startMs = performance.now();
  private communicationMs = 0;
  private bubbleMs = 0;
  private readonly communicationMsByKind: Record<ParallelismKind, number> = { dp: 0, tp: 0, pp: 0 };
  /** Where compute spans go when the run records them. */
  recorder: SpanRecorder | null = null;

  /** Runs synchronous compute work, recorded as a span of a traced step. */
  compute<T>(kind: SpanKind, name: string, work: () => T): T {
    return this.recorder ? this.recorder.time(kind, name, work) : work();
  }

  /** Starts a new step. */
  reset(): void {
    this.startMs = performance.now();
    this.communicationMs = 0;
    this.bubbleMs = 0;
    for (const kind of ['dp', 'tp', 'pp'] as const) this.communicationMsByKind[kind] = 0;
  }

  /** Awaits a collective of one parallelism kind, counting its time as communication. */
  async communication<T>(work: Promise<T>, kind: ParallelismKind): Promise<T> {
    const t0 = performance.now();
    try {
      return await work;
    } finally {
      const elapsedMs = performance.now() - t0;
      this.communicationMs += elapsedMs;
      this.communicationMsByKind[kind] += elapsedMs;
    }
  }

  /** The communication seconds since reset() by parallelism kind (they sum to times().communication). */
  communicationSecondsByKind(): Record<ParallelismKind, number> {
    const { dp, tp, pp } = this.communicationMsByKind;
    return { dp: dp / 1000, tp: tp / 1000, pp: pp / 1000 };
  }

  /** Awaits a pipeline receive, counting its time as bubble. */
  async bubble<T>(work: Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work;
    } finally {
      this.bubbleMs += performance.now() - t0;
    }
  }

  /** The split of the time since reset(). */
  times(): StepTimes {
    const total = (performance.now() - this.startMs) / 1000;
    const communication = this.communicationMs / 1000;
    const bubble = this.bubbleMs / 1000;
    return { compute: Math.max(0, total - communication - bubble), communication, bubble, total };
  }
}
