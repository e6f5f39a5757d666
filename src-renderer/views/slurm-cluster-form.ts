/** "Add Slurm cluster" of the Hosts view: a login host (`local` or user@host) and partition, discovered; its nodes listed with partition, state and GPUs. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { HostInventory } from '../../src-shared/inventory.js';
import { el, formatBytes } from '../format.js';
import { addSlurmCluster, loadKnownSlurmClusters, onSlurmClusters, slurmClusters } from '../state/slurm-clusters.js';

function field(label: string, input: HTMLElement): HTMLElement {
  const wrap = el('label', 'field');
  wrap.append(el('span', undefined, label), input);
  return wrap;
}

function nodeRow(host: HostInventory): HTMLElement {
  const row = el('p', 'note');
  row.dataset.node = host.id;
  row.dataset.state = host.slurm?.state ?? '';
  const gpus = host.gpus.map((g) => `${g.name}${g.memoryTotalBytes ? ` ${formatBytes(g.memoryTotalBytes)}` : ''}`).join(', ') || 'no GPU';
  const reason = host.slurm?.reason ? ` (${host.slurm.reason})` : '';
  row.textContent = `${host.id} [${host.slurm?.partitions.join(',') ?? ''}] ${host.slurm?.state ?? ''}${reason}: ${host.cpu.logicalCores} CPUs, ${formatBytes(host.memoryBytes)}, ${gpus}`;
  return row;
}

/** The section; returns its element and an unmount function. */
export function slurmClusterSection(api: ShardScopeApi): { element: HTMLElement; unmount: () => void } {
  const section = el('section', 'slurm-clusters');
  section.id = 'slurm-clusters';
  const form = el('form', 'form-row');
  form.dataset.form = 'add-slurm';
  const loginHost = el('input');
  loginHost.name = 'loginHost';
  loginHost.value = 'local';
  loginHost.placeholder = 'local or user@login.cluster.org';
  loginHost.required = true;
  const partition = el('input');
  partition.name = 'partition';
  partition.placeholder = 'all partitions';
  const probe = el('input');
  probe.type = 'checkbox';
  probe.name = 'probeGpus';
  const add = el('button', 'primary', 'Add Slurm cluster');
  add.type = 'submit';
  form.append(field('login host', loginHost), field('partition', partition), field('nvidia-smi on nodes', probe), add);
  const message = el('p', 'note');
  message.id = 'slurm-message';
  const list = el('div', 'slurm-cluster-list');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const args = { loginHost: loginHost.value.trim(), ...(partition.value.trim() ? { partition: partition.value.trim() } : {}), probeGpus: probe.checked };
    message.textContent = `discovering ${args.loginHost}…`;
    message.dataset.state = 'ok';
    api.discoverSlurm(args).then((discovery) => {
      addSlurmCluster({ loginHost: args.loginHost, partition: args.partition, discovery });
      message.textContent = `added ${discovery.slurm.clusterName ?? args.loginHost}: ${discovery.hosts.length} nodes`;
    }, (error: Error) => {
      message.textContent = `could not discover ${args.loginHost}: ${error.message}`;
      message.dataset.state = 'error';
    });
  });
  const render = () => list.replaceChildren(...slurmClusters().map((c) => {
    const card = el('section', 'host-card');
    card.dataset.slurmCluster = c.loginHost;
    const partitions = c.discovery.slurm.partitions.map((p) => `${p.name}${p.isDefault ? '*' : ''} (${p.state}, ${p.totalNodes} nodes)`).join(', ');
    card.append(el('strong', undefined, `Slurm ${c.discovery.slurm.clusterName ?? ''} via ${c.loginHost}, discovered ${new Date(c.discovery.slurm.discoveredAtMs).toLocaleString()}`), el('p', 'note', `partitions: ${partitions}`), ...c.discovery.hosts.map(nodeRow));
    return card;
  }));
  render();
  const off = onSlurmClusters(render);
  void loadKnownSlurmClusters(api);
  section.append(el('h2', undefined, 'Slurm clusters'), form, message, list);
  return { element: section, unmount: off };
}
