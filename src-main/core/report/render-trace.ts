/**
 * A report as a Chrome Trace Event file (opens in Perfetto and chrome://tracing): one process per
 * rank, named with its host and device, holding the rank's spans at their real times on the run
 * clock (rank 0's; each rank aligned at rendezvous): compute on thread 0 (steps, forward, backward,
 * optimizer, data), collectives on thread 1 with the wait before their first byte as a `wait` child.
 * Memory and power series are counters of one process per host, on the same clock. A run recorded
 * without spans (older runs, `--trace-steps none`) gets only its steps' compute / communication /
 * bubble totals, laid end to end inside each step, since their times were not recorded.
 */
import type { Report, RunReport } from '../../../src-shared/report-schema.js';

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

/** Thread of a rank's compute spans and of its collectives. */
export const COMPUTE_TID = 0;
export const COMMUNICATION_TID = 1;
/** Host counter processes are numbered from here (within a run's block of 1000). */
const HOST_PID_BASE = 900;
/** Series shown as counters: memory and power. */
const COUNTER_METRIC = /memory|power/i;

/** Process id of a rank: the rank itself for one run; run index x 1000 + rank in a comparison. */
export function tracePid(runIndex: number, rank: number, runCount: number): number {
  return runCount === 1 ? rank : runIndex * 1000 + rank;
}

function meta(pid: number, tid: number, name: string, args: Record<string, unknown>): TraceEvent {
  return { name, ph: 'M', ts: 0, pid, tid, args };
}

/** The trace of a report; times are microseconds since the earliest run start. */
export function renderTrace(report: Report): TraceFile {
  const originMs = Math.min(...report.runs.map((r) => r.startedAtMs));
  const events: TraceEvent[] = [];
  const us = (ms: number) => Math.round((ms - originMs) * 1000 * 1000) / 1000;
  report.runs.forEach((run, runIndex) => {
    const pidOf = (rank: number) => tracePid(runIndex, rank, report.runs.length);
    const ranks = [...new Set([...run.ranks.map((r) => r.rank), ...run.rankSteps.map((s) => s.rank)])].sort((a, b) => a - b);
    for (const rank of ranks) {
      const pid = pidOf(rank);
      const placed = run.ranks.find((r) => r.rank === rank);
      const clock = run.spans?.clocks.find((c) => c.rank === rank);
      const label = `${report.runs.length > 1 ? `${run.strategyLabel} ` : ''}rank ${rank}${placed ? ` (${placed.host} ${placed.device})` : ''}`;
      events.push(meta(pid, 0, 'process_name', { name: label }));
      events.push(meta(pid, 0, 'process_sort_index', { sort_index: pid }));
      if (clock) events.push(meta(pid, 0, 'process_labels', { labels: `clock offset ${clock.offsetMs.toFixed(3)} ms ± ${clock.errorMs.toFixed(3)} ms` }));
      events.push(meta(pid, COMPUTE_TID, 'thread_name', { name: run.spans ? 'compute' : 'training steps' }));
      if (run.spans) events.push(meta(pid, COMMUNICATION_TID, 'thread_name', { name: 'communication' }));
    }
    if (run.spans) events.push(...spanEvents(run, pidOf, us));
    else events.push(...stepTotalEvents(run, pidOf, us));
    events.push(...counterEvents(run, runIndex * 1000 + HOST_PID_BASE, us));
  });
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: {
      generator: 'shardscope', schemaVersion: report.schemaVersion, runs: report.runs.map((r) => r.id), originTimestampMs: originMs,
      clock: 'span times are on rank 0\'s clock of each run; other ranks were aligned to it at rendezvous (offset and error in each rank\'s process labels)',
    },
  };
}

