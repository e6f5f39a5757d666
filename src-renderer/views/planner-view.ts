/** The Planner view: pick a model and cluster, compare two strategies side by side, or search for the best. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { PlanResult } from '../../src-shared/planner/index.js';
import { el } from '../format.js';
import { calibratePanel } from './calibrate-panel.js';
import { clusterForm, clusterRequest, fieldsOf, strategyForm, toPlanRequest, workloadStrategy, type ClusterFields, type StrategyFields } from './planner-form.js';
import { launchPlanButton } from './planner-launch.js';
import { thisClusterChoice } from './planner-this-cluster.js';
import { loadKnownSlurmClusters, onSlurmClusters } from '../state/slurm-clusters.js';
import { figuresTable, mountComparisonCharts, verdictCard, type PlanOutcome } from './planner-results.js';
import { mountSearchResults } from './planner-search.js';
import { ViewScope } from '../view-scope.js';

// The seed example: opt-66b does not fit 16 A100s with plain DP, and does with TP inside a node and PP across.
const initialCluster: ClusterFields = {
  model: 'opt-66b', gpu: 'a100-80gb', gpus: 16, gpusPerNode: 8, seqLen: 0, globalBatch: 0, dtype: 'default', attention: 'default', interNodeGBps: 0, intraNodeGBps: 0, powerCapWatts: 0, efficiency: 0,
};
const common = { cp: 1, ep: 1, virtualStages: 1, offload: 'none', overlap: true, layersPerStage: '', shardGroup: 0 } as const;
const initialA: StrategyFields = { ...common, dp: 16, tp: 1, pp: 1, microBatch: 1, zeroStage: 0, recompute: 'none', sequenceParallel: false };
const initialB: StrategyFields = { ...common, dp: 1, tp: 4, pp: 4, microBatch: 1, zeroStage: 0, recompute: 'selective', sequenceParallel: true };

function planFields(plan: PlanResult): StrategyFields {
  return fieldsOf(plan.strategy);
}

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountPlannerView(root: HTMLElement, api: ShardScopeApi): () => void {
  const scope = new ViewScope();
  root.append(el('h2', undefined, 'Planner'));
  const status = el('p', 'loading', 'Loading the catalogue…');
  const calibration = calibratePanel(api);
  root.append(status, calibration.node);
  let alive = true;
  let disposeSearch = () => {};
  let offSlurmClusters = () => {};

  api.getPlannerCatalogue().then((catalogue) => {
    if (!alive) return;
    status.remove();
    const cluster = clusterForm(Object.keys(catalogue.models), Object.keys(catalogue.gpus), initialCluster);
    const a = strategyForm('A', initialA);
    const b = strategyForm('B', initialB);
    const objective = el('select');
    objective.name = 'objective';
    for (const o of ['throughput', 'energy', 'memory']) objective.append(new Option(o, o));
    const searchButton = el('button', 'primary', 'Search best into B');
    searchButton.type = 'button';
    const searchNote = el('span', 'note');
    const actions = el('div', 'form-row');
    actions.append(el('span', undefined, 'objective'), objective, searchButton, searchNote);
    const verdicts = el('div', 'verdicts');
    const launches = el('div', 'form-row');
    launches.dataset.part = 'launch-plans';
    const figures = el('div');
    // "this cluster" (the known hosts' GPUs, or their CPU slots' candidates) is the default when hosts are known; dp comes from its GPUs
    const choice = thisClusterChoice(api, (chosen) => {
      cluster.useCluster(chosen);
      a.write(chosen ? { ...initialA, dp: chosen.gpus, tp: 1, pp: 1 } : initialA);
      b.write(chosen ? { ...initialB, dp: 1, tp: chosen.gpusPerNode, pp: chosen.gpus / chosen.gpusPerNode, sequenceParallel: chosen.gpusPerNode > 1 } : initialB);
      void update();
    }, () => {
      const c = cluster.read();
      return { model: c.model, globalBatch: c.globalBatch };
    });
    // without GPUs "this cluster" is the engine's candidates for the form's model and batch: asked again when they change
    let workload = `${cluster.read().model}|${cluster.read().globalBatch}`;
    cluster.node.addEventListener('change', () => {
      const now = `${cluster.read().model}|${cluster.read().globalBatch}`;
      if (now !== workload) { workload = now; void choice.refresh(); }
    });
    root.append(choice.node, cluster.node, a.node, b.node, actions, verdicts, launches, figures);
    const redraw = mountComparisonCharts(root, scope);
    const search = mountSearchResults(root, (plan, column) => {
      (column === 'A' ? a : b).write(planFields(plan));
      void update();
    }, scope);
    disposeSearch = search.dispose;

    let generation = 0;
    const update = async () => {
      const mine = ++generation;
      const c = cluster.read();
      const outcomes: PlanOutcome[] = await Promise.all([['A', a], ['B', b]].map(async ([label, form]) => {
        const name = label as string;
        try {
          return { label: name, plan: await api.plan(toPlanRequest(c, (form as typeof a).read())) };
        } catch (error) {
          return { label: name, error: (error as Error).message };
        }
      }));
      if (mine !== generation || !alive) return;
      verdicts.replaceChildren(...outcomes.map(verdictCard));
      launches.replaceChildren(...outcomes.flatMap((o) => ('plan' in o ? [launchPlanButton(o.label, c.model, o.plan, c.gpusPerNode)] : [])));
      const plans = outcomes.flatMap((o) => ('plan' in o ? [{ label: o.label, plan: o.plan }] : []));
      figures.replaceChildren(figuresTable(plans));
      redraw(plans);
      root.dataset.planned = String(mine);
    };
    for (const form of [cluster.node, a.node, b.node]) form.addEventListener('change', () => void update());
    // the launch buttons offer a Slurm cluster once one is known
    offSlurmClusters = onSlurmClusters(() => void update());
    void loadKnownSlurmClusters(api);

    searchButton.addEventListener('click', async () => {
      searchNote.textContent = 'searching…';
      const c = cluster.read();
      try {
        const result = await api.searchPlans({
          ...clusterRequest(c), strategy: workloadStrategy(c),
          objective: objective.value as 'throughput' | 'energy' | 'memory', limit: 10,
        });
        if (!result.best) {
          searchNote.textContent = `nothing fits (${result.evaluatedCount} strategies tried)`;
          return;
        }
        search.show(result);
        b.write(planFields(result.best));
        searchNote.textContent = `best of ${result.fittingCount} fitting / ${result.evaluatedCount} strategies`;
        await update();
      } catch (error) {
        searchNote.textContent = `search failed: ${(error as Error).message}`;
      }
    });
    void update();
  }, (error: Error) => {
    status.replaceWith(el('div', 'error-box', `Planner unavailable: ${error.message}`));
  });
  return () => {
    alive = false;
    disposeSearch();
    offSlurmClusters();
    calibration.dispose();
    scope.dispose();
  };
}
