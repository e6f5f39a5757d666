/**
 * The all-host live table (an nvitop for every known host): per GPU utilisation, memory used/total
 * with a capacity bar, temperature, power against its limit, SM/memory clocks, PCIe/NVLink rates and
 * its processes; a host that cannot be reached is shown as such, with the reason.
 */
import type { HostInventory } from '../../src-shared/inventory.js';
import type { GpuSample } from '../../src-shared/telemetry.js';
import { el, formatBytes, formatBytesPerSecond } from '../format.js';
import type { ClusterState } from '../state/cluster-state.js';

/** A known host: its inventory (when discovered) or why it could not be. */
export interface KnownHost {
  id: string;
  isLocal: boolean;
  inventory: HostInventory | null;
  error: string | null;
}

const fmt = (v: number | null | undefined, unit: string, digits = 0) => (v === null || v === undefined ? '–' : `${v.toFixed(digits)} ${unit}`);
const rate = (rx: number | null | undefined, tx: number | null | undefined) => (rx === null || rx === undefined ? '–' : `${formatBytesPerSecond(rx)} / ${formatBytesPerSecond(tx ?? 0)}`);

function bar(fraction: number | null, text: string, name: string): HTMLElement {
  const wrap = el('div', 'capacity');
  wrap.dataset.bar = name;
  const fill = el('div', 'capacity-fill');
  const used = fraction === null ? 0 : Math.min(1, Math.max(0, fraction));
  fill.style.width = `${(used * 100).toFixed(1)}%`;
  if (used > 0.9) fill.dataset.level = 'high';
  wrap.append(fill, el('span', 'capacity-text', text));
  return wrap;
}

function gpuRow(host: KnownHost, index: number, sample: GpuSample | undefined, state: ClusterState): HTMLTableRowElement {
  const info = host.inventory?.gpus.find((g) => g.index === index);
  const tr = el('tr');
  tr.dataset.gpu = `${host.id}/${index}`;
  const cell = (node: HTMLElement | string) => { const td = el('td'); td.append(node); tr.append(td); };
  cell(String(index));
  cell(info?.name ?? '–');
  cell(bar(sample?.utilisationPercent !== null && sample?.utilisationPercent !== undefined ? sample.utilisationPercent / 100 : null, fmt(sample?.utilisationPercent, '%'), 'utilisation'));
  cell(sample ? bar(sample.memoryTotalBytes > 0 ? sample.memoryUsedBytes / sample.memoryTotalBytes : null, `${formatBytes(sample.memoryUsedBytes)} / ${formatBytes(sample.memoryTotalBytes)}`, 'memory') : '–');
  cell(fmt(sample?.temperatureCelsius, '°C'));
  const limit = sample?.powerLimitWatts ?? info?.powerLimitWatts ?? null;
  cell(bar(sample?.powerWatts !== null && sample?.powerWatts !== undefined && limit ? sample.powerWatts / limit : null, `${fmt(sample?.powerWatts, 'W')} / ${fmt(limit, 'W')}`, 'power'));
  cell(`${fmt(sample?.smClockMhz, 'MHz')} / ${fmt(sample?.memoryClockMhz, 'MHz')}`);
  cell(rate(sample?.pcieRxBytesPerSecond, sample?.pcieTxBytesPerSecond));
  cell(rate(sample?.nvlinkRxBytesPerSecond, sample?.nvlinkTxBytesPerSecond));
  const uuid = sample?.gpuUuid || info?.uuid;
  const processes = (state.hosts.get(host.id)?.processes ?? []).filter((p) => p.gpuUuid === uuid);
  const list = el('ul', 'processes');
  list.dataset.processes = String(processes.length);
  for (const p of processes) list.append(el('li', undefined, `pid ${p.pid} ${p.user ?? ''} ${p.name ?? ''} ${p.usedMemoryBytes === null ? '' : formatBytes(p.usedMemoryBytes)}`.replace(/\s+/g, ' ').trim()));
  cell(processes.length ? list : el('span', 'note', 'none'));
  return tr;
}

/** One host's card: status line and GPU table. */
export function clusterHostCard(host: KnownHost, state: ClusterState, nowMs: number, staleAfterMs: number): HTMLElement {
  const card = el('section', 'host-card cluster-host');
  card.dataset.clusterHost = host.id;
  const now = state.hosts.get(host.id);
  const reason = host.error ?? state.unreachableReason(host.id, nowMs, staleAfterMs);
  card.dataset.reachable = String(reason === null);
  const header = el('header');
  const title = host.inventory?.hostname && host.inventory.hostname !== host.id ? `${host.id} (${host.inventory.hostname})` : host.id;
  header.append(el('h2', undefined, title), el('span', 'note', host.isLocal ? 'this machine' : 'SSH'));
  if (now?.host) header.append(el('span', 'note', `CPU ${now.host.cpuUtilisationPercent.toFixed(0)}% · memory ${formatBytes(now.host.memoryUsedBytes)} / ${formatBytes(now.host.memoryTotalBytes)}`));
  card.append(header);
  if (reason) {
    card.append(el('div', 'error-box', `unreachable: ${reason}`));
    return card;
  }
  const indexes = [...new Set([...(host.inventory?.gpus.map((g) => g.index) ?? []), ...(now?.gpus.keys() ?? [])])].sort((a, b) => a - b);
  if (indexes.length === 0) {
    card.append(el('p', 'note', host.inventory?.gpuNote ? `No GPU: ${host.inventory.gpuNote}` : now ? 'No GPU samples from this host.' : 'waiting for the first sample…'));
    return card;
  }
  const table = el('table', 'figures gpu-table');
  const head = el('tr');
  for (const h of ['GPU', 'name', 'utilisation', 'memory', 'temp', 'power / limit', 'SM / memory clock', 'PCIe rx / tx', 'NVLink rx / tx', 'processes']) head.append(el('th', undefined, h));
  table.append(head, ...indexes.map((i) => gpuRow(host, i, now?.gpus.get(i), state)));
  card.append(table);
  return card;
}
