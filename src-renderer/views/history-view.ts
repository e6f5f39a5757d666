/** The History view: every stored run; select 2-4 to compare them side by side. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunListItem } from '../../src-shared/run-record.js';
import { echarts } from '../charts/echarts-setup.js';
import { compareBarsOption, stepLinesOption } from '../charts/run-options.js';
import { bytesIn } from '../../src-shared/units.js';
import { el, formatBytes, formatCount, formatDateTime, formatDuration, formatRate } from '../format.js';
import { reportExportControl } from './report-export.js';
import { formatErrorFraction } from '../../src-shared/measured-vs-predicted.js';
import { mountTimeline } from './timeline-view.js';

function strategyLabel(strategy: Record<string, unknown>): string {
  const { dp = 1, tp = 1, pp = 1 } = strategy as { dp?: number; tp?: number; pp?: number };
  const extras = [strategy.zeroStage ? `zero${String(strategy.zeroStage)}` : '', strategy.schedule && Number(pp) > 1 ? String(strategy.schedule) : ''].filter(Boolean);
  return [`dp${dp}`, Number(tp) > 1 ? `tp${tp}` : '', Number(pp) > 1 ? `pp${pp}` : ''].filter(Boolean).join('x') + (extras.length ? ` (${extras.join(', ')})` : '');
}

function runRow(run: RunListItem, onToggle: (id: string, checked: boolean) => void, onTimeline: (id: string) => void): HTMLTableRowElement {
  const tr = el('tr');
  tr.dataset.runId = run.id;
  const box = el('input');
  box.type = 'checkbox';
  box.addEventListener('change', () => onToggle(run.id, box.checked));
  const cell = el('td');
  cell.append(box);
  tr.append(cell, el('td', undefined, run.id), el('td', undefined, run.engine), el('td', undefined, strategyLabel(run.strategy)), el('td', 'run-status', run.status),
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

/** (measured - predicted) / predicted of the step time, with both figures on hover (one convention: src-shared/measured-vs-predicted.ts). */
function stepErrorCell(run: RunListItem): HTMLTableCellElement {
  const check = run.stepTimeCheck;
  const cell = el('td', undefined, formatErrorFraction(check?.errorFraction ?? null));
  cell.dataset.col = 'step-time-error';
  if (check) cell.title = `measured ${formatDuration(check.measuredSeconds)} (slowest rank, after step 1), predicted ${formatDuration(check.predictedSeconds)}`;
  return cell;
}

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountHistoryView(root: HTMLElement, api: ShardScopeApi): () => void {
  const table = el('table', 'figures history');
  const note = el('p', 'note', 'Loading runs…');
  const compareButton = el('button', 'primary', 'Compare selected');
  compareButton.type = 'button';
  compareButton.disabled = true;
  const comparison = el('div', 'charts');
  comparison.id = 'comparison';
  const selected = new Set<string>();
  const actions = el('div', 'actions');
  actions.append(compareButton, reportExportControl(api, () => [...selected].slice(0, 4)));
  const timelineBox = el('div');
  root.append(el('h2', undefined, 'History'), note, table, actions, timelineBox, comparison);
  let runs: RunListItem[] = [];
  let unmountTimeline = () => {};
  const onTimeline = (id: string) => {
    unmountTimeline();
    unmountTimeline = mountTimeline(timelineBox, api, id);
  };

  const onToggle = (id: string, checked: boolean) => {
    if (checked) selected.add(id); else selected.delete(id);
    compareButton.disabled = selected.size < 2 || selected.size > 4;
    note.textContent = selected.size > 4 ? 'select at most 4 runs to compare' : formatCount(runs.length, 'run');
  };

  api.listRuns().then((list) => {
    runs = list;
    note.textContent = list.length ? `${list.length} runs` : 'No runs yet: launch one from the Run view or with `shardscope run`.';
    const head = el('tr');
    for (const h of ['', 'run', 'engine', 'strategy', 'status', 'started', 'duration', 'tokens/s', 'J/token', 'bytes moved', 'step time error', '']) head.append(el('th', undefined, h));
    table.replaceChildren(head, ...list.map((run) => runRow(run, onToggle, onTimeline)));
  }, (error: Error) => { note.textContent = `could not list runs: ${error.message}`; });

  compareButton.addEventListener('click', async () => {
    const chosen = runs.filter((r) => selected.has(r.id));
    const labels = chosen.map((r) => `${strategyLabel(r.strategy)} · ${r.id.slice(-6)}`);
    const details = await Promise.all(chosen.map((r) => api.getRun({ runId: r.id })));
    const panels: [string, string, Record<string, unknown>][] = [
      ['tokens-per-second', 'Tokens per second', compareBarsOption(labels, chosen.map((r) => r.tokensPerSecond), 'tokens/s')],
      ['joules-per-token', 'Energy per token', compareBarsOption(labels, chosen.map((r) => r.joulesPerToken), 'J/token')],
      ['bytes-moved', 'Bytes moved', compareBarsOption(labels, chosen.map((r) => bytesIn('MiB', r.bytesMoved)), 'MiB')],
      ['loss', 'Loss', stepLinesOption(details.map((d, i) => ({
        name: labels[i],
        points: d.events.filter((e) => e.type === 'step' && typeof e.data.loss === 'number').map((e) => [Number(e.data.step), Number(e.data.loss)] as [number, number]),
      })), 'nats')],
    ];
    comparison.replaceChildren();
    comparison.dataset.runs = chosen.map((r) => r.id).join(',');
    for (const [key, title, option] of panels) {
      const box = el('section', 'chart-panel');
      box.dataset.chart = `compare-${key}`;
      const div = el('div', 'chart');
      box.append(el('h2', undefined, title), div);
      comparison.append(box);
      echarts.init(div, undefined, { renderer: 'canvas', width: 'auto', height: 240 }).setOption(option);
    }
  });
  return () => unmountTimeline();
}
