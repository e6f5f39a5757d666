/**
 * Per-rank compute / communication / bubble spans of every step in the Chrome Trace Event format
 * (opens in Perfetto and chrome://tracing). The engine reports each part's total per step, not when
 * it happened, so the parts are laid end to end inside the step, ending where the step ended.
 */
import type { Report } from '../../../src-shared/report-schema.js';

/** One Trace Event (the fields this export uses). */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'M' | 'C';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: Record<string, unknown>;
}

/** A Trace Event file: `{traceEvents, displayTimeUnit, otherData}`. */
export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, unknown>;
}

/** Process id of a rank: the rank itself for one run; run index x 1000 + rank in a comparison. */
export function tracePid(runIndex: number, rank: number, runCount: number): number {
  return runCount === 1 ? rank : runIndex * 1000 + rank;
}

/** The trace of a report; times are microseconds since the earliest run start. */
export function renderTrace(report: Report): TraceFile {
  const originMs = Math.min(...report.runs.map((r) => r.startedAtMs));
  const events: TraceEvent[] = [];
  report.runs.forEach((run, runIndex) => {
    const ranks = [...new Set([...run.ranks.map((r) => r.rank), ...run.rankSteps.map((s) => s.rank)])].sort((a, b) => a - b);
    for (const rank of ranks) {
      const pid = tracePid(runIndex, rank, report.runs.length);
      const host = run.ranks.find((r) => r.rank === rank);
      const label = `${report.runs.length > 1 ? `${run.strategyLabel} ` : ''}rank ${rank}${host ? ` (${host.host} ${host.device})` : ''}`;
      events.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: label } });
      events.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: 0, args: { sort_index: pid } });
      events.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: 'training steps' } });
    }
    for (const s of run.rankSteps) {
      const pid = tracePid(runIndex, s.rank, report.runs.length);
      const endUs = (s.endTimestampMs - originMs) * 1000;
      const parts = [['compute', s.computeSeconds], ['communication', s.communicationSeconds], ['bubble', s.bubbleSeconds]] as const;
      const totalUs = Math.max(s.totalSeconds, parts.reduce((sum, [, sec]) => sum + sec, 0)) * 1e6;
      let at = endUs - totalUs;
      events.push({
        name: `step ${s.step}`, cat: 'step', ph: 'X', ts: at, dur: totalUs, pid, tid: 0,
        args: { run: run.id, step: s.step, rank: s.rank, totalSeconds: s.totalSeconds, bytesSent: s.bytesSent, loss: s.loss },
      });
      for (const [name, seconds] of parts) {
        if (seconds <= 0) continue;
        events.push({ name, cat: name, ph: 'X', ts: at, dur: seconds * 1e6, pid, tid: 0, args: { step: s.step, seconds } });
        at += seconds * 1e6;
      }
      if (s.loss !== null) events.push({ name: 'loss', ph: 'C', ts: endUs, pid, tid: 0, args: { loss: s.loss } });
    }
  });
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: { generator: 'shardscope', schemaVersion: report.schemaVersion, runs: report.runs.map((r) => r.id), originTimestampMs: originMs },
  };
}
