/** Builds the report model once from the store (one run, or several for a comparison); every renderer reads only this. */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportSeries, type RunReport } from '../../../src-shared/report-schema.js';
import type { RunStore } from '../store/run-store.js';
import { compareRuns, predictionChecksOf } from './report-comparison.js';
import { lossOf, measuredFiguresOf, rankStepsOf } from './report-figures.js';
import { deviceUseOf, inventoryOf } from './report-inventory.js';
import { runSpansOf, spanSummaryOf } from '../../../src-shared/run-spans.js';
import { strategyLabelOf } from '../../../src-shared/run-comparison.js';
import { spanEventsOf, tracedStepRange } from '../store/span-events.js';
import { slurmJobOf } from './report-slurm.js';

/** Traced steps a report carries (the latest ones): enough for a trace and a summary, without the whole of a long run. */
export const REPORT_SPAN_STEPS = 200;

/** Options of buildReport. */
export interface BuildReportOptions {
  /** Buckets per series (default 600): charts and CSV use these, the raw points stay in the store. */
  maxPointsPerSeries?: number;
  /** Most events read per run (default 200 000). */
  eventLimit?: number;
  nowMs?: number;
  /** Version written into `generator.version`. */
  version?: string;
}

/** Resolves `RUN[,RUN...]` (`latest` = the newest run) to stored run ids; an unknown id is `bad-input`. */
export function resolveRunIds(store: RunStore, spec: string): string[] {
  const wanted = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) throw new ShardScopeError('bad-input', 'no run given (use a run id, several separated by commas, or "latest")');
  const runs = store.listRuns();
  const ids = wanted.map((id) => {
    if (id === 'latest') {
      if (runs.length === 0) throw new ShardScopeError('bad-input', 'no runs in the store, so there is no "latest"');
      return runs[0].id;
    }
    if (!runs.some((r) => r.id === id)) throw new ShardScopeError('bad-input', `no run "${id}" in the store (see shardscope runs)`);
    return id;
  });
  return [...new Set(ids)];
}

function worldSizeOf(strategy: Record<string, unknown>, rankCount: number): number {
  const grid = ['dp', 'tp', 'pp'].reduce((n, k) => n * (typeof strategy[k] === 'number' ? (strategy[k] as number) : 1), 1);
  return rankCount > 0 ? rankCount : grid;
}

/** The report of one stored run. */
export function buildRunReport(store: RunStore, id: string, options: BuildReportOptions = {}): RunReport {
  const details = store.runDetails(id, options.eventLimit ?? 200_000);
  const { run } = details;
  const series: ReportSeries[] = store.runSeries(id, { maxPoints: options.maxPointsPerSeries ?? 600 }).map((s) => ({
    host: s.host, gpuIndex: s.gpuIndex, metric: s.metric, source: s.source, rawCount: s.rawCount,
    points: s.buckets.map((b) => ({ timestampMs: b.startMs, min: b.min, max: b.max, avg: b.avg })),
  }));
  const rankSteps = rankStepsOf(details.events);
  const worldSize = worldSizeOf(run.strategy, details.ranks.length);
  const measured = measuredFiguresOf(details, rankSteps, series, worldSize);
  const traced = tracedStepRange(store, id);
  const runSpans = runSpansOf(traced ? spanEventsOf(store, id, Math.max(traced.firstStep, traced.lastStep - REPORT_SPAN_STEPS + 1), traced.lastStep) : []);
  const stages = typeof run.strategy.pp === 'number' ? run.strategy.pp : 1;
  const microBatches = typeof run.strategy.microBatches === 'number' ? run.strategy.microBatches : 1;
  const slurm = slurmJobOf(details);
  return {
    id: run.id, engine: run.engine, status: run.status, error: run.error,
    startedAtMs: run.startedAtMs, endedAtMs: run.endedAtMs,
    durationSeconds: Math.max(0, ((run.endedAtMs ?? options.nowMs ?? Date.now()) - run.startedAtMs) / 1000),
    model: run.model, strategy: run.strategy, strategyLabel: `${run.engine === 'tfjs' ? '' : `${run.engine} `}${strategyLabelOf(run.strategy)}`, worldSize,
    inventory: inventoryOf(details.events, details.ranks, run.hosts),
    ranks: details.ranks,
    ...(deviceUseOf(details.events) ? { rankDevices: deviceUseOf(details.events)!.ranks } : {}),
    plan: run.plan ?? null, prediction: run.prediction ?? null,
    measured,
    predictionChecks: predictionChecksOf(run.prediction, run.plan, measured),
    rankSteps, loss: lossOf(rankSteps), series,
    ...(runSpans.windows.length > 0 ? { spans: { ...runSpans, summary: spanSummaryOf(runSpans, stages, microBatches) } } : {}),
    ...(slurm ? { slurm } : {}),
  };
}

/** The report of `runIds` (two or more make a comparison). */
export function buildReport(store: RunStore, runIds: string[], options: BuildReportOptions = {}): Report {
  if (runIds.length === 0) throw new ShardScopeError('bad-input', 'a report needs at least one run');
  const runs = runIds.map((id) => buildRunReport(store, id, options));
  const comparison = runs.length > 1 ? compareRuns(runs) : null;
  const title = comparison
    ? `ShardScope comparison: ${comparison.rows.map((r) => r.label).join(' vs ')}`
    : `ShardScope report: run ${runs[0].id} (${String(runs[0].model.name ?? 'model')}, ${runs[0].strategyLabel})`;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generator: { name: 'shardscope', version: options.version ?? 'dev' },
    generatedAtMs: options.nowMs ?? Date.now(),
    title,
    runs,
    comparison,
  };
}
