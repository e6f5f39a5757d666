/** Figures derived from a run's stored step events and power series: throughput, bytes, energy. */
import type Database from 'better-sqlite3';
import type { HostEnergy, RunSummary } from '../../../src-shared/run-record.js';
import type { SampleSource } from '../../../src-shared/telemetry.js';
import { integratePower, runEnergy } from '../telemetry/energy.js';
import type { SeriesTable } from './series-table.js';

/** Metric name of GPU power series (per GPU) and of CPU power series (per host). */
export const GPU_POWER_METRIC = 'powerWatts';
export const CPU_POWER_METRIC = 'cpuPowerWatts';

/** Prepared queries of the summary. */
export class RunSummariser {
  private readonly steps: Database.Statement;
  private readonly bytes: Database.Statement;
  private readonly lastLoss: Database.Statement;
  private readonly hostSeries: Database.Statement;

  constructor(db: Database.Database, private readonly series: SeriesTable) {
    // every rank reports each step; tokens are the global batch's, the step lasts as long as its slowest rank
    this.steps = db.prepare(`SELECT count(*) AS steps, ifnull(sum(tokens), 0) AS tokens, ifnull(sum(seconds), 0) AS seconds FROM (
      SELECT json_extract(data_json, '$.step') AS step, max(json_extract(data_json, '$.tokens')) AS tokens,
             max(json_extract(data_json, '$.stepTimeSeconds.total')) AS seconds
      FROM events WHERE run = ? AND type = 'step' GROUP BY step)`);
    this.bytes = db.prepare(`SELECT j.key AS kind, sum(json_extract(j.value, '$.sent')) AS sent
      FROM events e, json_each(e.data_json, '$.bytes') j WHERE e.run = ? AND e.type = 'step' GROUP BY j.key ORDER BY j.key`);
    this.hostSeries = db.prepare(`SELECT DISTINCT host FROM series WHERE run = ? ORDER BY host`);
    this.lastLoss = db.prepare(`SELECT json_extract(data_json, '$.loss') FROM events
      WHERE run = ? AND type = 'step' AND json_extract(data_json, '$.loss') IS NOT NULL ORDER BY timestamp_ms DESC, id DESC LIMIT 1`).pluck();
  }

  /** Computes the summary of a run from what is stored now (works while it still runs). */
  summarise(run: string): RunSummary {
    const totals = this.steps.get(run) as { steps: number; tokens: number; seconds: number };
    const bytesByKind: Record<string, number> = {};
    for (const row of this.bytes.all(run) as { kind: string; sent: number | null }[]) bytesByKind[row.kind] = row.sent ?? 0;
    const bytesMoved = Object.values(bytesByKind).reduce((sum, bytes) => sum + bytes, 0);
    const lastLoss = (this.lastLoss.get(run) as number | undefined) ?? null;

    // Only the GPUs the run used have power series under the run (see runs/run-telemetry.ts).
    const perHost = new Map<string, HostEnergy>();
    const hostOf = (host: string): HostEnergy => {
      const known = perHost.get(host) ?? { host, gpuJoules: 0, cpuJoules: 0, cpuSource: null };
      perHost.set(host, known);
      return known;
    };
    for (const host of this.hostSeries.all(run) as { host: string }[]) hostOf(host.host);
    let gpuJoules = 0;
    let gapSeconds = 0;
    for (const series of this.series.seriesForRun(run, [GPU_POWER_METRIC])) {
      const energy = integratePower(this.series.points(series.id).map((p) => ({ timestampMs: p.timestampMs, powerWatts: p.value })));
      gpuJoules += energy.energyJoules;
      gapSeconds += energy.gapSeconds;
      hostOf(series.host).gpuJoules += energy.energyJoules;
    }
    let cpuJoules = 0;
    let cpuSource: SampleSource | null = null;
    for (const series of this.series.seriesForRun(run, [CPU_POWER_METRIC])) {
      const energy = integratePower(this.series.points(series.id).map((p) => ({ timestampMs: p.timestampMs, powerWatts: p.value })));
      cpuJoules += energy.energyJoules;
      // one estimated host makes the CPU figure an estimate
      cpuSource = series.source === 'estimated' || cpuSource === 'estimated' ? 'estimated' : 'measured';
      const host = hostOf(series.host);
      host.cpuJoules += energy.energyJoules;
      host.cpuSource = series.source === 'estimated' || host.cpuSource === 'estimated' ? 'estimated' : 'measured';
    }
    return {
      steps: totals.steps,
      tokens: totals.tokens,
      trainingSeconds: totals.seconds,
      tokensPerSecond: totals.seconds > 0 ? totals.tokens / totals.seconds : null,
      lastLoss,
      bytesMoved,
      bytesByKind,
      energy: runEnergy({ gpuJoules, cpuJoules, cpuSource, gapSeconds, steps: totals.steps, tokens: totals.tokens, perHost: [...perHost.values()].sort((a, b) => a.host.localeCompare(b.host)) }),
    };
  }
}
