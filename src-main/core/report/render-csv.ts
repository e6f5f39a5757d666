/** The report's time series as CSV files, one per series group (a metric, the per-rank steps, the loss); units in the headers. */
import type { Report, RunReport } from '../../../src-shared/report-schema.js';

/** One CSV file of the export. */
export interface CsvFile {
  name: string;
  text: string;
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(columns: string[], rows: Array<Array<string | number | null>>): string {
  return [columns, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** One wide file per metric: `timestampMs` then one column per host/GPU, named `<host>.gpu<i>.<metric>` (the metric carries its unit). */
function metricFiles(run: RunReport): CsvFile[] {
  const groups = [...new Set(run.series.map((s) => `${s.gpuIndex === null ? 'host' : 'gpu'}-${s.metric}`))].sort();
  return groups.map((group) => {
    const metric = group.slice(group.indexOf('-') + 1);
    const isGpu = group.startsWith('gpu-');
    const series = run.series.filter((s) => s.metric === metric && (s.gpuIndex !== null) === isGpu).sort((a, b) => a.host.localeCompare(b.host) || (a.gpuIndex ?? -1) - (b.gpuIndex ?? -1));
    const columns = series.map((s) => (s.gpuIndex === null ? `${s.host}.${metric}` : `${s.host}.gpu${s.gpuIndex}.${metric}`));
    const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.timestampMs)))].sort((a, b) => a - b);
    const lookup = series.map((s) => new Map(s.points.map((p) => [p.timestampMs, p.avg])));
    const rows = times.map((t) => [t, ...lookup.map((m) => m.get(t) ?? null)]);
    return { name: `${safe(group)}.csv`, text: csv(['timestampMs', ...columns], rows) };
  });
}

/** The files of one run (names without a run prefix). */
export function runCsvFiles(run: RunReport): CsvFile[] {
  const steps = csv(
    ['step', 'rank', 'endTimestampMs', 'computeSeconds', 'communicationSeconds', 'bubbleSeconds', 'totalSeconds', 'bytesSent', 'frameworkMemoryPeakBytes', 'loss'],
    run.rankSteps.map((s) => [s.step, s.rank, s.endTimestampMs, s.computeSeconds, s.communicationSeconds, s.bubbleSeconds, s.totalSeconds, s.bytesSent, s.frameworkMemoryPeakBytes, s.loss]),
  );
  const perHost = run.measured.energy.perHost ?? [];
  const gpuUse = run.inventory.hosts.flatMap((h) => h.gpus.map((g) => [h.id, g.index, g.name, g.usedByRun === undefined || g.usedByRun === null ? '' : String(g.usedByRun), (g.ranks ?? []).join(' ')]));
  return [
    ...metricFiles(run),
    { name: 'energy-per-host.csv', text: csv(['host', 'gpuJoules', 'cpuJoules', 'cpuSource'], perHost.map((h) => [h.host, h.gpuJoules, h.cpuJoules, h.cpuSource])) },
    { name: 'gpu-use.csv', text: csv(['host', 'gpuIndex', 'gpu', 'usedByRun', 'ranks'], gpuUse) },
    // per rank: its processes' peak GPU memory, and its GPU's mean utilisation/power (device-level, shared by gpuSharedByRanks ranks)
    { name: 'rank-gpus.csv', text: csv(['rank', 'host', 'device', 'gpuIndexes', 'peakGpuMemoryBytes', 'meanGpuUtilisationPercent', 'meanGpuPowerWatts', 'gpuSharedByRanks'],
      (run.rankDevices ?? []).map((r) => [r.rank, r.host, r.device, r.gpuIndexes.join(' '), r.peakGpuMemoryBytes, r.meanGpuUtilisationPercent ?? null, r.meanGpuPowerWatts ?? null, r.gpuSharedByRanks ?? ''])) },
    { name: 'rank-steps.csv', text: steps },
    { name: 'loss.csv', text: csv(['step', 'loss'], run.loss.map((l) => [l.step, l.loss])) },
  ];
}

/** All files of the report: a single run's as they are, a comparison's prefixed by run id, plus the comparison table. */
export function renderCsvFiles(report: Report): CsvFile[] {
  if (report.runs.length === 1) return runCsvFiles(report.runs[0]);
  const files = report.runs.flatMap((run) => runCsvFiles(run).map((f) => ({ name: `${safe(run.id)}-${f.name}`, text: f.text })));
  const c = report.comparison;
  if (c) {
    files.push({
      name: 'comparison.csv',
      text: csv(['runId', 'strategy', 'label', 'status', 'steps', 'stepsPlanned', 'tokensPerSecond', 'joulesPerToken', 'stepTimeSeconds', 'mfu', 'bytesSentPerStepPerRank', 'peakMemoryBytes'],
        c.rows.map((r) => [r.runId, r.strategyLabel, r.label, r.status, r.steps, r.stepsPlanned, r.tokensPerSecond, r.joulesPerToken, r.stepTimeSeconds, r.mfu, r.bytesSentPerStepPerRank, r.peakMemoryBytes])),
    });
  }
  return files;
}
