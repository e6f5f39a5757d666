/**
 * The Calibrate action: this machine and the saved SSH hosts, each with its latest calibration and its
 * age (or that it has never been calibrated, so predictions on it fall back to the catalogue and say so).
 * The hosts that answered their discovery can be ticked; one button measures them (several: also the
 * collectives and the link between every pair), progress lines as they come, then each host's figures.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { KnownHostCalibration } from '../../src-shared/api/calibration-contract.js';
import { calibrationAge, calibrationStaleAfterMs } from '../../src-shared/calibration/calibration-record.js';
import { describeCalibration } from '../../src-shared/calibration/describe-calibration.js';
import { engineModelIds } from '../../src-shared/engine-config.js';
import { LOCAL_HOST_ID } from '../../src-shared/inventory.js';
import { el } from '../format.js';

/** Mounts the panel; returns its element and a dispose function (drops the event subscriptions). */
export function calibratePanel(api: ShardScopeApi, model = 'bench'): { node: HTMLElement; dispose: () => void } {
  const node = el('section', 'chart-panel');
  node.dataset.panel = 'calibrate';
  const modelSelect = el('select');
  modelSelect.name = 'calibrateModel';
  for (const id of engineModelIds()) modelSelect.append(new Option(id, id, id === model, id === model));
  const button = el('button', 'primary', 'Calibrate 1 host');
  button.type = 'button';
  const status = el('p', 'note', 'Reading the hosts\' calibrations…');
  const failure = el('p', 'error');
  failure.dataset.part = 'calibrate-error';
  failure.hidden = true;
  const list = el('ul');
  list.dataset.part = 'calibrate-hosts';
  const progress = el('pre', 'logs');
  progress.dataset.part = 'calibrate-progress';
  const figures = el('div');
  figures.dataset.part = 'calibrate-figures';
  const actions = el('div', 'form-row');
  actions.append(el('span', undefined, 'model shapes'), modelSelect, button);
  node.append(el('h2', undefined, 'Calibration'), status, list, actions, failure, progress, figures);

  const ticked = new Set<string>([LOCAL_HOST_ID]);
  let known: KnownHostCalibration[] = [];
  let measuring = false;
  const chosen = () => known.filter((h) => ticked.has(h.hostId) && h.reachable === 'ok').map((h) => h.hostId);
  const syncButton = () => {
    const n = chosen().length;
    button.textContent = `Calibrate ${n} host${n === 1 ? '' : 's'}`;
    button.disabled = measuring || n === 0;
  };

  const show = (hosts: KnownHostCalibration[]) => {
    known = hosts;
    const now = Date.now();
    list.replaceChildren(...hosts.map((h) => hostRow(h, now)));
    figures.replaceChildren(...hosts.filter((h) => h.latest).map((h) => {
      const block = el('pre', 'logs', [...describeCalibration(h.latest!, now), 'history:', ...h.history.slice(0, 5).map((c) => `  #${c.id} ${calibrationAge(c.measuredAtMs, now)}: ${c.origin.kind === 'run' ? `refined from run ${c.origin.runId}` : 'shardscope calibrate'}`)].join('\n'));
      block.dataset.hostId = h.hostId;
      return block;
    }));
    const never = hosts.filter((h) => !h.latest).map((h) => h.hostId);
    const stale = hosts.filter((h) => h.latest && now - h.latest.measuredAtMs > calibrationStaleAfterMs).map((h) => h.hostId);
    status.textContent = [
      never.length ? `never calibrated: ${never.join(', ')} (predictions on them use the catalogue's cpu entry and say so)` : 'every host has been calibrated',
      stale.length ? `stale (older than ${calibrationStaleAfterMs / 86_400_000} days): ${stale.join(', ')}` : '',
    ].filter(Boolean).join('; ') + '.';
    syncButton();
  };

  const hostRow = (h: KnownHostCalibration, now: number): HTMLLIElement => {
    const row = el('li', 'calibrate-host');
    row.dataset.hostId = h.hostId;
    row.dataset.reachable = h.reachable;
    const box = el('input');
    box.type = 'checkbox';
    box.name = 'calibrateHost';
    box.value = h.hostId;
    box.checked = ticked.has(h.hostId) && h.reachable === 'ok';
    box.disabled = h.reachable !== 'ok';
    box.addEventListener('change', () => {
      if (box.checked) ticked.add(h.hostId);
      else ticked.delete(h.hostId);
      syncButton();
    });
    const label = el('label');
    label.append(box, ` ${h.hostId}${h.kind === 'local' ? ' (this machine)' : ''}`);
    const latest = h.latest;
    const age = latest
      ? `calibration #${latest.id} ${calibrationAge(latest.measuredAtMs, now)} (${latest.origin.kind === 'run' ? `refined from run ${latest.origin.runId}` : 'shardscope calibrate'})${now - latest.measuredAtMs > calibrationStaleAfterMs ? ', STALE' : ''}`
      : 'never calibrated';
    const reach = h.reachable === 'ok' ? '' : h.reachable === 'error' ? `; did not answer: ${h.reachError ?? ''}` : '; not discovered since the app started (Discover it in the Hosts view to calibrate it)';
    row.append(label, el('span', 'note', ` — ${age}${reach}`));
    return row;
  };

  const refresh = () => api.getCalibrations().then(({ hosts }) => show(hosts), (error: Error) => { status.textContent = `Cannot read the calibrations: ${error.message}`; });
  const offLine = api.on('calibration', ({ line }) => { progress.textContent = `${progress.textContent ?? ''}${line}\n`; });
  const offHosts = api.on('hosts', () => { if (!measuring) void refresh(); });
  button.addEventListener('click', () => {
    const hosts = chosen();
    if (hosts.length === 0) return;
    measuring = true;
    syncButton();
    progress.textContent = '';
    failure.hidden = true;
    status.textContent = `Measuring ${hosts.join(', ')} one after the other (about a minute per host${hosts.length > 1 ? ', then the collectives and link between each pair' : ''})…`;
    api.calibrate({ model: modelSelect.value, hosts }).then(
      () => refresh(),
      (error: Error) => {
        failure.textContent = `Calibration of ${hosts.join(', ')} failed: ${error.message.split('\n')[0]}`;
        failure.hidden = false;
        return refresh();
      },
    ).finally(() => {
      measuring = false;
      syncButton();
    });
  });
  void refresh();
  return { node, dispose: () => { offLine(); offHosts(); } };
}
