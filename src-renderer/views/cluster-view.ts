/**
 * The Cluster view: every known host live (this machine and each saved SSH host) with per-GPU
 * figures and processes, hosts that cannot be reached shown with the reason, each host's inventory
 * cards, and live charts of every sampled host.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { HostsState } from '../../src-shared/api/hosts-contract.js';
import type { Inventory } from '../../src-shared/inventory.js';
import { el } from '../format.js';
import { ClusterState } from '../state/cluster-state.js';
import { TelemetryBuffer } from '../state/telemetry-buffer.js';
import { clusterHostCard, type KnownHost } from './cluster-hosts.js';
import { hostCard } from './host-cards.js';
import { mountLiveCharts } from './live-charts.js';
import { ViewScope } from '../view-scope.js';

const WINDOW_MS = 5 * 60 * 1000;
const REDRAW_MS = 250;

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountClusterView(root: HTMLElement, api: ShardScopeApi): () => void {
  const scope = new ViewScope();
  const live = el('div', 'cluster-live');
  live.id = 'cluster-live';
  const hosts = el('div', 'hosts');
  hosts.id = 'hosts';
  hosts.append(el('p', 'loading', 'Discovering this machine…'));
  root.append(el('h2', undefined, 'Cluster'), live, el('h2', undefined, 'Inventory'), hosts, el('h2', undefined, 'Live'));

  let inventory: Inventory = { hosts: [] };
  let saved: HostsState | null = null;
  let sampleIntervalMs = 1000;
  const state = new ClusterState();
  const known = (): KnownHost[] => [
    ...inventory.hosts.map((h) => ({ id: h.id, isLocal: h.isLocal, inventory: h, error: h.status === 'error' ? h.error?.message ?? 'error' : null })),
    ...(saved?.hosts ?? []).map((h) => {
      const status = saved!.statuses.find((s) => s.hostId === h.id);
      const error = !status ? 'not discovered yet: press Discover in the Hosts view'
        : status.state === 'error' ? `${status.inventory.error?.kind ?? 'error'}: ${status.inventory.error?.message ?? 'unknown error'}` : null;
      return { id: h.id, isLocal: false, inventory: status?.state === 'ok' ? status.inventory : null, error };
    }),
  ];
  const renderCards = () => {
    const all = known();
    hosts.replaceChildren(...(all.length ? all.flatMap((h) => (h.inventory ? [hostCard({ ...h.inventory, id: h.id })] : [])) : [el('p', 'note', 'No hosts discovered.')]));
  };
  const renderLive = () => {
    const all = known();
    live.dataset.hosts = all.map((h) => h.id).join(',');
    live.replaceChildren(...all.map((h) => clusterHostCard(h, state, Date.now(), Math.max(5000, 6 * sampleIntervalMs))));
  };

  api.getAppInfo().then((info) => { sampleIntervalMs = info.sampleIntervalMs; }, () => undefined);
  api.getInventory().then((next) => { inventory = next; renderCards(); renderLive(); }, (error: Error) => {
    hosts.replaceChildren(el('div', 'error-box', `Discovery failed: ${error.message}`));
  });
  api.listHosts().then((next) => { saved = next; renderCards(); renderLive(); }, () => undefined);

  const buffer = new TelemetryBuffer(WINDOW_MS);
  const charts = mountLiveCharts(root, buffer, WINDOW_MS, scope.child());
  let dirty = false;
  api.getRecentTelemetry({ windowMs: WINDOW_MS }).then((batch) => {
    buffer.add(batch);
    state.add(batch);
    dirty = true;
  }, () => undefined);
  scope.add(api.on('telemetry', (batch) => {
    buffer.add(batch);
    state.add(batch);
    dirty = true;
  }));
  scope.add(api.on('inventory', (next) => { inventory = next; renderCards(); dirty = true; }));
  scope.add(api.on('hosts', (next) => { saved = next; renderCards(); dirty = true; }));
  // Pushes are batched into at most 4 redraws a second; the table also ages (a silent host turns unreachable).
  let ticks = 0;
  scope.interval(() => {
    ticks += 1;
    if (!dirty && ticks % 8 !== 0) return;
    dirty = false;
    charts.redraw();
    renderLive();
  }, REDRAW_MS);
  return () => scope.dispose();
}
