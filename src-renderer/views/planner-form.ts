/** Inputs of the Planner view: the cluster and workload (model, GPU or GPU spec file, counts, sequence, batch, precision, links) and one column per strategy. */
import { gpuSpecFromFile, isHfConfig, modelFromHfConfig, modelSpecSchema, type GpuSpec, type ModelSpec, type PlanRequest, type StrategyInput } from '../../src-shared/planner/index.js';
import { parseOrBadInput } from '../../src-shared/planner/schemas.js';
import { el } from '../format.js';

/** Knobs of one strategy column. */
export interface StrategyFields {
  dp: number; tp: number; pp: number; cp: number; ep: number; virtualStages: number; microBatch: number;
  zeroStage: 0 | 1 | 2 | 3; recompute: 'none' | 'selective' | 'full'; sequenceParallel: boolean;
  offload: 'none' | 'optimizer' | 'all'; overlap: boolean;
  /** Comma-separated layers per stage ('' = balanced). */
  layersPerStage: string;
  /** ZeRO-3 shard group for HSDP (0 = all dp ranks). */
  shardGroup: number;
}

/** The shared cluster and workload inputs; 0 or 'default' leaves a figure to the model preset or catalogue. */
export interface ClusterFields {
  model: string; gpu: string; gpus: number; gpusPerNode: number;
  seqLen: number; globalBatch: number; dtype: 'default' | 'bf16' | 'fp16' | 'fp8' | 'fp32'; attention: 'default' | 'flash' | 'standard';
  /** GB/s per GPU between nodes (0: catalogue). */
  interNodeGBps: number;
  /** GB/s per GPU inside a node (0: catalogue). */
  intraNodeGBps: number;
  /** Watts (0: no cap). */
  powerCapWatts: number;
  /** Fixed fraction of peak (0: the efficiency model). */
  efficiency: number;
  /** A GPU spec loaded from a file, used when `gpu` is its `file:` entry. */
  gpuSpec?: GpuSpec;
  /** A model loaded from a file (shape JSON or Hugging Face config.json), used when `model` is its `file:` entry. */
  modelSpec?: ModelSpec;
}

/** A model read from a file's text: a Hugging Face config.json or a model shape; bad input throws `bad-input`. */
export function modelFromFileText(text: string, fileName: string): ModelSpec {
  const json: unknown = JSON.parse(text);
  const name = fileName.replace(/\.json$/, '');
  return isHfConfig(json) ? parseOrBadInput(modelSpecSchema, modelFromHfConfig(json, name).spec, `config.json ${fileName}`) : parseOrBadInput(modelSpecSchema, json, `model file ${fileName}`);
}

/** A file input that parses the chosen file and adds a `file: NAME` entry to a picker; errors go to `error`. */
function fileEntry<T>(name: string, picker: HTMLSelectElement, error: HTMLElement, parse: (text: string, fileName: string) => T): { input: HTMLInputElement; loaded: () => T | undefined } {
  const input = el('input');
  input.type = 'file';
  input.name = name;
  input.accept = '.json,application/json';
  let loaded: T | undefined;
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      loaded = parse(await file.text(), file.name);
      const value = `${GPU_FILE_PREFIX}${file.name}`;
      for (const option of [...picker.options]) if (option.value.startsWith(GPU_FILE_PREFIX)) option.remove();
      picker.append(new Option(value, value, false, true));
      error.textContent = '';
      picker.dispatchEvent(new Event('change', { bubbles: true }));
    } catch (e) {
      error.textContent = `${name === 'gpuFile' ? 'GPU' : 'model'} file: ${(e as Error).message}`;
    }
  });
  return { input, loaded: () => loaded };
}

/** The value prefix of a picker's entry for a loaded file (GPU spec or model). */
export const GPU_FILE_PREFIX = 'file: ';

function labelled(label: string, input: HTMLElement): HTMLElement {
  const wrap = el('label', 'field');
  wrap.append(el('span', undefined, label), input);
  return wrap;
}

