/** The report as ONE self-contained HTML file: inline CSS, charts as inline SVG (ECharts SSR), the data behind every chart, no scripts to run. */
import type { Report, RunReport } from '../../../src-shared/report-schema.js';
import { comparisonCharts, runCharts, type ChartSpec } from './chart-specs.js';
import { spansHtml } from './spans-html.js';
import { slurmJobHtml } from './slurm-html.js';
import { formatBytesPerSecond } from '../../../src-shared/units.js';
import { progressText } from '../../../src-shared/run-comparison.js';
import { checkLabel, memorySourceLabel } from './check-labels.js';
import { RANK_GPU_HEADERS, RANK_GPU_SOURCE_NOTE, rankGpuCells } from '../../../src-shared/rank-gpu-figures.js';
import { chartFigure, esc, fmtBytes, fmtNumber, fmtPercent, keyValues, REPORT_CSS, scriptJson, table } from './html-parts.js';

/** Titles of the sections every run has (tests and readers find them by these). */
export const RUN_SECTION_TITLES = {
  inventory: 'Cluster inventory',
  plan: 'Plan and prediction',
  measured: 'Measured results',
  checks: 'Predicted vs measured',
  spans: 'Per-rank spans',
  memory: 'Memory',
  bandwidth: 'Bandwidth',
  energy: 'Power and energy',
  stepTime: 'Step-time breakdown',
  loss: 'Loss',
} as const;

function section(key: keyof typeof RUN_SECTION_TITLES, body: string): string {
  return `<section class="part" data-section="${key}"><h3>${esc(RUN_SECTION_TITLES[key])}</h3>\n${body}\n</section>`;
}

function inventoryHtml(run: RunReport): string {
  const inv = run.inventory;
  const hosts = table(['host', 'hostname', 'CPU', 'logical cores', 'memory', 'GPUs'],
    inv.hosts.map((h) => [h.id, h.hostname, h.cpuModel ?? '–', h.logicalCores ?? '–', fmtBytes(h.memoryBytes), h.gpus.length]));
  const useOf = (g: { usedByRun?: boolean | null; ranks?: number[] }) => (g.usedByRun === true ? `used (rank ${(g.ranks ?? []).join(', ')})` : g.usedByRun === false ? 'not used by this run' : '–');
  const gpus = inv.hosts.flatMap((h) => h.gpus.map((g) => [h.id, g.index, g.name, fmtBytes(g.memoryTotalBytes), fmtNumber(g.powerLimitWatts), g.pcieGeneration ? `PCIe ${g.pcieGeneration} x${g.pcieWidth ?? '?'}` : '–', useOf(g)]));
  const links = inv.hosts.flatMap((h) => h.links.map((l) => [h.id, l.from, l.to, l.connection]));
  const bandwidth = inv.measuredBandwidth.map((b) => [b.from, b.to, b.kind, formatBytesPerSecond(b.bytesPerSecond)]);
  // with an attribution kept: each rank's GPU memory, utilisation and power (where it used a GPU)
  const devices = run.rankDevices;
  const withGpus = devices?.some((d) => d.gpuIndexes.length > 0) ?? false;
  const ranks = table(['rank', 'host', 'device', 'backend', 'parameters on rank', ...(withGpus ? RANK_GPU_HEADERS : [])],
    run.ranks.map((r) => [r.rank, r.host, r.device, r.backend, r.paramsOnRank, ...(withGpus ? rankGpuCells(devices?.find((d) => d.rank === r.rank)) : [])]), 'ranks');
  return [
    inv.origin === 'ranks' ? '<p class="note">No inventory was recorded with this run; hosts and devices are those its ranks reported.</p>' : '',
    '<h4>Hosts</h4>', hosts,
    '<h4>GPUs</h4>', gpus.length > 0 ? table(['host', 'index', 'GPU', 'memory', 'power limit (W)', 'PCIe', 'this run'], gpus) : '<p class="note">No GPU on these hosts.</p>',
    '<h4>Links</h4>', links.length > 0 ? table(['host', 'from', 'to', 'connection'], links) : '<p class="note">No device topology recorded.</p>',
    '<h4>Measured bandwidth</h4>', bandwidth.length > 0 ? table(['from', 'to', 'kind', 'bandwidth'], bandwidth) : '<p class="note">No bandwidth measurement recorded with this run.</p>',
    '<h4>Ranks</h4>', ranks, withGpus ? `<p class="note">${esc(RANK_GPU_SOURCE_NOTE)}</p>` : '',
  ].join('\n');
}

