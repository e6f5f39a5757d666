/**
 * The Calibrate action: this host's latest calibration with its age (or that there is none, so
 * predictions fall back to the catalogue and say so), a button that measures it again with progress
 * lines as they come, and what changed when (calibrate, or a finished run that refined it).
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { CalibrationState } from '../../src-shared/calibration/calibration-record.js';
import { calibrationAge } from '../../src-shared/calibration/calibration-record.js';
import { describeCalibration } from '../../src-shared/calibration/describe-calibration.js';
import { el } from '../format.js';

/** Mounts the panel; returns its element and a dispose function (drops the event subscription). */
export function calibratePanel(api: ShardScopeApi, model = 'bench'): { node: HTMLElement; dispose: () => void } {
  const node = el('section', 'chart-panel');
  node.dataset.panel = 'calibrate';
  const button = el('button', 'primary', `Calibrate this host (${model})`);
  button.type = 'button';
  const status = el('p', 'note', 'Reading this host\'s calibration…');
  const details = el('pre', 'logs');
  const progress = el('pre', 'logs');
  node.append(el('h2', undefined, 'Calibration'), status, button, progress, details);

  const show = (state: CalibrationState) => {
    const now = Date.now();
    if (!state.latest) {
      status.textContent = `${state.hostId} has never been calibrated: predictions of local runs use the catalogue's cpu entry and say so.`;
      details.textContent = '';
      return;
    }
    const changes = state.history.slice(0, 5).map((h) => `#${h.id} ${calibrationAge(h.measuredAtMs, now)}: ${h.origin.kind === 'run' ? `refined from run ${h.origin.runId}` : 'shardscope calibrate'}`);
    status.textContent = `Figures last changed ${calibrationAge(state.latest.measuredAtMs, now)} (${changes[0]?.split(': ')[1] ?? ''}).`;
    details.textContent = [...describeCalibration(state.latest, now), '', 'history:', ...changes].join('\n');
  };
  const refresh = () => api.getCalibration().then(show, (error: Error) => { status.textContent = `Cannot read the calibration: ${error.message}`; });
  const off = api.on('calibration', ({ line }) => { progress.textContent = `${progress.textContent ?? ''}${line}\n`; });
  button.addEventListener('click', () => {
    button.disabled = true;
    progress.textContent = '';
    status.textContent = 'Measuring (about a minute; worker processes run on this host)…';
    api.calibrate({ model }).then(() => refresh(), (error: Error) => { status.textContent = `Calibration failed: ${error.message}`; })
      .finally(() => { button.disabled = false; });
  });
  void refresh();
  return { node, dispose: off };
}
