/** Renderer entry: connects to the API (preload or WebSocket), then shows the views. */
import type { ShardScopeApi } from '../src-shared/api/contract.js';
import { getApi } from './bridge/get-api.js';
import { el } from './format.js';
import { mountClusterView } from './views/cluster-view.js';
import { mountHistoryView } from './views/history-view.js';
import { mountHostsView } from './views/hosts-view.js';
import { mountPlannerView } from './views/planner-view.js';
import { mountRunView } from './views/run-view.js';

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
    root.replaceChildren(el('div', 'error-box', `Could not reach ShardScope: ${(error as Error).message}. Reopen the URL printed by \`shardscope app\`.`));
    return;
  }
  const info = await api.getAppInfo();
  setStatus('live', `${info.mode} · v${info.version}`);
  let unmount = () => {};
  const show = (id: string) => {
    const view = views.find((v) => v.id === id) ?? views[0];
    unmount();
    root.replaceChildren();
    nav.querySelectorAll('button').forEach((b) => b.setAttribute('aria-current', b.dataset.view === view.id ? 'page' : 'false'));
    unmount = view.mount(root, api);
  };
  for (const view of views) {
    const button = el('button', undefined, view.label);
    button.dataset.view = view.id;
    button.addEventListener('click', () => show(view.id));
    nav.append(button);
  }
  show('cluster');
}

void start();
