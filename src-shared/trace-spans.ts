/**
 * Spans of a training run: what a rank did, when, on the run's one clock (rank 0's, in epoch ms).
 * The worker records them (src-worker/engine/span-recorder.ts), they travel as `spans` engine events,
 * and the trace export, the timeline view and the reports read them.
 */
import { ShardScopeError } from './errors.js';

/** What a span is: compute (forward, backward, optimizer, data; `operator` from torch.profiler), or a collective. */
export type SpanKind = 'forward' | 'backward' | 'optimizer' | 'data' | 'operator' | 'collective';

/** Kinds that keep the rank's compute busy (the rest is communication or waiting). */
export const COMPUTE_SPAN_KINDS: readonly SpanKind[] = ['forward', 'backward', 'optimizer', 'data', 'operator'];

/** One span of one rank, as the worker emits it (rank and step are on the enclosing event). */
export interface EngineSpan {
  kind: SpanKind;
  /** Starts with the kind, or with the collective's op for a collective: `forward`, `allReduce`, `recv`, ... */
  name: string;
  /** Start on the run clock (rank 0's clock, epoch ms with sub-ms precision). */
  startMs: number;
  durationMs: number;
  /** Pipeline stage of the rank (every span of a rank carries it). */
  stage: number;
  microBatch?: number;
  /** Group label of a collective (`dp`, `tp`, `pp`, `world`). */
  group?: string;
  /** Payload bytes a collective sent plus received on this rank. */
  bytes?: number;
  /** Of a collective: time from its start until the first byte from a peer arrived (waiting, not transfer). */
  waitMs?: number;
  /** Thread of a torch.profiler span (0, 1, ... in order of appearance); absent for the built-in engine. */
  thread?: number;
}

/** One operator's totals over a profiled step (torch.profiler's key averages). */
export interface OperatorTotal {
  name: string;
  calls: number;
  selfMs: number;
  totalMs: number;
}

/** A span with the rank and step it belongs to (as stored and exported). */
export interface RankSpan extends EngineSpan {
  rank: number;
  step: number;
}

/** How a rank's clock was aligned to rank 0's at rendezvous (NTP-style ping exchange). */
export interface ClockAlignment {
  /** Added to this rank's clock to get rank 0's (0 on rank 0). */
  offsetMs: number;
  /** Half the smallest round-trip of the exchange: the offset is right within this. */
  errorMs: number;
  roundTrips: number;
}

/** Steps whose spans a run records: an inclusive range, or none. */
export interface TraceWindow {
  firstStep: number;
  lastStep: number;
}

/** Parses `A-B` (or one step `A`, or `none`) as given to `run --trace-steps`; null for `none`; `bad-input` otherwise. */
export function parseStepRange(text: string, flag: string): TraceWindow | null {
  if (text === 'none') return null;
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) throw new ShardScopeError('bad-input', `${flag} must be A-B (steps, from 0), A, or none; got "${text}"`);
  const firstStep = Number(match[1]);
  const lastStep = match[2] === undefined ? firstStep : Number(match[2]);
  if (lastStep < firstStep) throw new ShardScopeError('bad-input', `${flag}: ${lastStep} is before ${firstStep}`);
  return { firstStep, lastStep };
}

/** True when `step` is inside the window (undefined window = every step). */
export function isTracedStep(window: TraceWindow | null | undefined, step: number): boolean {
  if (window === undefined) return true;
  return window !== null && step >= window.firstStep && step <= window.lastStep;
}
