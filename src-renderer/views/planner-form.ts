/** Inputs of the Planner view: the cluster (model, GPU, counts) and one column per strategy. */
import type { PlanRequest } from '../../src-shared/planner/index.js';
import { el } from '../format.js';

/** Knobs of one strategy column. */
export interface StrategyFields {
  dp: number; tp: number; pp: number; microBatch: number;
  zeroStage: 0 | 1 | 2 | 3; recompute: 'none' | 'selective' | 'full'; sequenceParallel: boolean;
}

/** The shared cluster inputs. */
export interface ClusterFields {
  model: string; gpu: string; gpus: number; gpusPerNode: number;
}

function labelled(label: string, input: HTMLElement): HTMLElement {
  const wrap = el('label', 'field');
  wrap.append(el('span', undefined, label), input);
  return wrap;
}

function numberInput(name: string, value: number, min = 1): HTMLInputElement {
  const input = el('input');
  input.type = 'number';
  input.name = name;
  input.min = String(min);
  input.value = String(value);
  return input;
}

function select(name: string, options: string[], value: string): HTMLSelectElement {
  const node = el('select');
  node.name = name;
  for (const option of options) node.append(new Option(option, option, false, option === value));
  return node;
}

/** Builds the cluster inputs; `read` returns their current values. */
export function clusterForm(models: string[], gpus: string[], initial: ClusterFields): { node: HTMLElement; read: () => ClusterFields } {
  const node = el('div', 'form-row');
  node.dataset.form = 'cluster';
  const model = select('model', models, initial.model);
  const gpu = select('gpu', gpus, initial.gpu);
  const count = numberInput('gpus', initial.gpus);
  const perNode = numberInput('gpusPerNode', initial.gpusPerNode);
  node.append(labelled('model', model), labelled('GPU', gpu), labelled('GPUs', count), labelled('GPUs per node', perNode));
  return {
    node,
    read: () => ({ model: model.value, gpu: gpu.value, gpus: Number(count.value), gpusPerNode: Number(perNode.value) }),
  };
}

/** Builds one strategy column; `read` returns its values, `write` replaces them (e.g. with a search result). */
export function strategyForm(label: string, initial: StrategyFields) {
  const node = el('div', 'form-row');
  node.dataset.strategy = label;
  const dp = numberInput('dp', initial.dp);
  const tp = numberInput('tp', initial.tp);
  const pp = numberInput('pp', initial.pp);
  const micro = numberInput('microBatch', initial.microBatch);
  const zero = select('zero', ['0', '1', '2', '3'], String(initial.zeroStage));
  const recompute = select('recompute', ['none', 'selective', 'full'], initial.recompute);
  const sp = el('input');
  sp.type = 'checkbox';
  sp.name = 'sequenceParallel';
  sp.checked = initial.sequenceParallel;
  node.append(el('strong', 'strategy-label', label), labelled('dp', dp), labelled('tp', tp), labelled('pp', pp), labelled('micro-batch', micro),
    labelled('ZeRO', zero), labelled('recompute', recompute), labelled('seq. parallel', sp));
  const read = (): StrategyFields => ({
    dp: Number(dp.value), tp: Number(tp.value), pp: Number(pp.value), microBatch: Number(micro.value),
    zeroStage: Number(zero.value) as StrategyFields['zeroStage'], recompute: recompute.value as StrategyFields['recompute'], sequenceParallel: sp.checked,
  });
  const write = (s: StrategyFields) => {
    dp.value = String(s.dp); tp.value = String(s.tp); pp.value = String(s.pp); micro.value = String(s.microBatch);
    zero.value = String(s.zeroStage); recompute.value = s.recompute; sp.checked = s.sequenceParallel;
  };
  return { node, read, write };
}

/** The plan request for a cluster and a strategy column. */
export function toPlanRequest(cluster: ClusterFields, s: StrategyFields): PlanRequest {
  return {
    model: cluster.model,
    cluster: { gpu: cluster.gpu, gpus: cluster.gpus, gpusPerNode: cluster.gpusPerNode },
    strategy: { dp: s.dp, tp: s.tp, pp: s.pp, microBatch: s.microBatch, zeroStage: s.zeroStage, recompute: s.recompute, sequenceParallel: s.sequenceParallel },
  };
}
