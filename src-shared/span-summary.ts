/**
 * What the spans say about a step, per rank and for the whole run: compute, exposed communication,
 * waiting (split into pipeline bubble and waits for other ranks), idle, the slowest rank, and the
 * measured pipeline bubble next to the GPipe/1F1B figure (p - 1) / (m + p - 1).
 * The built-in engine's collectives block, and compute spans contain the ones they call (TP), so
 * compute counts a compute span's time outside collectives, and every collective's time is exposed.
 */
import { COMPUTE_SPAN_KINDS, type RankSpan } from './trace-spans.js';

/** A step's window on one rank (from the `spans` event). */
export interface RankStepWindow {
  rank: number;
  step: number;
  stepStartMs: number;
  stepEndMs: number;
}

/** One rank's step, from its spans (milliseconds). */
export interface RankStepSpanSummary {
  rank: number;
  step: number;
  totalMs: number;
  computeMs: number;
  /** Collective time moving bytes (after the first byte arrived), not hidden behind compute. */
  exposedCommunicationMs: number;
  /** Waiting for a neighbouring pipeline stage (pp receives before their first byte). */
  bubbleMs: number;
  /** Waiting for other ranks in dp/tp/world collectives (a straggler shows up here on its peers). */
  waitMs: number;
  /** Step time covered by no span (host overhead between ops). */
  idleMs: number;
}

/** One step across ranks. */
export interface StepSpanSummary {
  step: number;
  ranks: RankStepSpanSummary[];
  /** The rank with the most compute in the step (the one others wait for). */
  slowestRank: number;
  /** Pipeline bubble: pp waits over the forward/backward window, mean over ranks; null without pp. */
  bubbleFraction: number | null;
}

type Interval = [number, number];

/** Merged, sorted union of intervals. */
function union(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function length(intervals: Interval[]): number {
  return intervals.reduce((sum, [a, b]) => sum + (b - a), 0);
}

/** Length of `a` not covered by `b` (both unions). */
function lengthOutside(a: Interval[], b: Interval[]): number {
  let covered = 0;
  for (const [a0, a1] of a) for (const [b0, b1] of b) covered += Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  return length(a) - covered;
}

/** Summary of one rank's step. */
export function summariseRankStep(window: RankStepWindow, spans: RankSpan[]): RankStepSpanSummary {
  const compute = union(spans.filter((s) => COMPUTE_SPAN_KINDS.includes(s.kind)).map((s) => [s.startMs, s.startMs + s.durationMs]));
  const collectives = spans.filter((s) => s.kind === 'collective');
  const waitOf = (s: RankSpan): Interval => [s.startMs, s.startMs + Math.min(s.waitMs ?? 0, s.durationMs)];
  const transfer = union(collectives.map((s) => [waitOf(s)[1], s.startMs + s.durationMs]));
  const bubble = union(collectives.filter((s) => s.group === 'pp').map(waitOf));
  const waits = union(collectives.filter((s) => s.group !== 'pp').map(waitOf));
  const collectiveTimes = union(collectives.map((s) => [s.startMs, s.startMs + s.durationMs]));
  const busy = union([...compute, ...collectiveTimes]);
  const totalMs = Math.max(0, window.stepEndMs - window.stepStartMs);
  return {
    rank: window.rank, step: window.step, totalMs,
    computeMs: lengthOutside(compute, collectiveTimes),
    exposedCommunicationMs: length(transfer),
    bubbleMs: length(bubble),
    waitMs: length(waits),
    idleMs: Math.max(0, totalMs - length(busy)),
  };
}

/** Summaries of every traced step: per rank, the slowest rank and the pipeline bubble. */
export function summariseSteps(windows: RankStepWindow[], spans: RankSpan[]): StepSpanSummary[] {
  const byKey = new Map<string, RankSpan[]>();
  for (const s of spans) {
    const key = `${s.step}:${s.rank}`;
    let list = byKey.get(key);
    if (!list) byKey.set(key, list = []);
    list.push(s);
  }
  const steps = [...new Set(windows.map((w) => w.step))].sort((a, b) => a - b);
  return steps.map((step) => {
    const stepWindows = windows.filter((w) => w.step === step).sort((a, b) => a.rank - b.rank);
    const ranks = stepWindows.map((w) => summariseRankStep(w, byKey.get(`${step}:${w.rank}`) ?? []));
    const slowest = ranks.reduce((best, r) => (r.computeMs > best.computeMs ? r : best), ranks[0]);
    return { step, ranks, slowestRank: slowest?.rank ?? 0, bubbleFraction: pipelineBubble(stepWindows.map((w) => byKey.get(`${step}:${w.rank}`) ?? [])) };
  });
}

/** pp waits inside [first forward start, last backward end] of the step, over that window, mean over ranks; null without pp traffic. */
export function pipelineBubble(spansByRank: RankSpan[][]): number | null {
  const all = spansByRank.flat();
  if (!all.some((s) => s.group === 'pp')) return null;
  const passes = all.filter((s) => s.kind === 'forward' || s.kind === 'backward');
  if (passes.length === 0) return null;
  const from = Math.min(...passes.map((s) => s.startMs));
  const to = Math.max(...passes.map((s) => s.startMs + s.durationMs));
  if (!(to > from)) return null;
  const fractions = spansByRank.map((spans) => {
    const waits = union(spans.filter((s) => s.kind === 'collective' && s.group === 'pp')
      .map((s): Interval => [Math.max(from, s.startMs), Math.min(to, s.startMs + Math.min(s.waitMs ?? 0, s.durationMs))]));
    return length(waits) / (to - from);
  });
  return fractions.reduce((a, b) => a + b, 0) / fractions.length;
}

/** The GPipe/1F1B bubble fraction (p - 1) / (m + p - 1) for p stages and m micro-batches. */
export function idealBubbleFraction(stages: number, microBatches: number): number {
  return (stages - 1) / (microBatches + stages - 1);
}
