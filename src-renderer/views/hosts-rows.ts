/** One row of the Hosts view: a saved host, its latest status (GPUs or error), its host-key prompt, its run choice. */
import type { HostStatusView, SavedHostView } from '../../src-shared/api/hosts-contract.js';
import { describeRuntime } from '../../src-shared/host-runtime.js';
import { el, formatBytes } from '../format.js';

/** What a row can ask the view to do. */
export interface HostRowActions {
  accept(hostId: string, fingerprint: string): void;
  reject(hostId: string): void;
  retryWithPassword(hostId: string, password: string): void;
  remove(hostId: string): void;
  choose(hostId: string, isChosen: boolean, slots: number): void;
  setRuntime(hostId: string, node: string | null, python: string | null): void;
}

/** The row's local UI state that survives re-renders. */
export interface HostRowChoice {
  isChosen: boolean;
  slots: number;
  isKeyRejected: boolean;
}

function gpuList(status: HostStatusView): HTMLElement {
  const inv = status.inventory;
  if (inv.gpus.length === 0) return el('p', 'note', inv.gpuNote ? `No GPU: ${inv.gpuNote}` : 'No GPU reported');
  const list = el('ul', 'gpu-list');
  for (const gpu of inv.gpus) {
    const item = el('li', 'gpu', `GPU ${gpu.index}: ${gpu.name} · ${formatBytes(gpu.memoryTotalBytes)}`);
    item.dataset.gpuName = gpu.name;
    item.dataset.memoryTotalBytes = String(gpu.memoryTotalBytes);
    list.append(item);
  }
  return list;
}

function hostKeyPrompt(host: SavedHostView, status: HostStatusView, actions: HostRowActions): HTMLElement {
  const key = status.hostKey!;
  const box = el('div', 'host-key-prompt');
  box.dataset.fingerprint = key.fingerprint;
  box.append(
    el('p', undefined, `${host.id} presents a host key this app has not seen. Accept it only if it is the host's real key (compare with ssh-keygen -lf on the host):`),
    el('code', 'fingerprint', `${key.keyType} ${key.fingerprint}`),
  );
  const accept = el('button', 'primary', 'Accept');
  accept.type = 'button';
  accept.addEventListener('click', () => actions.accept(host.id, key.fingerprint));
  const reject = el('button', 'secondary', 'Reject');
  reject.type = 'button';
  reject.addEventListener('click', () => actions.reject(host.id));
  box.append(el('p', 'note', `An accepted key is written to ${key.knownHostsFile}.`), accept, reject);
  return box;
}

function passwordRetry(host: SavedHostView, actions: HostRowActions): HTMLElement {
  const form = el('form', 'password-retry');
  const input = el('input');
  input.type = 'password';
  input.name = 'password';
  input.placeholder = 'password (used once, not stored)';
  input.autocomplete = 'off';
  const retry = el('button', 'secondary', 'Retry with password');
  retry.type = 'submit';
  form.append(input, retry);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value) actions.retryWithPassword(host.id, input.value);
    input.value = '';
  });
  return form;
}

function statusPart(host: SavedHostView, status: HostStatusView | undefined, isDiscovering: boolean, choice: HostRowChoice, actions: HostRowActions): HTMLElement[] {
  if (isDiscovering) return [el('p', 'loading', 'discovering…')];
  if (!status) return [el('p', 'note', 'not discovered yet — press Discover')];
  if (status.state === 'ok') {
    const inv = status.inventory;
    const facts = el('div', 'facts', `${inv.hostname} · ${inv.os.distro} · ${inv.cpu.model}, ${inv.cpu.logicalCores} threads · ${formatBytes(inv.memoryBytes)} RAM`);
    const runtime = el('div', 'facts runtime', inv.runtime ? describeRuntime(inv.runtime) : `Node.js ${inv.nodeVersion ?? 'none'}`);
    if (inv.runtime) runtime.dataset.nodeShipped = inv.runtime.node.shipped;
    return [facts, runtime, gpuList(status)];
  }
  const error = status.inventory.error ?? { kind: 'error', message: 'unknown error' };
  const parts: HTMLElement[] = [];
  if (status.hostKey && !choice.isKeyRejected) parts.push(hostKeyPrompt(host, status, actions));
  else {
    const box = el('div', 'error-box', choice.isKeyRejected ? `host key rejected: nothing was trusted; ${host.id} stays unusable until you accept its key` : `${error.kind}: ${error.message}`);
    box.dataset.errorKind = choice.isKeyRejected ? 'host-key-rejected' : error.kind;
    parts.push(box);
  }
  if (error.kind === 'ssh-auth') parts.push(passwordRetry(host, actions));
  return parts;
}

/** The host's `node` / `python` paths (empty: PATH, and a shipped Node.js when it has none). */
function runtimeForm(host: SavedHostView, actions: HostRowActions): HTMLElement {
  const form = el('form', 'runtime-settings');
  const field = (name: 'node' | 'python', value: string | null, hint: string): HTMLInputElement => {
    const input = el('input');
    input.name = name;
    input.value = value ?? '';
    input.placeholder = hint;
    input.autocomplete = 'off';
    const label = el('label', 'field inline');
    label.append(el('span', undefined, name), input);
    form.append(label);
    return input;
  };
  const node = field('node', host.node, 'PATH, else shipped');
  const python = field('python', host.python, 'python3');
  const save = el('button', 'secondary', 'Save runtimes');
  save.type = 'submit';
  form.append(save);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    actions.setRuntime(host.id, node.value.trim() || null, python.value.trim() || null);
  });
  return form;
}

/** Renders one host's row. */
export function hostRow(host: SavedHostView, status: HostStatusView | undefined, isDiscovering: boolean, choice: HostRowChoice, actions: HostRowActions): HTMLElement {
  const row = el('section', 'host-card host-row');
  row.dataset.hostId = host.id;
  row.dataset.state = isDiscovering ? 'discovering' : status ? (status.hostKey && !choice.isKeyRejected ? 'host-key' : status.state) : 'new';
  if (status?.inventory.error) row.dataset.errorKind = status.inventory.error.kind;
  const header = el('header');
  const use = el('input');
  use.type = 'checkbox';
  use.name = 'use';
  use.checked = choice.isChosen;
  use.title = 'use this host for the next run';
  const slots = el('input');
  slots.type = 'number';
  slots.name = 'slots';
  slots.min = '1';
  slots.max = '64';
  slots.value = String(choice.slots);
  slots.title = 'ranks on this host';
  const emit = (): void => actions.choose(host.id, use.checked, Math.max(1, Number(slots.value) || 1));
  use.addEventListener('change', emit);
  slots.addEventListener('change', emit);
  const title = el('label', 'host-title');
  title.append(use, el('strong', undefined, host.id));
  const where = el('span', 'note', `${host.user}@${host.host}:${host.port}${host.proxyJump ? ` via ${host.proxyJump}` : ''} · ${host.identityFiles.length ? host.identityFiles.join(', ') : 'agent / default keys'} · ${host.source}`);
  const slotsLabel = el('label', 'field inline');
  slotsLabel.append(el('span', undefined, 'ranks'), slots);
  const remove = el('button', 'secondary', 'Remove');
  remove.type = 'button';
  remove.addEventListener('click', () => actions.remove(host.id));
  header.append(title, where, slotsLabel, remove);
  row.append(header, runtimeForm(host, actions), ...statusPart(host, status, isDiscovering, choice, actions));
  return row;
}
