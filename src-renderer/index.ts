/** Renderer entry: connects to the API (preload or WebSocket), then shows the views. */
import type { ShardScopeApi } from '../src-shared/api/contract.js';
import { getApi } from './bridge/get-api.js';
import { el } from './format.js';
import { connectionBanner } from './connection-banner.js';
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
  const banner = connectionBanner();
  document.querySelector('.topbar')?.after(banner.element);
  let api: ShardScopeApi;
  // Once connected, a lost connection shows the banner; when it is back the view is mounted again (fresh data).
  let remount = () => {};
  let liveText = 'connected';
  try {
    api = await getApi({
      onClose: (reason) => { setStatus('error', `disconnected: ${reason}`); banner.lost(reason); },
      onRetry: (attempt, nextInMs, isServerUp) => banner.retrying(attempt, nextInMs, isServerUp),
      onReconnect: () => { banner.back(); setStatus('live', liveText); remount(); },
    });
  } catch (error) {
    setStatus('error', 'not connected');
    root.replaceChildren(el('div', 'error-box', `Could not reach ShardScope: ${(error as Error).message}. Reopen the URL printed by \`shardscope app\` (add #/runs/<id> to it to open a run).`));
    return;
  }
  const info = await api.getAppInfo();
  liveText = `${info.mode} · v${info.version}`;
  setStatus('live', liveText);
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
  remount = show;
  show();
}

void start();
