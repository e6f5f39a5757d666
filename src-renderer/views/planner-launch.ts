/**
 * "Launch this plan": a planned strategy carried into the Run view's form, when an engine here can
 * run it, or into its Slurm form (nodes and GPUs per node from the planned cluster's shape).
 */
import { engineModelIds } from '../../src-shared/engine-config.js';
import type { PlanResult } from '../../src-shared/planner/index.js';
import type { RunRequest } from '../../src-shared/run-live.js';
import { el } from '../format.js';
import { setLaunchIntent, setSlurmLaunchIntent } from '../state/launch-intent.js';
import { slurmClusters } from '../state/slurm-clusters.js';

/** The Run view request of a plan, or why no engine here can run it. */
export function runRequestOfPlan(modelId: string, plan: PlanResult): { request: Partial<RunRequest> } | { reason: string } {
  const s = plan.strategy;
  const engineModels = engineModelIds();
  if (!engineModels.includes(modelId)) return { reason: `the engines here train ${engineModels.join(' and ')}: plan with one of them to launch (${modelId} is for planning only)` };
  if (s.zeroStage > 1) return { reason: `ZeRO-${s.zeroStage}: the built-in engine shards optimizer state only (ZeRO-1); launch it with your own PyTorch script from the Run view` };
  const world = s.dp * s.tp * s.pp;
  if (world > 64) return { reason: `${world} ranks: a run from the app has at most 64` };
  return {
    request: {
      // the bundled PyTorch script is data parallel only; any model parallelism goes to the built-in engine
      engine: 'tfjs', model: modelId, dp: s.dp, tp: s.tp, pp: s.pp, microBatches: s.numMicroBatches,
      zeroStage: s.zeroStage as 0 | 1, recompute: s.recompute !== 'none',
      ...(s.globalBatch <= 4096 ? { globalBatch: s.globalBatch } : {}),
    },
  };
}

/**
 * The job's shape for `worldSize` ranks, one GPU each, on nodes of `gpusPerNode` GPUs: as many ranks
 * per node as fit and divide the world (every node runs the same number of tasks).
 */
export function slurmShapeOf(worldSize: number, gpusPerNode: number): { nodes: number; gpusPerNode: number } {
  let perNode = Math.max(1, Math.min(worldSize, Math.floor(gpusPerNode)));
  while (worldSize % perNode !== 0) perNode -= 1;
  return { nodes: worldSize / perNode, gpusPerNode: perNode };
}

/** A "Launch plan X" button and a "on a Slurm cluster" one (disabled with the reason when no engine here can run the plan, or no cluster is added). */
export function launchPlanButton(label: string, modelId: string, plan: PlanResult, gpusPerNode = 1): HTMLElement {
  const wrap = el('span', 'launch-plan');
  const button = el('button', 'secondary', `Launch plan ${label}`);
  button.type = 'button';
  button.dataset.launchPlan = label;
  const outcome = runRequestOfPlan(modelId, plan);
  if ('reason' in outcome) {
    button.disabled = true;
    button.title = outcome.reason;
    wrap.append(button, el('span', 'note', outcome.reason));
    return wrap;
  }
  button.addEventListener('click', () => {
    setLaunchIntent(outcome.request);
    location.hash = '#/run';
  });
  const { dp, tp, pp } = plan.strategy;
  const shape = slurmShapeOf(dp * tp * pp, gpusPerNode);
  const onSlurm = el('button', 'secondary', `on a Slurm cluster (${shape.nodes} x ${shape.gpusPerNode} GPU)`);
  onSlurm.type = 'button';
  onSlurm.dataset.launchPlanSlurm = label;
  if (slurmClusters().length === 0) {
    onSlurm.disabled = true;
    onSlurm.title = 'add a Slurm cluster in the Hosts view first';
  }
  onSlurm.addEventListener('click', () => {
    setSlurmLaunchIntent({ request: outcome.request, ...shape });
    location.hash = '#/run';
  });
  wrap.append(button, onSlurm);
  return wrap;
}
