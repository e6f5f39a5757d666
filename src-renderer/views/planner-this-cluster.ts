/**
 * The Planner's cluster choice: "this cluster" (the known hosts' GPUs, their measured link and calibrated
 * figures, from getThisCluster) — the default when the app knows hosts — or a catalogue GPU picked by
 * hand. Without GPUs, "this cluster" is the built-in engine's candidate strategies on the hosts' CPU slots
 * for the form's model and global batch. Shows what "this cluster" is derived from, line by line.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { ThisCluster, ThisClusterRequest } from '../../src-shared/calibration/this-cluster.js';
import { el } from '../format.js';
import { cpuCandidatesTable } from './planner-cpu-candidates.js';
import type { ClusterChoice } from './planner-form.js';

/**
 * The choice's node; `onChoice` gets the GPU cluster to plan for (null: the catalogue inputs). `request` reads
 * the Planner form's model and global batch; `refresh()` asks again after they change (CPU candidates only).
 */
export function thisClusterChoice(api: ShardScopeApi, onChoice: (choice: ClusterChoice | null) => void, request: () => ThisClusterRequest = () => ({})): { node: HTMLElement; ready: Promise<void>; refresh: () => Promise<void> } {
  const node = el('section', 'this-cluster');
  node.dataset.part = 'this-cluster';
  const picker = el('select');
  picker.name = 'clusterChoice';
  const row = el('div', 'form-row');
  const label = el('label', 'field');
  label.append(el('span', undefined, 'plan for'), picker);
  const status = el('span', 'note', 'reading the known hosts…');
  row.append(label, status);
  const lines = el('ul', 'derived-from');
  const candidates = el('div');
  node.append(el('h3', undefined, 'Cluster'), row, lines, candidates);
  let current: ThisCluster | null = null;

  const apply = (): void => {
    const cluster = current;
    const isThis = cluster?.available === true && picker.value === 'this';
    lines.hidden = !isThis && cluster?.available === true;
    candidates.hidden = !isThis;
    onChoice(isThis && cluster?.available && cluster.kind === 'gpu'
      ? { spec: cluster.gpu, gpus: cluster.gpus, gpusPerNode: cluster.gpusPerNode, interNodeGBps: (cluster.interNodeBytesPerSecond ?? 0) / 1e9 }
      : null);
  };
  picker.addEventListener('change', apply);

  const show = (cluster: ThisCluster): void => {
    const first = current === null;
    const keep = picker.value;
    current = cluster;
    picker.replaceChildren();
    if (cluster.available) {
      const what = cluster.kind === 'gpu' ? `${cluster.gpus} x ${cluster.gpu.name}` : `${cluster.cpu.slots} CPU rank slot(s), built-in engine`;
      picker.append(new Option(`this cluster: ${what}`, 'this', false, first || keep === 'this'));
      status.textContent = cluster.kind === 'gpu' ? 'derived from:' : 'derived from (the comparison below plans a catalogue GPU):';
    } else status.textContent = `this cluster: not available (${cluster.reason})`;
    picker.append(new Option('a catalogue GPU (below)', 'catalogue', false, !cluster.available || (!first && keep === 'catalogue')));
    lines.replaceChildren(...cluster.derivedFrom.map((line) => el('li', 'note', line)));
    candidates.replaceChildren(...(cluster.available && cluster.kind === 'cpu' ? [cpuCandidatesTable(cluster.cpu)] : []));
    node.dataset.available = String(cluster.available);
    node.dataset.kind = cluster.available ? cluster.kind : 'none';
    // a GPU cluster's choice re-plans the comparison; a new CPU answer only replaces its table
    if (first || (cluster.available && cluster.kind === 'gpu')) apply();
    else candidates.hidden = !(cluster.available && picker.value === 'this');
  };
  let asked = 0;
  const refresh = (): Promise<void> => {
    const ticket = ++asked;
    return api.getThisCluster(request()).then((cluster) => { if (ticket === asked) show(cluster); }, (error: Error) => {
      if (ticket !== asked) return;
      status.textContent = `this cluster: cannot read the known hosts (${error.message})`;
      if (current === null) picker.append(new Option('a catalogue GPU (below)', 'catalogue', false, true));
      node.dataset.available = 'false';
    });
  };
  const ready = refresh();
  return { node, ready, refresh: () => (current?.available && current.kind === 'cpu' ? refresh() : Promise.resolve()) };
}
