/** The Run view: launch a run of the built-in engine, watch it live (ranks and hosts), stop it. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunUpdate } from '../../src-shared/run-live.js';
import { el } from '../format.js';
import { TelemetryBuffer } from '../state/telemetry-buffer.js';
import { mountLiveCharts } from './live-charts.js';
import { runLaunchForm } from './run-launch-form.js';
import { mountRunPanel } from './run-panel.js';
import { slurmRunSection } from './slurm-run-form.js';

const HOST_WINDOW_MS = 10 * 60 * 1000;
const REDRAW_MS = 250;
const ENGINE_MODELS = ['tiny', 'bench'];

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountRunView(root: HTMLElement, api: ShardScopeApi): () => void {
  const message = el('p', 'note');
  const runs = el('div', 'runs');
  runs.id = 'runs';
  const panels = new Map<string, ReturnType<typeof mountRunPanel>>();
  const pending = new Map<string, RunUpdate[]>();

  const openPanel = async (runId: string) => {
    if (panels.has(runId)) return;
    const details = await api.getRun({ runId }).catch(() => null);
    if (panels.has(runId)) return;
    const prediction = (details?.run.prediction ?? null) as Parameters<typeof mountRunPanel>[3];
    panels.set(runId, mountRunPanel(runs, api, runId, prediction));
    for (const update of pending.get(runId) ?? []) panels.get(runId)!.apply(update);
    pending.delete(runId);
  };

  const form = runLaunchForm(ENGINE_MODELS, (request) => {
    message.textContent = 'launching…';
    api.startRun(request).then(({ runId }) => {
      message.textContent = `launched ${runId}`;
      void openPanel(runId);
    }, (error: Error) => {
      message.textContent = `could not launch: ${error.message}`;
    });
  });
  const slurm = slurmRunSection(api, ENGINE_MODELS);
  root.append(el('h2', undefined, 'Run'), form, message, slurm.element, runs, el('h2', undefined, 'Hosts during the run'));

  const offRun = api.on('run', (update) => {
    const panel = panels.get(update.runId);
    if (panel) panel.apply(update);
    else {
      pending.set(update.runId, [...(pending.get(update.runId) ?? []), update]);
      void openPanel(update.runId);
    }
  });

  // The hosts' live charts (memory, power, network) run alongside the ranks' charts.
  const buffer = new TelemetryBuffer(HOST_WINDOW_MS);
  const redraw = mountLiveCharts(root, buffer, HOST_WINDOW_MS);
  let dirty = false;
  const offTelemetry = api.on('telemetry', (batch) => { buffer.add(batch); dirty = true; });
  api.getRecentTelemetry({ windowMs: HOST_WINDOW_MS }).then((batch) => { buffer.add(batch); dirty = true; }, () => undefined);
  const timer = window.setInterval(() => {
    if (dirty) { dirty = false; redraw(); }
  }, REDRAW_MS);
  return () => {
    window.clearInterval(timer);
    offRun();
    offTelemetry();
    slurm.unmount();
  };
}
