/** The History view: every stored run; select 2-4 to compare them side by side. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunListItem } from '../../src-shared/run-record.js';
import { compareBarsOption, stepLinesOption } from '../charts/run-options.js';
import { bytesIn } from '../../src-shared/units.js';
import { el, formatBytes, formatCount, formatDateTime, formatDuration, formatRate } from '../format.js';
import { reportExportControl } from './report-export.js';
import { formatErrorFraction } from '../../src-shared/measured-vs-predicted.js';
import { mountTimeline } from './timeline-view.js';
import { ViewScope } from '../view-scope.js';
import { comparisonHeadline, distinctLabels, plannedStepsOf, progressText, type ComparedRun } from '../../src-shared/run-comparison.js';
import type { RunDetails } from '../../src-shared/run-record.js';

function strategyLabel(strategy: Record<string, unknown>): string {
  const { dp = 1, tp = 1, pp = 1 } = strategy as { dp?: number; tp?: number; pp?: number };
  const extras = [strategy.zeroStage ? `zero${String(strategy.zeroStage)}` : '', strategy.schedule && Number(pp) > 1 ? String(strategy.schedule) : ''].filter(Boolean);
  return [`dp${dp}`, Number(tp) > 1 ? `tp${tp}` : '', Number(pp) > 1 ? `pp${pp}` : ''].filter(Boolean).join('x') + (extras.length ? ` (${extras.join(', ')})` : '');
}

function runRow(run: RunListItem, onToggle: (id: string, checked: boolean) => void, onTimeline: (id: string) => void): HTMLTableRowElement {
  const tr = el('tr');
  tr.dataset.runId = run.id;
  tr.dataset.status = run.status;
  const box = el('input');
  box.type = 'checkbox';
  box.addEventListener('change', () => onToggle(run.id, box.checked));
  const cell = el('td');
  cell.append(box);
  const open = el('a', 'run-link', run.id);
  open.href = `#/runs/${encodeURIComponent(run.id)}`;
  open.title = 'open the run: charts, logs, placement, report';
  const idCell = el('td');
  idCell.append(open);
  tr.append(cell, idCell, el('td', undefined, run.engine), el('td', undefined, strategyLabel(run.strategy)), statusCell(run),
    el('td', undefined, formatDateTime(run.startedAt)), el('td', undefined, formatDuration(run.durationSeconds)),
    el('td', undefined, formatRate(run.tokensPerSecond, 'tokens/s')), el('td', undefined, formatRate(run.joulesPerToken, 'J/token')), el('td', undefined, formatBytes(run.bytesMoved)), stepErrorCell(run));
  const timeline = el('button', undefined, 'Timeline');
  timeline.type = 'button';
  timeline.addEventListener('click', () => onTimeline(run.id));
  const actionCell = el('td');
  actionCell.append(timeline);
  tr.append(actionCell);
  return tr;
}

function statusCell(run: RunListItem): HTMLTableCellElement {
  const cell = el('td', 'run-status', run.status);
  if (run.status !== 'finished' && run.status !== 'running') cell.classList.add('flag');
  return cell;
}

/** (measured - predicted) / predicted of the step time, with both figures on hover (one convention: src-shared/measured-vs-predicted.ts). */
function stepErrorCell(run: RunListItem): HTMLTableCellElement {
  const check = run.stepTimeCheck;
  const cell = el('td', undefined, formatErrorFraction(check?.errorFraction ?? null));
  cell.dataset.col = 'step-time-error';
  if (check) cell.title = `measured ${formatDuration(check.measuredSeconds)} (slowest rank, after step 1), predicted ${formatDuration(check.predictedSeconds)}`;
  return cell;
}

/** The comparison of chosen runs: the headline (only finished runs ranked), one row per run with status and steps, what differs, then the charts. */
function comparedRunOf(item: RunListItem, details: RunDetails): ComparedRun {
  return {
    id: item.id, engine: item.engine, status: details.run.status, stepsDone: details.summary.steps, stepsPlanned: plannedStepsOf(details.run.plan),
    model: details.run.model, strategy: details.run.strategy, tokensPerSecond: item.tokensPerSecond, joulesPerToken: item.joulesPerToken,
  };
}