function planHtml(run: RunReport): string {
  const p = (run.prediction ?? run.plan) as Record<string, any> | null;
  const strategy = Object.entries(run.strategy).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
  const rows: Array<[string, string]> = [
    ['model', Object.entries(run.model).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${String(v)}`).join(', ')],
    ['strategy', strategy], ['engine', run.engine], ['world size', String(run.worldSize)],
  ];
  if (p) {
    rows.push(
      ['planned for', `${p.cluster?.gpus ?? '?'} x ${p.cluster?.gpu ?? '?'}`],
      ['predicted memory per GPU', `${fmtBytes(p.memoryPerGpuBytes?.total)} (weights ${fmtBytes(p.memoryPerGpuBytes?.weights)}, optimizer ${fmtBytes(p.memoryPerGpuBytes?.optimizer)}, activations ${fmtBytes(p.memoryPerGpuBytes?.activations)})`],
      ['predicted step time', `${fmtNumber(p.stepTimeSeconds)} s`], ['predicted tokens/s', fmtNumber(p.tokensPerSecond)],
      ['predicted TFLOP/s per GPU / MFU', `${fmtNumber(p.tflopsPerGpu)} / ${fmtNumber(p.mfu)}`], ['predicted J/token', fmtNumber(p.joulesPerToken)],
    );
  }
  return `${keyValues(rows)}${p ? '' : '<p class="note">This run kept no plan or prediction.</p>'}
<details><summary>Plan as recorded (JSON)</summary><pre>${esc(JSON.stringify(run.plan, null, 2))}</pre></details>`;
}

function measuredHtml(run: RunReport): string {
  const m = run.measured;
  const e = m.energy;
  return keyValues([
    ['status', `${run.status}${run.error ? ` (${run.error.kind}: ${run.error.message})` : ''}`],
    ['steps / tokens', `${m.steps} / ${fmtNumber(m.tokens)}`],
    ['training time (sum of slowest-rank step times)', `${fmtNumber(m.trainingSeconds)} s; wall ${fmtNumber(run.durationSeconds)} s`],
    ['tokens/s', fmtNumber(m.tokensPerSecond)],
    ['model TFLOP/s per device', fmtNumber(m.tflopsPerDevice)],
    ['MFU (model FLOPs / catalogue peak)', `${fmtNumber(m.mfu)} (peak ${fmtNumber(m.peakFlopsPerSecondPerDevice)} FLOP/s)`],
    ['energy', `${fmtNumber(e.totalJoules)} J (GPU ${fmtNumber(e.gpuJoules)} J ${e.gpuSource}; CPU ${fmtNumber(e.cpuJoules)} J ${e.cpuSource ?? 'none'}; gaps ${fmtNumber(e.gapSeconds)} s)`],
    ...(e.perHost ?? []).map((h): [string, string] => [`energy on ${h.host}`, `GPU ${fmtNumber(h.gpuJoules)} J (its used GPUs only); CPU ${fmtNumber(h.cpuJoules)} J ${h.cpuSource ?? 'no CPU power samples'}`]),
    ['joules per token', fmtNumber(e.joulesPerToken)], ['joules per step', fmtNumber(e.joulesPerStep)],
    ['peak memory per device', `${fmtBytes(m.peakMemoryPerDeviceBytes)} (${memorySourceLabel(m.peakMemorySource)})`],
    ['mean power', `${fmtNumber(m.powerMeanWatts)} W`], ['last loss', fmtNumber(m.lastLoss)],
  ]);
}

function checksHtml(run: RunReport): string {
  if (run.predictionChecks.length === 0) return '<p class="note">No prediction to compare with.</p>';
  return table(['figure', 'unit', 'predicted', 'measured', 'error (measured − predicted) / predicted'], run.predictionChecks.map((c) => [checkLabel(c.metric), c.unit, fmtNumber(c.predicted), fmtNumber(c.measured), fmtPercent(c.errorFraction)]), 'checks');
}

/** The charts whose id starts with one of `prefixes`, or one note when there is none at all (never a note above a chart). */
function chartsFor(charts: ChartSpec[], ...prefixes: string[]): string {
  const picked = charts.filter((c) => prefixes.some((p) => c.id.startsWith(p)));
  return picked.length > 0 ? picked.map(chartFigure).join('\n') : '<p class="note">No samples of this kind were recorded.</p>';
}

/** Bytes per rank per step by parallelism kind, predicted (planner) vs measured (engine), and the rate over a mean step. */
function parallelismTable(run: RunReport): string {
  const measured = run.measured.bytesSentPerStepPerRankByParallelism;
  if (!measured) return '<p class="note">This run\'s engine did not report bytes by parallelism kind (DP / TP / PP).</p>';
  const predicted = (run.prediction ?? run.plan) as { commBytesPerStepPerGpu?: Record<string, unknown> } | null;
  const stepSeconds = run.measured.steps > 0 ? run.measured.trainingSeconds / run.measured.steps : 0;
  const rows = (['dp', 'tp', 'pp'] as const).map((k) => {
    const p = predicted?.commBytesPerStepPerGpu?.[k];
    return [k.toUpperCase(), typeof p === 'number' ? fmtBytes(p) : '–', fmtBytes(measured[k]), stepSeconds > 0 ? formatBytesPerSecond(measured[k] / stepSeconds) : '–'];
  });
  return `<h4>By parallelism kind (bytes sent per rank per step)</h4>\n${table(['kind', 'predicted', 'measured', 'bytes/s per rank'], rows, 'parallelism')}`;
}

function runHtml(run: RunReport): string {
  const charts = runCharts(run);
  const m = run.measured;
  const bandwidthTable = table(['kind', 'bytes sent (all ranks)', 'bytes/s'], Object.keys(m.bytesSentByKind).map((k) => [k, fmtBytes(m.bytesSentByKind[k]), formatBytesPerSecond(m.bandwidthBytesPerSecondByKind[k])]));
  return `<section class="run" data-run-id="${esc(run.id)}"><h2>Run ${esc(run.id)} — ${esc(run.strategyLabel)}</h2>
${section('inventory', inventoryHtml(run))}
${run.slurm ? slurmJobHtml(run.slurm) : ''}
${section('plan', planHtml(run))}
${section('measured', measuredHtml(run))}
${section('checks', checksHtml(run))}
${section('spans', spansHtml(run))}
${section('memory', chartsFor(charts, 'memory-', 'framework-memory-'))}
${section('bandwidth', `${bandwidthTable}\n${parallelismTable(run)}\n${chartsFor(charts, 'bandwidth-')}`)}
${section('energy', chartsFor(charts, 'power-'))}
${section('stepTime', chartsFor(charts, 'steptime-'))}
${section('loss', chartsFor(charts, 'loss-'))}
</section>`;
}

function comparisonHtml(report: Report): string {
  const c = report.comparison;
  if (!c) return '';
  const rows = c.rows.map((r) => [r.label, r.runId, progressText({ status: r.status, stepsDone: r.steps, stepsPlanned: r.stepsPlanned }), fmtNumber(r.tokensPerSecond), fmtNumber(r.joulesPerToken), fmtNumber(r.stepTimeSeconds), fmtNumber(r.mfu), fmtBytes(r.bytesSentPerStepPerRank), fmtBytes(r.peakMemoryBytes)]);
  const differences = c.differences.length > 0
    ? `<h4>Configuration differences</h4>\n${table(['', ...c.rows.map((r) => r.label)], c.differences.map((d) => [d.field, ...d.values]), 'differences')}`
    : '<p class="note">The runs have the same configuration.</p>';
  return `<section id="comparison" data-section="comparison"><h2>Comparison</h2>
<p class="verdict" id="verdict">${esc(c.verdict)}</p>
${table(['run', 'id', 'status', 'tokens/s', 'J/token', 'step time (s)', 'MFU', 'bytes sent / step / rank', 'peak memory'], rows, 'comparison')}
${differences}
${comparisonCharts(report).map(chartFigure).join('\n')}
</section>`;
}

/** The whole report as one HTML document. */
export function renderHtml(report: Report): string {
  const generated = new Date(report.generatedAtMs).toISOString();
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(report.title)}</title><style>${REPORT_CSS}</style></head>
<body>
<header><h1>${esc(report.title)}</h1>
<p class="meta">Generated ${esc(generated)} by ShardScope ${esc(report.generator.version)} · report schema v${report.schemaVersion} · runs: ${report.runs.map((r) => esc(r.id)).join(', ')}</p></header>
${comparisonHtml(report)}
${report.runs.map(runHtml).join('\n')}
<script type="application/json" id="report-data">${scriptJson(report)}</script>
</body></html>
`;
}
