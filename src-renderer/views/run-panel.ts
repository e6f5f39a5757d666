/** The panel of one run: progress and ETA, Stop, live charts of the ranks, predicted vs measured, logs. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunEnergyPoint, RunUpdate } from '../../src-shared/run-live.js';
import { stackedBarsOption, stepLinesOption } from '../charts/run-options.js';
import { BYTES_PER } from '../../src-shared/units.js';
import { el, formatBytes, formatDuration } from '../format.js';
import { RunState } from '../state/run-state.js';
import { errorFraction, formatErrorFraction, rankMemorySourceLabels, steadyStepSeconds } from '../../src-shared/measured-vs-predicted.js';
import { reportExportControl } from './report-export.js';
import type { RunPrediction } from '../../src-shared/run-prediction.js';
import type { Chart, ViewScope } from '../view-scope.js';

const MiB = BYTES_PER.MiB;

type ChartKey = 'loss' | 'throughput' | 'step-split' | 'bytes' | 'bytes-parallelism' | 'memory' | 'energy';
const chartTitles: Record<ChartKey, string> = {
  loss: 'Loss', throughput: 'Tokens per second', 'step-split': 'Step time per rank (mean)', bytes: 'Bytes sent per step, by collective',
  'bytes-parallelism': 'Bytes per step by parallelism (DP/TP/PP)', memory: 'Framework memory per rank', energy: 'Energy so far',
};

/** The panel of one run as its owner holds it. */
export type RunPanel = ReturnType<typeof mountRunPanel>;

