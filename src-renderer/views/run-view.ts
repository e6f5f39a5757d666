/**
 * The Run view: the placement of the run before launch, Launch (disabled while this view's run
 * goes), the run's live panel (re-attached with its whole history from the store after a tab
 * switch or a reload), Stop, and the hosts' live charts.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunRequest } from '../../src-shared/run-live.js';
import { engineModelIds } from '../../src-shared/engine-config.js';
import { el } from '../format.js';
import { TelemetryBuffer } from '../state/telemetry-buffer.js';
import { mountLiveCharts } from './live-charts.js';
import { requestOfForm, runLaunchForm } from './run-launch-form.js';
import { runPanelController } from './run-panel-controller.js';
import { placementBox } from './placement-box.js';
import { takeLaunchIntent } from '../state/launch-intent.js';
import { slurmRunSection } from './slurm-run-form.js';
import { ViewScope } from '../view-scope.js';
import { fillRunForm } from './fill-run-form.js';

const HOST_WINDOW_MS = 10 * 60 * 1000;
const REDRAW_MS = 250;

/** Options of the Run view: a request to put in the form (the Planner's "Launch this plan"). */
export interface RunViewOptions {
  initialRequest?: Partial<RunRequest>;
}

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountRunView(root: HTMLElement, api: ShardScopeApi, options: RunViewOptions = {}): () => void {
  const scope = new ViewScope();
  const message = el('p', 'note');
  const runs = el('div', 'runs');
  runs.id = 'runs';
  const running = new Set<string>();

  const placement = placementBox(api);
  scope.add(placement.dispose);
  // what a planned run carries that the form has no field for (the Planner's hosts and global batch), kept with every launch from here
  let carried: Pick<RunRequest, 'hosts' | 'globalBatch'> = {};
  const form = runLaunchForm(engineModelIds(), (request) => {
    message.textContent = 'launching…';
    setLaunchable(false, 'launching…');
    api.startRun({ ...request, ...carried }).then(({ runId }) => {
      message.textContent = `launched ${runId}`;
      running.add(runId);
      void panels.open(runId);
    }, (error: Error) => {
      message.textContent = `could not launch: ${error.message}`;
      setLaunchable(true);
    });
  }, (request) => placement.update({ ...request, ...carried }));
  const launchButton = form.querySelector('button[type="submit"]') as HTMLButtonElement;
  const setLaunchable = (isLaunchable: boolean, why = '') => {
    launchButton.disabled = !isLaunchable;
    launchButton.title = why;
    form.dataset.launchable = String(isLaunchable);
  };
  const refreshLaunchable = () => {
    const going = [...running];
    setLaunchable(going.length === 0, going.length ? `run ${going[0]} is still going: stop it or wait for it to end (one run at a time)` : '');
  };
  const intent = options.initialRequest ?? takeLaunchIntent();
  if (intent) {
    fillRunForm(form, intent);
    carried = { ...(intent.hosts ? { hosts: intent.hosts } : {}), ...(intent.globalBatch ? { globalBatch: intent.globalBatch } : {}) };
    const extras = [intent.hosts ? `on ${intent.hosts.map((h) => `${h.id} x${h.slots ?? 1}`).join(', ')}` : '', intent.globalBatch ? `global batch ${intent.globalBatch}` : ''].filter(Boolean);
    message.textContent = `the planned strategy is in the form${extras.length ? ` (${extras.join(', ')})` : ''}: check the placement, then Launch`;
    message.dataset.carried = extras.join(', ');
  }

  // Every run this app starts gets a panel here (re-attached with its whole history after a tab switch or a reload).
  const panels = runPanelController(runs, api, scope, {
    onUnknownRun: () => 'open',
    onUpdate: (update) => {
      if (update.status !== 'running') running.delete(update.runId);
      refreshLaunchable();
    },
    onOpened: (runId, details) => {
      // a run of this machine's service blocks Launch while it goes; a Slurm job does not (several may run)
      if (details?.run.status === 'running' && !(details.run.plan as { slurm?: unknown } | null)?.slurm) running.add(runId);
      refreshLaunchable();
    },
  });

  const slurm = slurmRunSection(api, engineModelIds());
  scope.add(slurm.unmount);
  root.append(el('h2', undefined, 'Run'), form, placement.element, message, slurm.element, runs, el('h2', undefined, 'Hosts during the run'));
  placement.update({ ...requestOfForm(form), ...carried });

  // A run still going (launched before a tab switch or a reload) is shown again with its whole history.
  api.listRuns().then((list) => {
    for (const run of list.filter((r) => r.status === 'running')) {
      if (!run.slurmJobId) running.add(run.id);
      void panels.open(run.id, { fromStore: true });
    }
    refreshLaunchable();
  }, () => undefined);

  // The hosts' live charts (memory, power, network) run alongside the ranks' charts.
  const buffer = new TelemetryBuffer(HOST_WINDOW_MS);
  const live = mountLiveCharts(root, buffer, HOST_WINDOW_MS, scope.child());
  let dirty = false;
  scope.add(api.on('telemetry', (batch) => { buffer.add(batch); dirty = true; }));
  api.getRecentTelemetry({ windowMs: HOST_WINDOW_MS }).then((batch) => { buffer.add(batch); dirty = true; }, () => undefined);
  scope.interval(() => {
    if (dirty) { dirty = false; live.redraw(); }
  }, REDRAW_MS);
  return () => scope.dispose();
}