function comparisonTable(runs: ComparedRun[], labels: string[], differences: { field: string; values: string[] }[]): HTMLElement {
  const table = el('table', 'figures');
  table.dataset.table = 'compare-runs';
  const head = el('tr');
  head.append(el('th', undefined, ''), ...labels.map((l) => el('th', undefined, l)));
  const row = (name: string, cells: string[], key: string) => {
    const tr = el('tr');
    tr.dataset.row = key;
    tr.append(el('th', undefined, name), ...cells.map((c) => el('td', undefined, c)));
    return tr;
  };
  table.append(head,
    row('run', runs.map((r) => r.id), 'id'),
    row('status', runs.map((r) => progressText(r)), 'status'),
    row('tokens/s', runs.map((r) => formatRate(r.tokensPerSecond, 'tokens/s')), 'tokens-per-second'),
    ...differences.map((d) => row(d.field, d.values, `differs-${d.field}`)));
  return table;
}

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountHistoryView(root: HTMLElement, api: ShardScopeApi): () => void {
  const scope = new ViewScope();
  const table = el('table', 'figures history');
  const note = el('p', 'note', 'Loading runs…');
  note.dataset.role = 'history-note';
  const compareButton = el('button', 'primary', 'Compare selected');
  compareButton.type = 'button';
  const comparison = el('div');
  comparison.id = 'comparison';
  const selected = new Set<string>();
  const actions = el('div', 'actions');
  actions.append(compareButton, reportExportControl(api, () => [...selected].slice(0, 4)));
  const timelineBox = el('div');
  root.append(el('h2', undefined, 'History'), note, table, actions, timelineBox, comparison);
  let runs: RunListItem[] = [];
  let charts = scope.child();
  let timeline = scope.child();
  const onTimeline = (id: string) => {
    timeline.dispose();
    timeline = scope.child();
    timeline.add(mountTimeline(timelineBox, api, id));
  };
  const setComparable = () => {
    compareButton.disabled = selected.size < 2 || selected.size > 4;
    compareButton.title = compareButton.disabled ? `tick 2 to 4 runs to compare them (${selected.size} ticked)` : '';
  };
  setComparable();

  const onToggle = (id: string, checked: boolean) => {
    if (checked) selected.add(id); else selected.delete(id);
    setComparable();
    note.textContent = selected.size > 4 ? 'select at most 4 runs to compare' : formatCount(runs.length, 'run');
  };

  api.listRuns().then((list) => {
    if (scope.isDisposed) return;
    runs = list;
    note.textContent = list.length ? formatCount(list.length, 'run') : 'No runs yet: launch one from the Run view or with `shardscope run`.';
    const head = el('tr');
    for (const h of ['', 'run', 'engine', 'strategy', 'status', 'started', 'duration', 'tokens/s', 'J/token', 'bytes moved', 'step time error', '']) head.append(el('th', undefined, h));
    table.replaceChildren(head, ...list.map((run) => runRow(run, onToggle, onTimeline)));
  }, (error: Error) => { note.textContent = `could not list runs: ${error.message}`; });

  compareButton.addEventListener('click', async () => {
    const chosen = runs.filter((r) => selected.has(r.id));
    const details = await Promise.all(chosen.map((r) => api.getRun({ runId: r.id })));
    if (scope.isDisposed) return;
    const compared = chosen.map((r, i) => comparedRunOf(r, details[i]));
    const labels = distinctLabels(compared);
    const headline = comparisonHeadline(compared, labels);
    const panels: [string, string, Record<string, unknown>][] = [
      ['tokens-per-second', 'Tokens per second', compareBarsOption(labels, chosen.map((r) => r.tokensPerSecond), 'tokens/s')],
      ['joules-per-token', 'Energy per token', compareBarsOption(labels, chosen.map((r) => r.joulesPerToken), 'J/token')],
      ['bytes-moved', 'Bytes moved', compareBarsOption(labels, chosen.map((r) => bytesIn('MiB', r.bytesMoved)), 'MiB')],
      ['loss', 'Loss', stepLinesOption(details.map((d, i) => ({
        name: labels[i],
        points: d.events.filter((e) => e.type === 'step' && typeof e.data.loss === 'number').map((e) => [Number(e.data.step), Number(e.data.loss)] as [number, number]),
      })), 'nats')],
    ];
    charts.dispose();
    charts = scope.child();
    comparison.replaceChildren();
    comparison.dataset.runs = chosen.map((r) => r.id).join(',');
    comparison.dataset.fastest = headline.fastestRunId ?? '';
    comparison.dataset.unranked = headline.unrankedRunIds.join(',');
    const verdict = el('p', 'compare-headline', headline.verdict);
    verdict.dataset.role = 'compare-headline';
    const grid = el('div', 'charts');
    comparison.append(verdict, comparisonTable(compared, labels, headline.differences), grid);
    for (const [key, title, option] of panels) {
      const box = el('section', 'chart-panel');
      box.dataset.chart = `compare-${key}`;
      const div = el('div', 'chart');
      box.append(el('h2', undefined, title), div);
      grid.append(box);
      charts.chart(div).setOption(option);
    }
  });
  return () => scope.dispose();
}
