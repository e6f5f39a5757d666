/** Results of the Planner view: a verdict per strategy, a figures table and the comparison charts. */
import type { PlanResult } from '../../src-shared/planner/index.js';
import { communicationOption, energyOption, memoryOption, stepTimeOption, type LabelledPlan } from '../charts/plan-compare-options.js';
import { el, formatBytes } from '../format.js';
import type { ViewScope } from '../view-scope.js';

/** Either a plan or the reason there is none (e.g. tp does not divide the heads). */
export type PlanOutcome = { label: string; plan: PlanResult } | { label: string; error: string };

/** The verdict card of one strategy. */
export function verdictCard(outcome: PlanOutcome): HTMLElement {
  const card = el('article', 'verdict');
  card.dataset.strategy = outcome.label;
  if ('error' in outcome) {
    card.dataset.fits = 'invalid';
    card.append(el('strong', undefined, `${outcome.label}: invalid strategy`), el('p', undefined, outcome.error));
    return card;
  }
  const { plan } = outcome;
  const s = plan.strategy;
  card.dataset.fits = String(plan.fits);
  const extra = `${s.cp > 1 ? ` cp=${s.cp}` : ''}${s.ep > 1 ? ` ep=${s.ep}` : ''}`;
  const title = `${outcome.label}: dp=${s.dp} tp=${s.tp} pp=${s.pp}${extra} · ${plan.fits ? 'fits' : 'does not fit'}`;
  const stages = s.pp > 1 ? `, layers per stage ${plan.layersPerStage.join(',')}` : '';
  card.append(el('strong', undefined, title),
    el('p', undefined, `${formatBytes(plan.memoryPerGpuBytes.total)} of ${formatBytes(plan.cluster.memoryPerGpuBytes)} per GPU (worst stage: ${plan.worstStage})`),
    el('p', 'note', `${s.dtype}, ${s.attention} attention, communication overlap ${s.overlap ? 'on' : 'off'}${stages}`));
  for (const note of plan.model.notes ?? []) card.append(el('p', 'note', note));
  if (!plan.fits && plan.why) card.append(el('p', 'why', plan.why));
  return card;
}

function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

/** A table of the headline figures, one column per plan. */
export function figuresTable(plans: LabelledPlan[]): HTMLElement {
  const table = el('table', 'figures');
  const head = el('tr');
  head.append(el('th'), ...plans.map((p) => el('th', undefined, p.label)));
  table.append(head);
  const rows: [string, (p: PlanResult) => string][] = [
    ['step time', (p) => `${p.stepTimeSeconds.toPrecision(4)} s`],
    ['tokens/s', (p) => Math.round(p.tokensPerSecond).toLocaleString('en')],
    ['model TFLOP/s per GPU', (p) => p.modelTflopsPerGpu.toFixed(1)],
    ['hardware TFLOP/s per GPU (incl. recompute)', (p) => p.tflopsPerGpu.toFixed(1)],
    ['MFU', (p) => `${(p.mfu * 100).toFixed(1)}%`],
    ['GEMM efficiency', (p) => `${(p.efficiency.gemmFraction * 100).toFixed(0)}% of peak (${p.efficiency.source === 'model' ? 'efficiency model' : p.efficiency.source})`],
    ['communication exposed / hidden', (p) => `${sum(p.commExposedSecondsPerStep).toPrecision(3)} s / ${sum(p.commHiddenSecondsPerStep).toPrecision(3)} s`],
    ['bubble', (p) => `${(p.bubbleFraction * 100).toFixed(1)}%`],
    ['J per token', (p) => p.joulesPerToken.toPrecision(3)],
  ];
  for (const [name, value] of rows) {
    const tr = el('tr');
    tr.append(el('th', undefined, name), ...plans.map((p) => el('td', undefined, value(p.plan))));
    table.append(tr);
  }
  return table;
}

const chartSpecs = [
  { key: 'memory', title: 'Memory per GPU', option: memoryOption },
  { key: 'step-time', title: 'Step time', option: stepTimeOption },
  { key: 'communication', title: 'Communication per GPU per step', option: communicationOption },
  { key: 'energy', title: 'Energy per token', option: energyOption },
] as const;

/** Mounts the four comparison charts (living in `scope`); returns a function that redraws them for new plans. */
export function mountComparisonCharts(container: HTMLElement, scope: ViewScope): (plans: LabelledPlan[]) => void {
  const grid = el('div', 'charts');
  container.append(grid);
  const charts = chartSpecs.map((spec) => {
    const box = el('section', 'chart-panel');
    box.dataset.chart = spec.key;
    const div = el('div', 'chart');
    box.append(el('h2', undefined, spec.title), div);
    grid.append(box);
    return { spec, box, chart: scope.chart(div) };
  });
  return (plans) => {
    for (const { spec, box, chart } of charts) {
      box.dataset.series = plans.map((p) => p.label).join(',');
      chart.setOption(spec.option(plans), { notMerge: true });
    }
  };
}