function numberInput(name: string, value: number, min = 1, step = '1'): HTMLInputElement {
  const input = el('input');
  input.type = 'number';
  input.name = name;
  input.min = String(min);
  input.step = step;
  input.value = String(value);
  return input;
}

function select(name: string, options: string[], value: string): HTMLSelectElement {
  const node = el('select');
  node.name = name;
  for (const option of options) node.append(new Option(option, option, false, option === value));
  return node;
}

function checkbox(name: string, checked: boolean): HTMLInputElement {
  const box = el('input');
  box.type = 'checkbox';
  box.name = name;
  box.checked = checked;
  return box;
}

/** The value prefix of the GPU picker's "this cluster" entry (the known hosts' GPUs, planner-this-cluster.ts). */
export const THIS_CLUSTER_PREFIX = 'this cluster: ';

/** The known hosts' GPUs as the cluster inputs take them. */
export interface ClusterChoice { spec: GpuSpec; gpus: number; gpusPerNode: number; interNodeGBps: number }

/**
 * Builds the cluster inputs; `read` returns their current values. A GPU spec file adds a `file:` entry to the GPU
 * picker; `useCluster` puts "this cluster" in it (GPU count and per node fixed to the hosts'), or takes it out (null).
 */
export function clusterForm(models: string[], gpus: string[], initial: ClusterFields): { node: HTMLElement; read: () => ClusterFields; useCluster: (choice: ClusterChoice | null) => void } {
  const node = el('div', 'form-row');
  node.dataset.form = 'cluster';
  const model = select('model', models, initial.model);
  const gpu = select('gpu', gpus, initial.gpu);
  const fileError = el('span', 'note');
  const gpuFile = fileEntry('gpuFile', gpu, fileError, (text, fileName) => gpuSpecFromFile(JSON.parse(text), fileName));
  const modelFile = fileEntry('modelFile', model, fileError, modelFromFileText);
  const count = numberInput('gpus', initial.gpus);
  const perNode = numberInput('gpusPerNode', initial.gpusPerNode);
  const seqLen = numberInput('seqLen', initial.seqLen, 0);
  const globalBatch = numberInput('globalBatch', initial.globalBatch, 0);
  const dtype = select('dtype', ['default', 'bf16', 'fp16', 'fp8', 'fp32'], initial.dtype);
  const attention = select('attention', ['default', 'flash', 'standard'], initial.attention);
  const interNode = numberInput('interNodeGBps', initial.interNodeGBps, 0, 'any');
  const intraNode = numberInput('intraNodeGBps', initial.intraNodeGBps, 0, 'any');
  const powerCap = numberInput('powerCapWatts', initial.powerCapWatts, 0);
  const efficiency = numberInput('efficiency', initial.efficiency, 0, '0.01');
  efficiency.max = '1';
  node.append(labelled('model', model), labelled('model file (JSON or config.json)', modelFile.input), labelled('GPU', gpu), labelled('GPU spec file', gpuFile.input), labelled('GPUs', count), labelled('GPUs per node', perNode),
    labelled('seq. length (0: model)', seqLen), labelled('global batch (0: model)', globalBatch), labelled('dtype', dtype), labelled('attention', attention),
    labelled('inter-node GB/s per GPU (0: catalogue)', interNode), labelled('intra-node GB/s (0: catalogue)', intraNode), labelled('power cap W (0: none)', powerCap), labelled('efficiency (0: model)', efficiency), fileError);
  let thisCluster: ClusterChoice | null = null;
  // the hand-picked inputs, given back when "this cluster" is left
  let picked = { gpu: initial.gpu, gpus: count.value, perNode: perNode.value, interNode: interNode.value };
  const useCluster = (choice: ClusterChoice | null): void => {
    for (const option of [...gpu.options]) if (option.value.startsWith(THIS_CLUSTER_PREFIX)) option.remove();
    const wasThis = thisCluster !== null;
    thisCluster = choice;
    count.disabled = choice !== null;
    perNode.disabled = choice !== null;
    if (!choice) {
      if (wasThis) [gpu.value, count.value, perNode.value, interNode.value] = [picked.gpu, picked.gpus, picked.perNode, picked.interNode];
      return;
    }
    if (!wasThis) picked = { gpu: gpu.value, gpus: count.value, perNode: perNode.value, interNode: interNode.value };
    const value = `${THIS_CLUSTER_PREFIX}${choice.spec.name}`;
    gpu.prepend(new Option(value, value, false, true));
    gpu.value = value;
    count.value = String(choice.gpus);
    perNode.value = String(choice.gpusPerNode);
    interNode.value = choice.interNodeGBps > 0 ? String(Number(choice.interNodeGBps.toPrecision(3))) : '0';
  };
  return {
    node,
    useCluster,
    read: () => ({
      model: model.value, gpu: gpu.value, gpus: Number(count.value), gpusPerNode: Number(perNode.value),
      seqLen: Number(seqLen.value), globalBatch: Number(globalBatch.value), dtype: dtype.value as ClusterFields['dtype'], attention: attention.value as ClusterFields['attention'],
      interNodeGBps: Number(interNode.value), intraNodeGBps: Number(intraNode.value), powerCapWatts: Number(powerCap.value), efficiency: Number(efficiency.value),
      gpuSpec: gpu.value.startsWith(THIS_CLUSTER_PREFIX) ? thisCluster?.spec : gpu.value.startsWith(GPU_FILE_PREFIX) ? gpuFile.loaded() : undefined,
      modelSpec: model.value.startsWith(GPU_FILE_PREFIX) ? modelFile.loaded() : undefined,
    }),
  };
}

