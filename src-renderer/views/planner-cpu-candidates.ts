/**
 * "This cluster" without GPUs: the built-in engine's candidate strategies on the hosts' CPU slots, as the
 * main side predicted them (calibrated fastest first, then catalogue estimates; a column header sorts), each with the calibration or fallback it
 * came from. "Run this" carries a row into the Run view's form (the Planner's launch path).
 */
import type { CpuCandidate, CpuClusterPlan } from '../../src-shared/calibration/this-cluster.js';
import { formatBytes, formatDuration, formatNumber } from '../../src-shared/units.js';
import { el } from '../format.js';
import { setLaunchIntent } from '../state/launch-intent.js';

type SortKey = 'step' | 'tokens' | 'memory';
const sortValue: Record<SortKey, (c: CpuCandidate) => number> = {
  step: (c) => c.stepTimeSeconds,
  tokens: (c) => -c.tokensPerSecond,
  memory: (c) => Math.max(...c.rankPeakMemoryBytes),
};

function bytesSent(c: CpuCandidate): string {
  const parts = (['dp', 'tp', 'pp'] as const).filter((k) => c.commBytesPerStepPerRank[k] > 0).map((k) => `${k} ${formatBytes(c.commBytesPerStepPerRank[k])}`);
  return parts.length ? parts.join(', ') : 'none';
}

function labelCell(c: CpuCandidate): HTMLTableCellElement {
  const td = el('td', undefined, c.label);
  if (c.kind === 'planner-catalogue') td.append(el('div', 'note', 'catalogue estimate (see from)'));
  return td;
}

function row(c: CpuCandidate): HTMLTableRowElement {
  const tr = el('tr');
  tr.dataset.candidate = c.label;
  tr.dataset.kind = c.kind;
  const use = el('button', 'secondary', 'Run this');
  use.type = 'button';
  use.title = 'put this strategy in the Run view\'s form';
  use.addEventListener('click', () => {
    setLaunchIntent(c.request);
    location.hash = '#/run';
  });
  const from = el('td', 'note');
  from.append(...c.source.map((line) => el('div', 'candidate-source', line)));
  if (c.gaps.length) {
    const gaps = el('details');
    gaps.append(el('summary', undefined, `${c.gaps.length} gap${c.gaps.length === 1 ? '' : 's'} in the calibration for this strategy`), ...c.gaps.map((gap) => el('div', 'candidate-gap', gap)));
    from.append(gaps);
  }
  const memory = el('td');
  memory.append(el('div', undefined, c.rankPeakMemoryBytes.map((b, rank) => `r${rank} ${formatBytes(b)}`).join(', ')), el('div', 'note', c.memorySource));
  tr.append(
    labelCell(c), el('td', undefined, c.ranksPerHost.map((h) => `${h.host} x${h.ranks}`).join(', ')),
    el('td', undefined, formatDuration(c.stepTimeSeconds)), el('td', undefined, formatNumber(c.tokensPerSecond, 0)),
    memory, el('td', undefined, bytesSent(c)), from,
  );
  const action = el('td');
  action.append(use);
  tr.append(action);
  return tr;
}

/** The table of `plan`'s candidates (or why there is none), sorted by predicted step time until a header is clicked. */
export function cpuCandidatesTable(plan: CpuClusterPlan): HTMLElement {
  const node = el('div', 'cpu-candidates');
  node.dataset.part = 'cpu-candidates';
  node.dataset.model = plan.model;
  node.append(el('p', 'note', `Predicted runs of the built-in engine: ${plan.model}, global batch ${plan.globalBatch}, on ${plan.slots} rank slot(s). Step time, tokens/s, each rank's peak memory and the bytes each rank sends per step, from the hosts' calibrations.`));
  if (plan.candidates.length === 0) {
    node.append(el('p', 'note', `no strategy fits: ${plan.rejected.slice(0, 3).join('; ') || 'no slot'}`));
    return node;
  }
  const table = el('table', 'placement-table');
  const body = el('tbody');
  let sortBy: SortKey = 'step';
  // calibrated predictions always above catalogue estimates
  const order = (a: CpuCandidate, b: CpuCandidate) => (a.kind === b.kind ? sortValue[sortBy](a) - sortValue[sortBy](b) : a.kind === 'engine-calibrated' ? -1 : 1);
  const fill = () => body.replaceChildren(...[...plan.candidates].sort(order).map(row));
  const head = el('tr');
  const headers: Array<[string, SortKey | null]> = [['strategy', null], ['ranks', null], ['step time ▲', 'step'], ['tokens/s', 'tokens'], ['peak memory per rank', 'memory'], ['bytes sent per step per rank', null], ['from', null], ['', null]];
  for (const [text, key] of headers) {
    const th = el('th', undefined, text);
    if (key) {
      th.dataset.sort = key;
      th.style.cursor = 'pointer';
      th.title = 'sort by this column';
      th.addEventListener('click', () => { sortBy = key; table.dataset.sortedBy = key; fill(); });
    }
    head.append(th);
  }
  table.dataset.sortedBy = sortBy;
  table.append(el('thead'), body);
  (table.firstChild as HTMLElement).append(head);
  fill();
  node.append(table);
  if (plan.rejected.length) {
    const details = el('details');
    details.append(el('summary', undefined, `${plan.rejected.length} strateg${plan.rejected.length === 1 ? 'y' : 'ies'} left out by the run's rules`), ...plan.rejected.map((r) => el('div', 'note', r)));
    node.append(details);
  }
  return node;
}
