/** The Planner view's search results: the top-N strategies (near-duplicates merged) with "use as A/B", and the Pareto chart of throughput against J/token. */
import { mergeNearDuplicates, type PlanResult, type SearchResult } from '../../src-shared/planner/index.js';
import { paretoOption, shortLabel } from '../charts/plan-pareto-option.js';
import { el, formatBytes } from '../format.js';
import type { ViewScope } from '../view-scope.js';

/** Mounts the (initially empty) search results; `show` fills them, `onUse(plan, column)` copies a row into a strategy column. */
export function mountSearchResults(container: HTMLElement, onUse: (plan: PlanResult, column: 'A' | 'B') => void, scope: ViewScope): { show: (result: SearchResult) => void; dispose: () => void } {
  const box = el('section', 'search-results');
  box.dataset.search = 'empty';
  const list = el('div');
  const chartBox = el('section', 'chart-panel');
  chartBox.dataset.chart = 'pareto';
  const chartDiv = el('div', 'chart');
  chartBox.append(el('h2', undefined, 'Throughput against energy per token (strategies that fit; Pareto front)'), chartDiv);
  box.append(list, chartBox);
  container.append(box);
  const chart = scope.chart(chartDiv, 280);
  const show = (result: SearchResult) => {
    const top = mergeNearDuplicates(result.candidates);
    const table = el('table', 'figures');
    table.dataset.rows = String(top.length);
    const head = el('tr');
    for (const h of ['#', 'strategy', 'memory/GPU', 'step', 'tokens/s', 'model TFLOP/s', 'hardware TFLOP/s', 'MFU', 'J/token', '']) head.append(el('th', undefined, h));
    table.append(head);
    top.forEach((p, i) => {
      const tr = el('tr');
      const use = (column: 'A' | 'B') => {
        const button = el('button', undefined, `use as ${column}`);
        button.type = 'button';
        button.addEventListener('click', () => onUse(p, column));
        return button;
      };
      const actions = el('td');
      actions.append(use('A'), use('B'));
      tr.append(el('td', undefined, String(i + 1)), el('td', undefined, shortLabel(p)), el('td', undefined, formatBytes(p.memoryPerGpuBytes.total)),
        el('td', undefined, `${p.stepTimeSeconds.toPrecision(4)} s`), el('td', undefined, Math.round(p.tokensPerSecond).toLocaleString('en')),
        el('td', undefined, p.modelTflopsPerGpu.toFixed(1)), el('td', undefined, p.tflopsPerGpu.toFixed(1)), el('td', undefined, `${(p.mfu * 100).toFixed(1)}%`),
        el('td', undefined, p.joulesPerToken.toPrecision(3)), actions);
      table.append(tr);
    });
    list.replaceChildren(el('p', 'note', `top ${top.length} of ${result.fittingCount} fitting / ${result.evaluatedCount} strategies by ${result.objective} (near-duplicates merged)`), table);
    chart.setOption(paretoOption(top, result.paretoFront), { notMerge: true });
    chartBox.dataset.points = String(top.length);
    chartBox.dataset.front = String(result.paretoFront.length);
    box.dataset.search = 'shown';
  };
  return { show, dispose: () => scope.disposeChart(chart) };
}
