/** The Hosts view's forms: add a host by hand, import ~/.ssh/config. */
import type { ApiArgs } from '../../src-shared/api/contract.js';
import { el } from '../format.js';

function field(label: string, input: HTMLElement): HTMLElement {
  const wrap = el('label', 'field');
  wrap.append(el('span', undefined, label), input);
  return wrap;
}

function textInput(name: string, placeholder: string, value = ''): HTMLInputElement {
  const input = el('input');
  input.name = name;
  input.placeholder = placeholder;
  input.value = value;
  return input;
}

/** The Add host form; `onAdd` gets the call's arguments. */
export function addHostForm(onAdd: (args: ApiArgs<'addHost'>[0]) => void): HTMLFormElement {
  const form = el('form', 'form-row');
  form.dataset.form = 'add-host';
  const host = textInput('host', 'gpu1.example.org');
  host.required = true;
  const user = textInput('user', 'user');
  user.required = true;
  const port = textInput('port', '22', '22');
  port.type = 'number';
  port.min = '1';
  port.max = '65535';
  const identity = textInput('identityFile', '~/.ssh/id_ed25519 (optional)');
  identity.size = 36;
  const add = el('button', 'primary', 'Add host');
  add.type = 'submit';
  form.append(field('host', host), field('user', user), field('port', port), field('identity file', identity), add);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onAdd({ host: host.value.trim(), user: user.value.trim(), port: Number(port.value), ...(identity.value.trim() ? { identityFile: identity.value.trim() } : {}) });
  });
  return form;
}

/** The Import form: an ssh config path (empty means ~/.ssh/config). */
export function importSshConfigForm(onImport: (args: ApiArgs<'importSshConfig'>[0]) => void): HTMLFormElement {
  const form = el('form', 'form-row');
  form.dataset.form = 'import-ssh-config';
  const path = textInput('path', '~/.ssh/config');
  path.size = 36;
  const submit = el('button', 'secondary', 'Import ~/.ssh/config');
  submit.type = 'submit';
  form.append(field('ssh config file', path), submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onImport(path.value.trim() ? { path: path.value.trim() } : {});
  });
  return form;
}
