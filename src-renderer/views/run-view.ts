/**
 * The Run view: the placement of the run before launch, Launch (disabled while this view's run
 * goes), the run's live panel (re-attached with its whole history from the store after a tab
 * switch or a reload), Stop, and the hosts' live charts.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunRequest, RunUpdate } from '../../src-shared/run-live.js';
import { modelPresets } from '../../src-shared/engine-config.js';
import { el } from '../format.js';
import { TelemetryBuffer } from '../state/telemetry-buffer.js';
import { updateOfStoredRun } from '../state/stored-run.js';
import { mountLiveCharts } from './live-charts.js';
import { requestOfForm, runLaunchForm } from './run-launch-form.js';
import { mountRunPanel } from './run-panel.js';
import { placementBox } from './placement-box.js';
import { takeLaunchIntent } from '../state/launch-intent.js';
import { slurmRunSection } from './slurm-run-form.js';
import { fillRunForm } from './fill-run-form.js';

const HOST_WINDOW_MS = 10 * 60 * 1000;
const REDRAW_MS = 250;
const ENGINE_MODELS = Object.keys(modelPresets);

/** Options of the Run view: a request to put in the form (the Planner's "Launch this plan"). */
export interface RunViewOptions {
  initialRequest?: Partial<RunRequest>;
}

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountRunView(root: HTMLElement, api: ShardScopeApi, options: RunViewOptions = {}): () => void {
  const message = el('p', 'note');
  const runs = el('div', 'runs');
  runs.id = 'runs';
  const panels = new Map<string, ReturnType<typeof mountRunPanel>>();
  const pending = new Map<string, RunUpdate[]>();
  const running = new Set<string>();
  let isDisposed = false;

  const placement = placementBox(api);
  const form = runLaunchForm(ENGINE_MODELS, (request) => {
    message.textContent = 'launching…';
    setLaunchable(false, 'launching…');
    api.startRun(request).then(({ runId }) => {
      message.textContent = `launched ${runId}`;
      running.add(runId);
      void openPanel(runId, false);
    }, (error: Error) => {
      message.textContent = `could not launch: ${error.message}`;
      setLaunchable(true);
    });
  }, (request) => placement.update(request));
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
    message.textContent = 'the planned strategy is in the form: check the placement, then Launch';
  }

  const openPanel = async (runId: string, fromStore: boolean) => {
    if (panels.has(runId)) return;
    const details = await api.getRun({ runId }).catch(() => null);
    if (panels.has(runId) || isDisposed) return;
    // a run of this machine's service blocks Launch while it goes; a Slurm job does not (several may run)
    if (details?.run.status === 'running' && !(details.run.plan as { slurm?: unknown } | null)?.slurm) running.add(runId);
    refreshLaunchable();
    const prediction = (details?.run.prediction ?? null) as Parameters<typeof mountRunPanel>[3];
    const panel = mountRunPanel(runs, api, runId, prediction);
    panels.set(runId, panel);
    // re-attaching: the whole history first, then what came meanwhile (steps already seen are skipped)
    if (fromStore && details) panel.apply(updateOfStoredRun(details));
    for (const update of pending.get(runId) ?? []) panel.apply(update);
    pending.delete(runId);
  };

  const slurm = slurmRunSection(api, ENGINE_MODELS);
  root.append(el('h2', undefined, 'Run'), form, placement.element, message, slurm.element, runs, el('h2', undefined, 'Hosts during the run'));
  placement.update(requestOfForm(form));

  const offRun = api.on('run', (update) => {
    if (update.status !== 'running') running.delete(update.runId);
    refreshLaunchable();
    const panel = panels.get(update.runId);
    if (panel) panel.apply(update);
    else {
      pending.set(update.runId, [...(pending.get(update.runId) ?? []), update]);
      void openPanel(update.runId, true);
    }
  });
  // A run still going (launched before a tab switch or a reload) is shown again with its whole history.
  api.listRuns().then((list) => {
    for (const run of list.filter((r) => r.status === 'running')) {
      if (!run.slurmJobId) running.add(run.id);
      void openPanel(run.id, true);
    }
    refreshLaunchable();
  }, () => undefined);

  // The hosts' live charts (memory, power, network) run alongside the ranks' charts.
  const buffer = new TelemetryBuffer(HOST_WINDOW_MS);
  const live = mountLiveCharts(root, buffer, HOST_WINDOW_MS);
  let dirty = false;
  const offTelemetry = api.on('telemetry', (batch) => { buffer.add(batch); dirty = true; });
  api.getRecentTelemetry({ windowMs: HOST_WINDOW_MS }).then((batch) => { buffer.add(batch); dirty = true; }, () => undefined);
  const timer = window.setInterval(() => {
    if (dirty) { dirty = false; live.redraw(); }
  }, REDRAW_MS);
  return () => {
    isDisposed = true;
    window.clearInterval(timer);
    offRun();
    offTelemetry();
    placement.dispose();
    live.dispose();
    panels.forEach((p) => p.dispose());
    slurm.unmount();
  };
}
