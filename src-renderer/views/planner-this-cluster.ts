/**
 * The Planner's cluster choice: "this cluster" (the known hosts' GPUs, their measured link and calibrated
 * figures, from getThisCluster) — the default when the app knows GPU hosts — or a catalogue GPU picked by
 * hand. Shows what "this cluster" is derived from, line by line.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { ThisCluster } from '../../src-shared/calibration/this-cluster.js';
import { el } from '../format.js';
import type { ClusterChoice } from './planner-form.js';

/** The choice's node; `onChoice` gets the cluster to plan for (null: the catalogue inputs). */
export function thisClusterChoice(api: ShardScopeApi, onChoice: (choice: ClusterChoice | null) => void): { node: HTMLElement; ready: Promise<void> } {
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
  node.append(el('h3', undefined, 'Cluster'), row, lines);

  const show = (cluster: ThisCluster): void => {
    picker.replaceChildren();
    if (cluster.available) {
      picker.append(new Option(`this cluster: ${cluster.gpus} x ${cluster.gpu.name}`, 'this', false, true));
      status.textContent = 'derived from:';
    } else status.textContent = `this cluster: not available (${cluster.reason})`;
    picker.append(new Option('a catalogue GPU (below)', 'catalogue', false, !cluster.available));
    lines.replaceChildren(...cluster.derivedFrom.map((line) => el('li', 'note', line)));
    const apply = (): void => {
      const isThis = cluster.available && picker.value === 'this';
      lines.hidden = !isThis && cluster.available;
      onChoice(isThis && cluster.available
        ? { spec: cluster.gpu, gpus: cluster.gpus, gpusPerNode: cluster.gpusPerNode, interNodeGBps: (cluster.interNodeBytesPerSecond ?? 0) / 1e9 }
        : null);
    };
    picker.addEventListener('change', apply);
    apply();
    node.dataset.available = String(cluster.available);
  };
  const ready = api.getThisCluster().then(show, (error: Error) => {
    status.textContent = `this cluster: cannot read the known hosts (${error.message})`;
    picker.append(new Option('a catalogue GPU (below)', 'catalogue', false, true));
    node.dataset.available = 'false';
  });
  return { node, ready };
}
