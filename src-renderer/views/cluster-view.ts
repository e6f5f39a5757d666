/** The Cluster view: a card per host and device, and live charts of this machine. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { Inventory } from '../../src-shared/inventory.js';
import { el } from '../format.js';
import { TelemetryBuffer } from '../state/telemetry-buffer.js';
import { hostCard } from './host-cards.js';
import { mountLiveCharts } from './live-charts.js';

const WINDOW_MS = 5 * 60 * 1000;
const REDRAW_MS = 250;

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountClusterView(root: HTMLElement, api: ShardScopeApi): () => void {
  const hosts = el('div', 'hosts');
  hosts.id = 'hosts';
  hosts.append(el('p', 'loading', 'Discovering this machine…'));
  root.append(el('h2', undefined, 'Cluster'), hosts, el('h2', undefined, 'Live'));

  const renderInventory = (inventory: Inventory) => {
    hosts.replaceChildren(...(inventory.hosts.length ? inventory.hosts.map(hostCard) : [el('p', 'note', 'No hosts discovered.')]));
  };
  api.getInventory().then(renderInventory, (error: Error) => {
    hosts.replaceChildren(el('div', 'error-box', `Discovery failed: ${error.message}`));
  });

  const buffer = new TelemetryBuffer(WINDOW_MS);
  const live = mountLiveCharts(root, buffer, WINDOW_MS);
  let dirty = false;
  api.getRecentTelemetry({ windowMs: WINDOW_MS }).then((batch) => {
    buffer.add(batch);
    dirty = true;
  }, () => undefined);
  const offTelemetry = api.on('telemetry', (batch) => {
    buffer.add(batch);
    dirty = true;
  });
  const offInventory = api.on('inventory', renderInventory);
  // Pushes are batched into at most 4 redraws a second.
  const timer = window.setInterval(() => {
    if (!dirty) return;
    dirty = false;
    live.redraw();
  }, REDRAW_MS);
  return () => {
    window.clearInterval(timer);
    live.dispose();
    offTelemetry();
    offInventory();
  };
}