/** Builds one strategy column; `read` returns its values, `write` replaces them (e.g. with a search result). */
export function strategyForm(label: string, initial: StrategyFields) {
  const node = el('div', 'form-row');
  node.dataset.strategy = label;
  const inputs = {
    dp: numberInput('dp', initial.dp), tp: numberInput('tp', initial.tp), pp: numberInput('pp', initial.pp), cp: numberInput('cp', initial.cp), ep: numberInput('ep', initial.ep),
    virtualStages: numberInput('virtualStages', initial.virtualStages), microBatch: numberInput('microBatch', initial.microBatch),
  };
  const zero = select('zero', ['0', '1', '2', '3'], String(initial.zeroStage));
  const recompute = select('recompute', ['none', 'selective', 'full'], initial.recompute);
  const offload = select('offload', ['none', 'optimizer', 'all'], initial.offload);
  const sp = checkbox('sequenceParallel', initial.sequenceParallel);
  const overlap = checkbox('overlap', initial.overlap);
  const layersPerStage = el('input');
  layersPerStage.name = 'layersPerStage';
  layersPerStage.placeholder = 'balanced';
  layersPerStage.value = initial.layersPerStage;
  const shardGroup = numberInput('shardGroup', initial.shardGroup, 0);
  node.append(el('strong', 'strategy-label', label), labelled('dp', inputs.dp), labelled('tp', inputs.tp), labelled('pp', inputs.pp), labelled('cp', inputs.cp), labelled('ep', inputs.ep),
    labelled('virtual stages', inputs.virtualStages), labelled('micro-batch', inputs.microBatch), labelled('ZeRO', zero), labelled('recompute', recompute),
    labelled('offload', offload), labelled('seq. parallel', sp), labelled('overlap comm.', overlap),
    labelled('layers per stage', layersPerStage), labelled('HSDP shard group (0: dp)', shardGroup));
  const read = (): StrategyFields => ({
    dp: Number(inputs.dp.value), tp: Number(inputs.tp.value), pp: Number(inputs.pp.value), cp: Number(inputs.cp.value), ep: Number(inputs.ep.value),
    virtualStages: Number(inputs.virtualStages.value), microBatch: Number(inputs.microBatch.value),
    zeroStage: Number(zero.value) as StrategyFields['zeroStage'], recompute: recompute.value as StrategyFields['recompute'], sequenceParallel: sp.checked,
    offload: offload.value as StrategyFields['offload'], overlap: overlap.checked,
    layersPerStage: layersPerStage.value.trim(), shardGroup: Number(shardGroup.value),
  });
  const write = (s: StrategyFields) => {
    for (const key of Object.keys(inputs) as (keyof typeof inputs)[]) inputs[key].value = String(s[key]);
    zero.value = String(s.zeroStage); recompute.value = s.recompute; sp.checked = s.sequenceParallel; offload.value = s.offload; overlap.checked = s.overlap;
    layersPerStage.value = s.layersPerStage; shardGroup.value = String(s.shardGroup);
  };
  return { node, read, write };
}

