/**
 * The Hosts view: saved SSH hosts (add by hand, import ~/.ssh/config), Discover with a status per host
 * (GPUs, or the error kind and message), the host-key prompt (fingerprint, Accept / Reject), hosts
 * ticked for a run, and a Run form that launches on them and shows the run's live panel here.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { HostsState, ImportSshConfigResult } from '../../src-shared/api/hosts-contract.js';
import { LOCAL_HOST_ID } from '../../src-shared/inventory.js';
import { el, formatBytesPerSecond, formatDuration } from '../format.js';
import { addHostForm, importSshConfigForm } from './hosts-forms.js';
import { discoveryMessage, importMessage, invalidHostLines, type HostsMessage } from './hosts-messages.js';
import { hostRow, type HostRowActions, type HostRowChoice } from './hosts-rows.js';
import { requestOfForm, runLaunchForm } from './run-launch-form.js';
import { runPanelController } from './run-panel-controller.js';
import { engineModelIds } from '../../src-shared/engine-config.js';
import { ViewScope } from '../view-scope.js';
import { placementBox } from './placement-box.js';
import { slurmClusterSection } from './slurm-cluster-form.js';

/** Renders the view into `root`; returns a function that unmounts it. */
export function mountHostsView(root: HTMLElement, api: ShardScopeApi): () => void {
  const scope = new ViewScope();
  let state: HostsState | null = null;
  const choices = new Map<string, HostRowChoice>();
  const choiceOf = (id: string): HostRowChoice => choices.get(id) ?? { isChosen: false, slots: 1, isKeyRejected: false };
  const message = el('p', 'note');
  message.id = 'hosts-message';
  const list = el('div', 'hosts');
  list.id = 'host-list';
  list.append(el('p', 'loading', 'Loading saved hosts…'));
  const links = el('div', 'links');

  const report = (text: string) => (error: Error) => { message.textContent = `${text}: ${error.message}`; message.dataset.state = 'error'; };
  const say = (text: string): void => { message.textContent = text; message.dataset.state = 'ok'; };
  const tell = (m: HostsMessage): void => { message.textContent = m.text; message.dataset.state = m.state; };
  // The Hosts an import left out, each with its reason (a bad Port, a multi-hop ProxyJump...): fixed in the file, then imported again.
  const importSkipped = el('ul', 'note');
  importSkipped.id = 'hosts-import-skipped';
  const showImport = (result: ImportSshConfigResult, path: string): void => {
    tell(importMessage(result, path));
    importSkipped.replaceChildren(...invalidHostLines(result).map(({ alias, text }) => {
      const item = el('li', undefined, text);
      item.dataset.alias = alias;
      return item;
    }));
  };
  const rejectedKeys = (): Set<string> => new Set([...choices].filter(([, c]) => c.isKeyRejected).map(([id]) => id));
  const apply = (next: HostsState): void => { state = next; render(); };

  const discover = (hostIds?: string[], credentials?: Record<string, { password: string }>): void => {
    say('discovering…');
    // A new discovery asks again about keys rejected earlier.
    for (const [id, choice] of choices) if (!hostIds || hostIds.includes(id)) choices.set(id, { ...choice, isKeyRejected: false });
    api.discoverHosts({ ...(hostIds ? { hostIds } : {}), ...(credentials ? { credentials } : {}) }).then((next) => {
      apply(next);
      tell(discoveryMessage(next, hostIds, rejectedKeys()));
    }, report('discovery failed'));
  };

  const actions: HostRowActions = {
    accept: (hostId, fingerprint) => {
      say(`accepting ${fingerprint} for ${hostId}…`);
      api.acceptHostKey({ hostId, fingerprint }).then((result) => {
        say(`trusted ${result.fingerprint} for ${hostId} (${result.knownHostsFile})`);
        discover([hostId]);
      }, report(`key of ${hostId} not accepted`));
    },
    reject: (hostId) => {
      choices.set(hostId, { ...choiceOf(hostId), isKeyRejected: true, isChosen: false });
      say(`key of ${hostId} rejected; nothing was trusted`);
      render();
    },
    retryWithPassword: (hostId, password) => discover([hostId], { [hostId]: { password } }),
    remove: (hostId) => { choices.delete(hostId); api.removeHost({ hostId }).then(apply, report(`could not remove ${hostId}`)); },
    choose: (hostId, isChosen, slots) => { choices.set(hostId, { ...choiceOf(hostId), isChosen, slots }); },
    setRuntime: (hostId, node, python) => {
      api.setHostRuntime({ hostId, node, python }).then((next) => {
        apply(next);
        say(`runtimes of ${hostId}: node ${node ?? 'PATH, else shipped'}, python ${python ?? 'python3'}`);
        discover([hostId]);
      }, report(`runtimes of ${hostId} not saved`));
    },
  };

  function localRow(): HTMLElement {
    const row = el('section', 'host-card host-row');
    row.dataset.hostId = LOCAL_HOST_ID;
    const header = el('header');
    const use = el('input');
    use.type = 'checkbox';
    use.name = 'use';
    use.checked = choiceOf(LOCAL_HOST_ID).isChosen;
    const slots = el('input');
    slots.type = 'number';
    slots.name = 'slots';
    slots.min = '1';
    slots.value = String(choiceOf(LOCAL_HOST_ID).slots);
    const emit = (): void => actions.choose(LOCAL_HOST_ID, use.checked, Math.max(1, Number(slots.value) || 1));
    use.addEventListener('change', emit);
    slots.addEventListener('change', emit);
    const title = el('label', 'host-title');
    title.append(use, el('strong', undefined, 'this machine'));
    const slotsLabel = el('label', 'field inline');
    slotsLabel.append(el('span', undefined, 'ranks'), slots);
    header.append(title, el('span', 'note', 'local ranks (see the Cluster view for its devices)'), slotsLabel);
    row.append(header);
    return row;
  }

  function render(): void {
    if (!state) return;
    const current = state;
    const rows = current.hosts.map((h) => hostRow(h, current.statuses.find((s) => s.hostId === h.id), current.discovering.includes(h.id), choiceOf(h.id), actions));
    list.replaceChildren(localRow(), ...(rows.length ? rows : [el('p', 'note', 'No saved hosts yet: add one or import your ssh config.')]));
    list.dataset.discovering = String(current.discovering.length);
    links.replaceChildren(...current.links.map((l) => {
      const line = el('p', 'note', `${l.from} ↔ ${l.to}: ${formatDuration(l.latencyMs / 1000)}, ${formatBytesPerSecond(l.bytesPerSecond)}`);
      line.dataset.link = `${l.from}|${l.to}`;
      return line;
    }));
  }

  const toolbar = el('div', 'form-row');
  const discoverButton = el('button', 'primary', 'Discover');
  discoverButton.type = 'button';
  discoverButton.addEventListener('click', () => discover());
  const probeButton = el('button', 'secondary', 'Probe links between chosen hosts');
  probeButton.type = 'button';
  probeButton.addEventListener('click', () => {
    const hostIds = chosenHosts().map((h) => h.id);
    say('probing links…');
    api.probeLinks({ hostIds }).then((next) => { apply(next); say(`probed ${hostIds.join(', ')}`); }, report('link probe failed'));
  });
  toolbar.append(discoverButton, probeButton);

  const chosenHosts = (): { id: string; slots: number }[] => {
    const order = [LOCAL_HOST_ID, ...(state?.hosts.map((h) => h.id) ?? [])];
    return order.filter((id) => choiceOf(id).isChosen).map((id) => ({ id, slots: choiceOf(id).slots }));
  };

  // The Run form is the Run view's; here it launches on the ticked hosts, ranks filling them in list order.
  const runs = el('div', 'runs');
  runs.id = 'host-runs';
  let isLaunching = false;
  // Only the runs launched from this form get a panel here; updates that come before startRun answers are held.
  const panels = runPanelController(runs, api, scope, { onUnknownRun: () => (isLaunching ? 'hold' : 'ignore') });
  // Placement of the run on the ticked hosts, before launch.
  const placement = placementBox(api);
  scope.add(placement.dispose);
  const runForm = runLaunchForm(engineModelIds(), (request) => {
    const hosts = chosenHosts();
    if (hosts.length === 0) { message.textContent = 'tick at least one host for the run'; message.dataset.state = 'error'; return; }
    say(`launching on ${hosts.map((h) => h.id).join(', ')}… (connecting and copying the worker)`);
    isLaunching = true;
    api.startRun({ ...request, hosts }).finally(() => { isLaunching = false; }).then(async ({ runId }) => {
      say(`launched ${runId}`);
      await panels.open(runId);
      panels.dropHeld();
    }, (error: Error) => { panels.dropHeld(); report('could not launch')(error); });
  }, (request) => placement.update({ ...request, hosts: chosenHosts() }));
  runForm.dataset.form = 'hosts-run';
  const launchButton = runForm.querySelector('button[type="submit"]');
  if (launchButton) launchButton.textContent = 'Run on chosen hosts';

  root.append(
    el('h2', undefined, 'Hosts'),
    addHostForm((args) => api.addHost(args).then((next) => { apply(next); say(`added ${args.host}`); }, report('could not add host'))),
    importSshConfigForm((args) => api.importSshConfig(args).then((next) => { apply(next); showImport(next, args.path ?? '~/.ssh/config'); }, (error: Error) => { importSkipped.replaceChildren(); report('import failed')(error); })),
    toolbar, message, importSkipped, list, links,
    el('h2', undefined, 'Run on chosen hosts'), runForm, placement.element, runs,
  );
  const slurm = slurmClusterSection(api);
  scope.add(slurm.unmount);
  root.append(slurm.element);

  scope.add(api.on('hosts', apply));
  api.listHosts().then(apply, report('could not read saved hosts'));
  // ticking a host or changing its slots changes the placement
  list.addEventListener('change', () => placement.update({ ...requestOfForm(runForm), hosts: chosenHosts() }));
  return () => scope.dispose();
}
