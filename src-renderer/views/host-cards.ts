/** Cards for each host and each of its devices (GPU, or the CPU when a host has none). */
import type { DeviceInfo, HostInventory } from '../../src-shared/inventory.js';
import { el, formatBytes } from '../format.js';

/** One device card: kind, name, memory, power limit, links. */
function deviceCard(device: DeviceInfo): HTMLElement {
  const card = el('article', 'device-card');
  card.dataset.deviceId = device.id;
  card.append(el('div', 'kind', device.kind), el('div', 'name', device.name));
  const facts = el('dl');
  const add = (label: string, value: string) => facts.append(el('dt', undefined, label), el('dd', undefined, value));
  add('memory', formatBytes(device.memoryTotalBytes));
  add('power limit', device.powerLimitWatts === null ? 'n/a' : `${device.powerLimitWatts.toFixed(0)} W`);
  add('links', device.links.length ? device.links.join(', ') : 'none reported');
  card.append(facts);
  return card;
}

/** One host card with its facts and its device cards, or its error. */
export function hostCard(host: HostInventory): HTMLElement {
  const card = el('section', 'host-card');
  card.dataset.hostId = host.id;
  if (host.slurm) Object.assign(card.dataset, { slurmPartitions: host.slurm.partitions.join(','), slurmState: host.slurm.state });
  const header = el('header');
  // A Slurm node's state is as of its discovery (possibly an earlier session's): the card says when.
  const slurm = host.slurm ? `Slurm node via ${host.slurm.loginHost} · ${host.slurm.partitions.join(', ')} · ${host.slurm.state}${host.slurm.reason ? ` (${host.slurm.reason})` : ''} · as of ${new Date(host.discoveredAtMs).toLocaleString()}` : null;
  header.append(el('h2', undefined, host.slurm ? host.id : host.hostname), el('span', 'note', slurm ?? (host.isLocal ? 'this machine' : 'remote')));
  card.append(header);
  if (host.status === 'error') {
    card.append(el('div', 'error-box', `${host.error?.kind ?? 'error'}: ${host.error?.message ?? 'unknown error'}`));
    return card;
  }
  const nics = host.nics.filter((n) => !n.isVirtual).map((n) => n.name).join(', ') || 'none';
  card.append(el('div', 'facts',
    `${host.os.distro} ${host.os.release} (${host.os.arch}) · ${host.cpu.model}, ${host.cpu.physicalCores} cores / ${host.cpu.logicalCores} threads · ${formatBytes(host.memoryBytes)} RAM · NICs: ${nics}`));
  if (host.gpuNote) card.append(el('p', 'note', host.gpus.length > 0 ? host.gpuNote : `No GPU: ${host.gpuNote}. The CPU is shown as this host's device.`));
  const devices = el('div', 'devices');
  for (const device of host.devices) devices.append(deviceCard(device));
  card.append(devices);
  return card;
}