/** The strategy knobs the cluster fields fix for every column and for a search (sequence, batch, precision, attention). */
export function workloadStrategy(cluster: ClusterFields): StrategyInput {
  return {
    ...(cluster.seqLen > 0 ? { seqLen: cluster.seqLen } : {}),
    ...(cluster.globalBatch > 0 ? { globalBatch: cluster.globalBatch } : {}),
    ...(cluster.dtype !== 'default' ? { dtype: cluster.dtype } : {}),
    ...(cluster.attention !== 'default' ? { attention: cluster.attention } : {}),
  };
}

/** The model, cluster and overrides part of a plan or search request. */
export function clusterRequest(cluster: ClusterFields): Pick<PlanRequest, 'model' | 'cluster' | 'overrides'> {
  const overrides = {
    ...(cluster.interNodeGBps > 0 ? { interNodeBytesPerSecond: cluster.interNodeGBps * 1e9 } : {}),
    ...(cluster.intraNodeGBps > 0 ? { intraNodeBytesPerSecond: cluster.intraNodeGBps * 1e9 } : {}),
    ...(cluster.powerCapWatts > 0 ? { powerCapWatts: cluster.powerCapWatts } : {}),
    ...(cluster.efficiency > 0 ? { computeEfficiency: cluster.efficiency } : {}),
  };
  return {
    model: cluster.modelSpec ?? cluster.model,
    cluster: { gpu: cluster.gpuSpec ?? cluster.gpu, gpus: cluster.gpus, gpusPerNode: cluster.gpusPerNode },
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
  };
}

/** The plan request for a cluster and a strategy column. */
export function toPlanRequest(cluster: ClusterFields, s: StrategyFields): PlanRequest {
  return {
    ...clusterRequest(cluster),
    strategy: {
      ...workloadStrategy(cluster), dp: s.dp, tp: s.tp, pp: s.pp, cp: s.cp, ep: s.ep, virtualStages: s.virtualStages, microBatch: s.microBatch,
      zeroStage: s.zeroStage, recompute: s.recompute, sequenceParallel: s.sequenceParallel, offload: s.offload, overlap: s.overlap,
      // A list that does not parse is passed as is so the planner names the problem (one entry per stage, whole numbers).
      ...(s.layersPerStage !== '' ? { layersPerStage: s.layersPerStage.split(',').map((x) => Number(x.trim())) } : {}),
      ...(s.shardGroup > 0 ? { shardGroup: s.shardGroup } : {}),
    },
  };
}

/** The fields of a planned strategy, to write into a column. */
export function fieldsOf(s: PlanRequest['strategy'] & { dp: number; tp: number; pp: number }): StrategyFields {
  return {
    dp: s.dp, tp: s.tp, pp: s.pp, cp: s.cp ?? 1, ep: s.ep ?? 1, virtualStages: s.virtualStages ?? 1, microBatch: s.microBatch ?? 1, zeroStage: s.zeroStage ?? 0,
    recompute: s.recompute ?? 'none', sequenceParallel: s.sequenceParallel ?? false, offload: s.offload ?? 'none', overlap: s.overlap ?? true,
    layersPerStage: s.layersPerStage && new Set(s.layersPerStage).size > 1 ? s.layersPerStage.join(',') : '',
    shardGroup: s.shardGroup !== undefined && s.shardGroup < s.dp ? s.shardGroup : 0,
  };
}