/** Steps, compute spans and collectives (with their waits) at their real times. */
function spanEvents(run: RunReport, pidOf: (rank: number) => number, us: (ms: number) => number): TraceEvent[] {
  const spans = run.spans!;
  const out: TraceEvent[] = [];
  const threads = new Set<string>();
  for (const w of spans.windows) {
    const loss = run.rankSteps.find((s) => s.step === w.step && s.rank === w.rank)?.loss ?? null;
    out.push({
      name: `step ${w.step}`, cat: 'step', ph: 'X', ts: us(w.stepStartMs), dur: (w.stepEndMs - w.stepStartMs) * 1000, pid: pidOf(w.rank), tid: COMPUTE_TID,
      args: { run: run.id, rank: w.rank, step: w.step, ...(loss === null ? {} : { loss }) },
    });
  }
  for (const s of spans.spans) {
    const args = { rank: s.rank, stage: s.stage, step: s.step, ...(s.microBatch === undefined ? {} : { microBatch: s.microBatch }), ...(s.bytes === undefined ? {} : { bytes: s.bytes }) };
    const name = s.microBatch === undefined || s.kind === 'collective' ? s.name : `${s.name} mb ${s.microBatch}`;
    // torch.profiler operators keep their threads (autograd runs backward on its own): threads 2, 3, ...
    const tid = s.kind === 'collective' ? COMMUNICATION_TID : s.thread === undefined ? COMPUTE_TID : 2 + s.thread;
    if (s.thread !== undefined && !threads.has(`${s.rank}:${s.thread}`)) {
      threads.add(`${s.rank}:${s.thread}`);
      out.push(meta(pidOf(s.rank), tid, 'thread_name', { name: `torch.profiler thread ${s.thread}` }));
    }
    const cat = s.kind === 'collective' ? `collective,${s.group ?? ''}` : s.kind;
    out.push({ name, cat, ph: 'X', ts: us(s.startMs), dur: s.durationMs * 1000, pid: pidOf(s.rank), tid, args: s.waitMs === undefined ? args : { ...args, waitMs: s.waitMs } });
    if (s.kind === 'collective' && (s.waitMs ?? 0) > 0) {
      out.push({ name: `wait ${s.name}`, cat: 'wait', ph: 'X', ts: us(s.startMs), dur: Math.min(s.waitMs!, s.durationMs) * 1000, pid: pidOf(s.rank), tid, args });
    }
  }
  return out;
}

/** Runs without spans: each step's totals end to end, ending where the step ended (their real order is unknown). */
function stepTotalEvents(run: RunReport, pidOf: (rank: number) => number, us: (ms: number) => number): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const s of run.rankSteps) {
    const pid = pidOf(s.rank);
    const endUs = us(s.endTimestampMs);
    const parts = [['compute', s.computeSeconds], ['communication', s.communicationSeconds], ['bubble', s.bubbleSeconds]] as const;
    const totalUs = Math.max(s.totalSeconds, parts.reduce((sum, [, sec]) => sum + sec, 0)) * 1e6;
    let at = endUs - totalUs;
    out.push({
      name: `step ${s.step}`, cat: 'step', ph: 'X', ts: at, dur: totalUs, pid, tid: 0,
      args: { run: run.id, step: s.step, rank: s.rank, totalSeconds: s.totalSeconds, bytesSent: s.bytesSent, loss: s.loss },
    });
    for (const [name, seconds] of parts) {
      if (seconds <= 0) continue;
      out.push({ name, cat: name, ph: 'X', ts: at, dur: seconds * 1e6, pid, tid: 0, args: { step: s.step, seconds } });
      at += seconds * 1e6;
    }
  }
  return out;
}

/** Memory and power series as counters, one process per host (GPU series named with their index). */
function counterEvents(run: RunReport, firstPid: number, us: (ms: number) => number): TraceEvent[] {
  const out: TraceEvent[] = [];
  const hosts = [...new Set(run.series.filter((s) => COUNTER_METRIC.test(s.metric)).map((s) => s.host))].sort();
  hosts.forEach((host, i) => {
    const pid = firstPid + i;
    out.push(meta(pid, 0, 'process_name', { name: `host ${host} (samples)` }));
    out.push(meta(pid, 0, 'process_sort_index', { sort_index: 100_000 + pid }));
    for (const series of run.series.filter((s) => s.host === host && COUNTER_METRIC.test(s.metric))) {
      const name = `${series.metric}${series.gpuIndex === null ? '' : ` gpu${series.gpuIndex}`} (${series.source})`;
      for (const p of series.points) out.push({ name, ph: 'C', ts: us(p.timestampMs), pid, tid: 0, args: { value: p.avg } });
    }
  });
  return out;
}
