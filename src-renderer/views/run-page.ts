/**
 * The page of one run (`#/runs/<id>`), from the store: what ran where (config, placement, the GPUs
 * it used and did not), every chart (the ranks' steps and the hosts' samples), the prediction beside
 * the measurement, energy per host, logs and the export buttons. A run still going keeps updating.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunDetails } from '../../src-shared/run-record.js';
import { el, formatDateTime, formatDuration } from '../format.js';
import { formatJoules } from '../../src-shared/units.js';
import { RANK_GPU_HEADERS, RANK_GPU_SOURCE_NOTE, rankGpuCells, type RankGpuFigures } from '../../src-shared/rank-gpu-figures.js';
import { updateOfStoredRun } from '../state/stored-run.js';
import { energyHistoryOf } from '../state/stored-energy.js';
import { mountRunPanel } from './run-panel.js';
import { mountRunSeriesCharts } from './run-series-charts.js';
import { ViewScope } from '../view-scope.js';

const SERIES_POINTS = 600;

function table(head: string[], rows: string[][], name: string): HTMLTableElement {
  const t = el('table', 'figures');
  t.dataset.table = name;
  const tr = el('tr');
  for (const h of head) tr.append(el('th', undefined, h));
  t.append(tr, ...rows.map((r) => {
    const row = el('tr');
    for (const cell of r) row.append(el('td', undefined, cell));
    return row;
  }));
  return t;
}

function configTable(details: RunDetails): HTMLTableElement {
  const { run } = details;
  const fmt = (o: Record<string, unknown>) => Object.entries(o).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${String(v)}`).join(', ');
  return table(['', ''], [
    ['engine', run.engine], ['model', fmt(run.model)], ['strategy', fmt(run.strategy)], ['hosts', run.hosts.join(', ')],
    ['status', `${run.status}${run.error && run.status !== 'cancelled' ? ` (${run.error.kind}: ${run.error.message})` : ''}`],
    ['started', formatDateTime(run.startedAtMs)],
    ['duration', formatDuration(((run.endedAtMs ?? Date.now()) - run.startedAtMs) / 1000)],
  ], 'run-config');
}

/** Ranks with their host, device and backend, and each host GPU as used or "not used by this run". */
function devicesPart(details: RunDetails): HTMLElement[] {
  const use = details.events.filter((e) => e.type === 'device-use').at(-1)?.data as { gpus?: { host: string; gpuIndex: number; isUsed: boolean; ranks: number[] }[]; ranks?: (RankGpuFigures & { rank: number })[] } | undefined;
  const withGpus = use?.ranks?.some((r) => r.gpuIndexes.length > 0) ?? false;
  const ranks = table(['rank', 'host', 'device', 'backend', 'parameters', ...(withGpus ? RANK_GPU_HEADERS : [])], details.ranks.map((r) => [
    String(r.rank), r.host, r.device, r.backend, String(r.paramsOnRank), ...(withGpus ? rankGpuCells(use?.ranks?.find((x) => x.rank === r.rank)) : []),
  ]), 'run-ranks');
  const gpus = use?.gpus ?? [];
  const gpuTable = gpus.length > 0
    ? table(['host', 'GPU', 'this run'], gpus.map((g) => [g.host, String(g.gpuIndex), g.isUsed ? `used by rank ${g.ranks.join(', ')}` : 'not used by this run']), 'run-gpus')
    : el('p', 'note', use ? 'No GPU on the run\'s hosts.' : 'This run kept no record of the GPUs it used.');
  const perHost = details.summary.energy.perHost ?? [];
  const energy = table(['host', 'GPU energy (used GPUs)', 'CPU energy', 'CPU source'], perHost.map((h) => [h.host, formatJoules(h.gpuJoules), formatJoules(h.cpuJoules), h.cpuSource ?? 'no samples']), 'run-energy-hosts');
  const rankNote = withGpus ? [el('p', 'note', RANK_GPU_SOURCE_NOTE)] : [];
  return [el('h3', undefined, 'Ranks'), ranks, ...rankNote, el('h3', undefined, 'GPUs of the run\'s hosts'), gpuTable, el('h3', undefined, 'Energy per host'), energy];
}

/** Renders the page of `runId` into `root`; returns a function that unmounts it. */
export function mountRunPage(root: HTMLElement, api: ShardScopeApi, runId: string): () => void {
  const scope = new ViewScope();
  const back = el('a', undefined, '← History');
  back.href = '#/history';
  const note = el('p', 'note', `Loading ${runId}…`);
  const page = el('div', 'run-page');
  page.dataset.runId = runId;
  root.append(back, el('h2', undefined, `Run ${runId}`), note, page);
  let panel: ReturnType<typeof mountRunPanel> | null = null;
  const early: Parameters<ReturnType<typeof mountRunPanel>['apply']>[0][] = [];
  scope.add(api.on('run', (update) => {
    if (update.runId !== runId) return;
    if (panel) panel.apply(update); else early.push(update);
  }));

  Promise.all([api.getRun({ runId }), api.getRunSeries({ runId, maxPoints: SERIES_POINTS })]).then(([details, series]) => {
    if (scope.isDisposed) return;
    note.remove();
    page.dataset.status = details.run.status;
    const runs = el('div', 'runs');
    panel = mountRunPanel(runs, api, runId, details.run.prediction ?? null, scope.child());
    // the energy chart from the stored power series (integrated from the store's buckets; the summary's totals are in the table above)
    const stored = updateOfStoredRun(details);
    const history = energyHistoryOf(series);
    panel.apply(history.length > 1 ? { ...stored, energy: undefined, energyHistory: history } : stored);
    early.splice(0).forEach((u) => panel!.apply(u));
    // The timeline view (issue 17) mounts here.
    const timeline = el('section', 'timeline-mount');
    timeline.dataset.mount = 'timeline';
    timeline.dataset.runId = runId;
    const seriesGrid = el('div', 'charts');
    seriesGrid.dataset.part = 'stored-series';
    page.append(el('h3', undefined, 'Configuration'), configTable(details), ...devicesPart(details), runs, timeline,
      el('h3', undefined, 'Hosts and GPUs during the run (from the store)'), seriesGrid);
    mountRunSeriesCharts(seriesGrid, series, details.run.startedAtMs, scope.child());
    page.dataset.state = 'ready';
  }, (error: Error) => {
    note.textContent = `could not open ${runId}: ${error.message}`;
    page.dataset.state = 'error';
  });
  return () => scope.dispose();
}
