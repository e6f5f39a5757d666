/** A stored run's spans (from its `spans` and `run-start` events) and what they add up to, for reports, the trace and the timeline. */
import type { RunStartEvent, SpansEvent } from './engine-events.js';
import type { RankRecord, StoredEvent } from './run-record.js';
import { idealBubbleFraction, summariseSteps, type RankStepWindow, type StepSpanSummary } from './span-summary.js';
import type { ClockAlignment, OperatorTotal, RankSpan } from './trace-spans.js';

/** Every span of a run with the step windows and the clock alignment of each rank. */
export interface RunSpans {
  spans: RankSpan[];
  windows: RankStepWindow[];
  clocks: Array<ClockAlignment & { rank: number }>;
  /** Per rank, operators summed over the profiled steps, most self time first (torch.profiler runs; empty otherwise). */
  operators: Array<OperatorTotal & { rank: number }>;
}

/** Per-rank means over the traced steps, and the pipeline bubble against its ideal. */
export interface SpanSummary {
  tracedSteps: number;
  perRank: Array<{ rank: number; totalMs: number; computeMs: number; exposedCommunicationMs: number; bubbleMs: number; waitMs: number; idleMs: number; slowestInSteps: number }>;
  /** Measured pipeline bubble (pp waits over the forward/backward window), mean over traced steps; null without pp. */
  bubbleFractionMeasured: number | null;
  /** (p - 1) / (m + p - 1) of the run's stages and micro-batches; null without pp. */
  bubbleFractionIdeal: number | null;
  /** (measured - ideal) / ideal. */
  bubbleFractionError: number | null;
  steps: StepSpanSummary[];
}

/** Spans, windows and clocks out of stored events (other events are ignored). */
export function runSpansOf(events: StoredEvent[]): RunSpans {
  const spans: RankSpan[] = [];
  const windows: RankStepWindow[] = [];
  const clocks: RunSpans['clocks'] = [];
  const operators = new Map<string, OperatorTotal & { rank: number }>();
  for (const e of events) {
    if (e.type === 'spans') {
      const d = e.data as unknown as SpansEvent;
      if (!Array.isArray(d.spans) || typeof d.step !== 'number') continue;
      windows.push({ rank: d.rank, step: d.step, stepStartMs: d.stepStartMs, stepEndMs: d.stepEndMs });
      for (const s of d.spans) spans.push({ ...s, rank: d.rank, step: d.step });
      for (const op of d.operators ?? []) {
        const key = `${d.rank}\u0000${op.name}`;
        const sum = operators.get(key) ?? { rank: d.rank, name: op.name, calls: 0, selfMs: 0, totalMs: 0 };
        operators.set(key, { ...sum, calls: sum.calls + op.calls, selfMs: sum.selfMs + op.selfMs, totalMs: sum.totalMs + op.totalMs });
      }
    } else if (e.type === 'run-start') {
      const d = e.data as unknown as RunStartEvent;
      if (d.clock) clocks.push({ rank: d.rank, ...d.clock });
    }
  }
  spans.sort((a, b) => a.startMs - b.startMs);
  windows.sort((a, b) => a.step - b.step || a.rank - b.rank);
  clocks.sort((a, b) => a.rank - b.rank);
  const topOperators = [...operators.values()].sort((a, b) => a.rank - b.rank || b.selfMs - a.selfMs);
  return { spans, windows, clocks, operators: topOperators };
}

/** The summary of a run's spans; `stages` and `microBatches` come from its strategy. Null when no step was traced. */
export function spanSummaryOf(run: RunSpans, stages: number, microBatches: number): SpanSummary | null {
  if (run.windows.length === 0) return null;
  const steps = summariseSteps(run.windows, run.spans);
  const ranks = [...new Set(run.windows.map((w) => w.rank))].sort((a, b) => a - b);
  const perRank = ranks.map((rank) => {
    const rows = steps.flatMap((s) => s.ranks.filter((r) => r.rank === rank));
    const mean = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((sum, r) => sum + pick(r), 0) / Math.max(1, rows.length);
    return {
      rank, totalMs: mean((r) => r.totalMs), computeMs: mean((r) => r.computeMs), exposedCommunicationMs: mean((r) => r.exposedCommunicationMs),
      bubbleMs: mean((r) => r.bubbleMs), waitMs: mean((r) => r.waitMs), idleMs: mean((r) => r.idleMs),
      slowestInSteps: steps.filter((s) => s.slowestRank === rank).length,
    };
  });
  const bubbles = steps.map((s) => s.bubbleFraction).filter((b): b is number => b !== null);
  const measured = bubbles.length > 0 ? bubbles.reduce((a, b) => a + b, 0) / bubbles.length : null;
  const ideal = stages > 1 ? idealBubbleFraction(stages, microBatches) : null;
  return {
    tracedSteps: steps.length, perRank,
    bubbleFractionMeasured: measured, bubbleFractionIdeal: ideal,
    bubbleFractionError: measured !== null && ideal ? (measured - ideal) / ideal : null,
    steps,
  };
}

/** What the timeline view gets for a run: its ranks (host, device), spans, clocks and their summary. */
export interface RunTimeline extends RunSpans {
  runId: string;
  /** The steps this timeline holds, and all the steps the run traced (a long run is shown a window at a time). */
  steps: { firstStep: number; lastStep: number; tracedFirstStep: number; tracedLastStep: number } | null;
  ranks: RankRecord[];
  summary: SpanSummary | null;
}
