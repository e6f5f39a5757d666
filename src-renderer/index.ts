/** Renderer entry: connects to the API (preload or WebSocket), then shows the views. */
import type { ShardScopeApi } from '../src-shared/api/contract.js';
import { getApi } from './bridge/get-api.js';
import { el } from './format.js';
import { mountClusterView } from './views/cluster-view.js';
import { mountHistoryView } from './views/history-view.js';
import { mountHostsView } from './views/hosts-view.js';
import { mountPlannerView } from './views/planner-view.js';
import { mountRunView } from './views/run-view.js';
import { mountRunPage } from './views/run-page.js';

type ViewMount = (root: HTMLElement, api: ShardScopeApi) => () => void;

const views: { id: string; label: string; mount: ViewMount }[] = [
  { id: 'cluster', label: 'Cluster', mount: mountClusterView },
  { id: 'hosts', label: 'Hosts', mount: mountHostsView },
  { id: 'planner', label: 'Planner', mount: mountPlannerView },
  { id: 'run', label: 'Run', mount: mountRunView },
  { id: 'history', label: 'History', mount: mountHistoryView },
];

function setStatus(state: 'connecting' | 'live' | 'error', text: string): void {
  const status = document.getElementById('status')!;
  status.dataset.state = state;
  status.textContent = text;
}

async function start(): Promise<void> {
  const root = document.getElementById('view')!;
  const nav = document.getElementById('nav')!;
  let api: ShardScopeApi;
  try {
    api = await getApi((reason) => setStatus('error', `disconnected: ${reason}`));
  } catch (error) {
    setStatus('error', 'not connected');
    root.replaceChildren(el('div', 'error-box', `Could not reach ShardScope: ${(error as Error).message}. Reopen the URL printed by \`shardscope app\` (add #/runs/<id> to it to open a run).`));
    return;
  }
  const info = await api.getAppInfo();
  setStatus('live', `${info.mode} · v${info.version}`);
  // Routes: #/<view> for the tabs (a reload stays there), #/runs/<id> for a run's page.
  let unmount = () => {};
  const show = () => {
    const [, first = '', second = ''] = location.hash.split('/');
    const runId = first === 'runs' && second ? decodeURIComponent(second) : null;
    const view = runId ? null : (views.find((v) => v.id === first) ?? views[0]);
    unmount();
    root.replaceChildren();
    const current = view?.id ?? 'history';
    nav.querySelectorAll('button').forEach((b) => b.setAttribute('aria-current', b.dataset.view === current ? 'page' : 'false'));
    unmount = runId ? mountRunPage(root, api, runId) : view!.mount(root, api);
  };
  for (const view of views) {
    const button = el('button', undefined, view.label);
    button.dataset.view = view.id;
    button.addEventListener('click', () => {
      if (location.hash === `#/${view.id}`) show(); else location.hash = `#/${view.id}`;
    });
    nav.append(button);
  }
  window.addEventListener('hashchange', show);
  show();
}

void start();