/** Mounts the panel for `runId` in `container`; its charts live in `scope` (disposed with it). Returns `apply(update)` and the panel element. */
export function mountRunPanel(container: HTMLElement, api: ShardScopeApi, runId: string, prediction: RunPrediction | null, scope: ViewScope) {
  const state = new RunState(runId);
  const panel = el('section', 'run-panel');
  panel.dataset.runId = runId;
  const header = el('div', 'run-header');
  const title = el('strong', undefined, runId);
  const status = el('span', 'run-status', 'starting…');
  const progress = el('progress');
  progress.max = 1;
  progress.value = 0;
  const eta = el('span', 'note');
  // Stop asks first: a stopped run cannot be resumed.
  const stop = el('button', 'danger', 'Stop');
  stop.type = 'button';
  const confirmBox = el('span', 'confirm-stop');
  confirmBox.hidden = true;
  const confirmStop = el('button', 'danger', 'Stop this run');
  confirmStop.type = 'button';
  confirmStop.dataset.action = 'confirm-stop';
  const keepRunning = el('button', 'secondary', 'Keep running');
  keepRunning.type = 'button';
  confirmBox.append(el('span', 'note', 'Stop every rank? The steps so far are kept.'), confirmStop, keepRunning);
  stop.addEventListener('click', () => { stop.hidden = true; confirmBox.hidden = false; });
  keepRunning.addEventListener('click', () => { stop.hidden = false; confirmBox.hidden = true; });
  confirmStop.addEventListener('click', () => {
    confirmStop.disabled = true;
    keepRunning.disabled = true;
    void api.stopRun({ runId });
  });
  const exporter = reportExportControl(api, () => [runId]);
  exporter.hidden = true;
  // Stop first: the progress text changes width with every update and must not move the button
  header.append(title, status, stop, confirmBox, exporter, progress, eta);
  const error = el('div', 'error-box');
  error.hidden = true;
  const stoppedNote = el('p', 'note stopped-note');
  stoppedNote.hidden = true;
  const comparison = el('table', 'figures');
  comparison.dataset.table = 'predicted-vs-measured';
  const grid = el('div', 'charts');
  const energy = prediction?.energy;
  const energyNote = energy ? ` Energy per token: ${energy.basis ?? 'not predicted'}${energy.gaps.length ? ` (${energy.gaps.join('; ')})` : ''}.` : '';
  const basis = el('p', 'note', prediction?.note ? `Prediction: ${prediction.note}.${energyNote}` : 'No prediction was kept with this run.');
  basis.dataset.role = 'prediction-basis';
  // The run page (run-page.ts) and the timeline view mount into these.
  const extra = el('div', 'run-extra');
  panel.append(header, error, stoppedNote, extra, comparison, basis, grid);
  container.prepend(panel);
  const charts = new Map<ChartKey, Chart>();
  for (const key of Object.keys(chartTitles) as ChartKey[]) {
    const box = el('section', 'chart-panel');
    box.dataset.chart = `run-${key}`;
    const div = el('div', 'chart');
    box.append(el('h2', undefined, chartTitles[key]), div);
    grid.append(box);
    charts.set(key, scope.chart(div));
  }
  const logRank = el('select');
  logRank.name = 'log-rank';
  const logs = el('pre', 'logs');
  logRank.addEventListener('change', () => renderLogs());
  const logBox = el('section', 'chart-panel');
  logBox.dataset.panel = 'logs';
  logBox.append(el('h2', undefined, 'Logs'), logRank, logs);
  panel.append(logBox);

  function renderLogs(): void {
    const ranks = [...new Set(state.logs.map((l) => l.rank))].sort((a, b) => a - b);
    if (logRank.options.length !== ranks.length) {
      const chosen = logRank.value;
      logRank.replaceChildren(...ranks.map((r) => new Option(`rank ${r}`, String(r))));
      if (chosen) logRank.value = chosen;
    }
    const rank = Number(logRank.value || ranks[0] || 0);
    const lines = state.logs.filter((l) => l.rank === rank).slice(-200).map((l) => (l.stream === 'stderr' ? `[stderr] ${l.line}` : l.line));
    logBox.dataset.lines = String(state.logs.length);
    const isOver = state.last !== null && state.last.status !== 'running';
    logs.textContent = lines.length ? lines.join('\n')
      : isOver ? '(the ranks printed nothing besides their events: see the charts)' : '(no output from the ranks yet)';
  }

  function renderComparison(): void {
    const measuredStep = steadyStepSeconds(state.points.map((p) => p.stepSeconds));
    const memorySource = state.processMemorySource ? rankMemorySourceLabels[state.processMemorySource] : 'not reported';
    const rows: [string, number | null | undefined, number | null, (v: number) => string][] = [
      ['step time (slowest rank, after step 1)', prediction?.stepTimeSeconds, measuredStep, formatDuration],
      [`memory per rank (largest; measured: ${memorySource})`, prediction?.memoryPerGpuBytes?.total, state.processMemoryPeakBytes || null, formatBytes],
    ];
    // Communication per rank per step by kind; the planner counts bytes sent per GPU (see docs/training-engine.md for where conventions differ).
    const measuredBytes = state.meanBytesSentPerRankPerStep();
    const predictedBytes = prediction?.commBytesPerStepPerGpu;
    for (const [kind, name] of [['dp', 'DP'], ['tp', 'TP'], ['pp', 'PP']] as const) {
      if (!measuredBytes?.[kind] && !predictedBytes?.[kind]) continue;
      rows.push([`${name} bytes sent per rank per step`, predictedBytes?.[kind], measuredBytes ? measuredBytes[kind] : null, formatBytes]);
    }
    const head = el('tr');
    head.append(el('th', undefined, ''), el('th', undefined, 'predicted'), el('th', undefined, 'measured'), el('th', undefined, 'error (measured − predicted) / predicted'));
    comparison.replaceChildren(head, ...rows.map(([name, predicted, measured, format]) => {
      const tr = el('tr');
      const errorText = formatErrorFraction(errorFraction(measured, predicted));
      tr.append(el('th', undefined, name), el('td', undefined, predicted ? format(predicted) : '–'), el('td', undefined, measured !== null ? format(measured) : '–'), el('td', undefined, errorText));
      return tr;
    }));
  }

  function render(update: RunUpdate): void {
    status.textContent = update.status;
    panel.dataset.status = update.status;
    progress.value = update.steps ? update.stepsDone / update.steps : 0;
    panel.dataset.stepsDone = String(update.stepsDone);
    eta.textContent = update.status === 'running'
      ? `step ${update.stepsDone}/${update.steps}${update.etaSeconds !== null ? ` · ETA ${Math.ceil(update.etaSeconds)} s` : ''}`
      : `${update.stepsDone}/${update.steps} steps`;
    if (update.status !== 'running') { stop.hidden = true; confirmBox.hidden = true; }
    exporter.hidden = update.status === 'running';
    // a stop the researcher asked for is the end of the run, not an error
    if (update.status === 'cancelled' && (!update.error || update.error.kind === 'cancelled')) {
      stoppedNote.hidden = false;
      stoppedNote.textContent = `Stopped on request after ${update.stepsDone} of ${update.steps} steps; the steps so far are kept.`;
    } else if (update.error) {
      error.hidden = false;
      error.textContent = `${update.error.kind}: ${update.error.message}`;
    }
    const losses = state.points.filter((p) => p.loss !== null).map((p) => [p.step, p.loss as number] as [number, number]);
    panel.dataset.lossPoints = String(losses.length);
    if (losses.length) {
      panel.dataset.firstLoss = String(losses[0][1]);
      panel.dataset.lastLoss = String(losses[losses.length - 1][1]);
    }
    panel.dataset.memoryPoints = String([...state.memoryByRank.values()].reduce((n, pts) => n + pts.length, 0));
    charts.get('loss')!.setOption(stepLinesOption([{ name: 'loss', points: losses }], 'nats'), { notMerge: true });
    charts.get('throughput')!.setOption(stepLinesOption([{ name: 'tokens/s', points: state.points.map((p) => [p.step, p.tokensPerSecond]) }], 'tokens/s'), { notMerge: true });
    const ranks = [...state.latestByRank.keys()].sort((a, b) => a - b);
    const split = state.meanSplitByRank([...state.latestByRank.values()]);
    charts.get('step-split')!.setOption(stackedBarsOption(ranks.map((r) => `rank ${r}`), (['compute', 'communication', 'bubble'] as const).map((part) => ({
      name: part, values: ranks.map((r) => split.get(r)?.[part] ?? 0),
    })), 's'), { notMerge: true });
    const byteLines = [...state.bytesPerStepByKind].map(([kind, perStep]) => ({ name: kind, points: [...perStep].sort((a, b) => a[0] - b[0]).map(([s, b]) => [s, b / MiB] as [number, number]) }));
    panel.dataset.bytesMoved = String(byteLines.reduce((n, l) => n + l.points.reduce((m, [, v]) => m + v, 0), 0));
    charts.get('bytes')!.setOption(stepLinesOption(byteLines, 'MiB'), { notMerge: true });
    const parallelismLines = [...state.bytesPerStepByParallelism].map(([kind, perStep]) => ({ name: kind.toUpperCase(), points: [...perStep].sort((a, b) => a[0] - b[0]).map(([s, b]) => [s, b / MiB] as [number, number]) }));
    panel.dataset.bytesByParallelism = JSON.stringify(Object.fromEntries([...state.bytesPerStepByParallelism].map(([kind, perStep]) => [kind, [...perStep.values()].reduce((a, b) => a + b, 0)])));
    charts.get('bytes-parallelism')!.setOption(stepLinesOption(parallelismLines, 'MiB'), { notMerge: true });
    charts.get('memory')!.setOption(stepLinesOption([...state.memoryByRank].map(([rank, pts]) => ({ name: `rank ${rank}`, points: pts.map(([s, b]) => [s, b / MiB] as [number, number]) })), 'MiB'), { notMerge: true });
    const cpuLabel = `CPU (${state.energy.at(-1)?.cpuSource ?? 'no data'})`;
    const startMs = state.energy[0]?.timestampMs ?? 0;
    charts.get('energy')!.setOption(stepLinesOption([
      { name: cpuLabel, points: state.energy.map((e) => [(e.timestampMs - startMs) / 1000, e.cpuJoules] as [number, number]) },
      { name: 'GPUs', points: state.energy.map((e) => [(e.timestampMs - startMs) / 1000, e.gpuJoules] as [number, number]) },
    ], 'J', 'seconds'), { notMerge: true });
    const lastEnergy = state.energy.at(-1);
    panel.dataset.energyJoules = String(lastEnergy ? lastEnergy.cpuJoules + lastEnergy.gpuJoules : 0);
    renderComparison();
    renderLogs();
  }

  return {
    panel,
    /** Where the run page (and the timeline view) add their parts. */
    extra,
    /** Folds an update in (a stored run's may carry its whole energy history). */
    apply(update: RunUpdate & { energyHistory?: RunEnergyPoint[] }) {
      state.apply(update);
      render(update);
    },
    /** Frees the panel's charts (and the scope's resize listener with its last chart). */
    dispose() {
      scope.dispose();
    },
  };
}
