/** Placement before launch: a table rank -> host -> device -> backend and the notes on idle GPUs, refreshed as the form changes. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { PlacementPreview } from '../../src-shared/placement.js';
import type { RunRequest } from '../../src-shared/run-live.js';
import { el } from '../format.js';

const DEBOUNCE_MS = 250;

/** A placement box and `update(request)` to show the placement of that request. */
export function placementBox(api: ShardScopeApi): { element: HTMLElement; update: (request: RunRequest) => void; dispose: () => void } {
  const updateOrSay = (request: RunRequest) => {
    if (request.hosts && request.hosts.length === 0) {
      asked += 1;
      element.replaceChildren(el('p', 'note', 'Tick the hosts the run should use to see where its ranks go.'));
      element.dataset.state = 'ready';
      return;
    }
    update(request);
  };
  const element = el('div', 'placement');
  element.dataset.placement = 'preview';
  let timer: number | undefined;
  let asked = 0;
  const render = (preview: PlacementPreview) => {
    const table = el('table', 'placement-table');
    const head = el('tr');
    for (const h of ['rank', 'host', 'device', 'backend']) head.append(el('th', undefined, h));
    table.append(head);
    for (const row of preview.rows) {
      const tr = el('tr');
      tr.dataset.rank = String(row.rank);
      for (const cell of [String(row.rank), row.host, row.device, row.backend]) tr.append(el('td', undefined, cell));
      table.append(tr);
    }
    const notes = preview.notes.map((n) => {
      const p = el('p', 'note placement-note', n.message);
      p.dataset.host = n.host;
      return p;
    });
    element.replaceChildren(el('h3', undefined, `Placement (${preview.engine === 'torch' ? 'PyTorch' : 'built-in engine'})`), table, ...notes);
  };
  const update = (request: RunRequest) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const ticket = ++asked;
      element.dataset.state = 'loading';
      api.previewPlacement(request).then((preview) => {
        if (ticket !== asked) return;
        render(preview);
        element.dataset.state = 'ready';
      }, (error: Error) => {
        if (ticket !== asked) return;
        element.replaceChildren(el('p', 'note', `placement: ${error.message}`));
        element.dataset.state = 'error';
      });
    }, DEBOUNCE_MS);
  };
  return { element, update: updateOrSay, dispose: () => window.clearTimeout(timer) };
}
