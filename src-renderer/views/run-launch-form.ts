/** The launch form of the Run view: engine, model, dp x tp x pp grid, steps and schedule options. */
import type { RunRequest } from '../../src-shared/run-live.js';
import { el } from '../format.js';

function field(label: string, input: HTMLElement): HTMLElement {
  const wrap = el('label', 'field');
  wrap.append(el('span', undefined, label), input);
  return wrap;
}

function numberInput(name: string, value: number): HTMLInputElement {
  const input = el('input');
  input.type = 'number';
  input.name = name;
  input.min = '1';
  input.value = String(value);
  return input;
}

function select(name: string, options: string[]): HTMLSelectElement {
  const node = el('select');
  node.name = name;
  for (const option of options) node.append(new Option(option, option));
  return node;
}

/** The request the form's fields describe now. */
export function requestOfForm(form: HTMLFormElement): RunRequest {
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
  const engine = (form.elements.namedItem('engine') as HTMLSelectElement | null)?.dataset.launchEngine === 'true' ? value('engine') : 'tfjs';
  return {
    model: value('model'), dp: Number(value('dp')), tp: Number(value('tp')), pp: Number(value('pp')), steps: Number(value('steps')),
    microBatches: Number(value('microBatches')), schedule: value('schedule') as '1f1b' | 'gpipe', zeroStage: Number(value('zero')) as 0 | 1,
    recompute: (form.elements.namedItem('recompute') as HTMLInputElement).checked,
    ...(engine === 'torch' ? { engine: 'torch' as const, ...torchFieldsOf(form) } : {}),
  };
}

/** Arguments as typed: split on spaces, "double" or 'single' quotes keep spaces inside one argument. */
export function splitArgs(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function torchFieldsOf(form: HTMLFormElement): Pick<RunRequest, 'script' | 'scriptArgs'> {
  const script = (form.elements.namedItem('script') as HTMLInputElement).value.trim();
  const args = splitArgs((form.elements.namedItem('scriptArgs') as HTMLInputElement).value);
  return { ...(script ? { script } : {}), ...(args.length ? { scriptArgs: args } : {}) };
}

/** Builds the form; `onLaunch` gets the request when the researcher presses Launch, `onChange` whenever a field changes. */
export function runLaunchForm(models: string[], onLaunch: (request: RunRequest) => void, onChange?: (request: RunRequest) => void, options: { withEngine?: boolean } = {}): HTMLFormElement {
  const form = el('form', 'form-row');
  form.dataset.form = 'launch';
  const model = select('model', models);
  const dp = numberInput('dp', 2);
  const tp = numberInput('tp', 1);
  const pp = numberInput('pp', 1);
  const steps = numberInput('steps', 60);
  const micro = numberInput('microBatches', 2);
  const schedule = select('schedule', ['1f1b', 'gpipe']);
  const zero = select('zero', ['0', '1']);
  const engine = select('engine', ['tfjs', 'torch']);
  engine.dataset.launchEngine = 'true';
  engine.options[0].textContent = 'built-in (tfjs)';
  engine.options[1].textContent = 'PyTorch';
  const recompute = el('input');
  recompute.type = 'checkbox';
  recompute.name = 'recompute';
  const launch = el('button', 'primary', 'Launch');
  launch.type = 'submit';
  // The PyTorch engine runs the bundled script, or the researcher's own with its arguments.
  const script = el('input');
  script.name = 'script';
  script.placeholder = 'bundled train_gpt.py (or /path/to/your_script.py)';
  script.size = 34;
  const scriptArgs = el('input');
  scriptArgs.name = 'scriptArgs';
  scriptArgs.placeholder = 'extra arguments, e.g. --lr 3e-4';
  const torchFields = [field('script', script), field('script arguments', scriptArgs)];
  const showTorch = () => torchFields.forEach((f) => { f.hidden = engine.value !== 'torch'; });
  engine.addEventListener('change', showTorch);
  showTorch();
  // the engine fields are this form's unless its owner has its own (the Slurm form)
  form.append(...(options.withEngine === false ? [] : [field('engine', engine), ...torchFields]), field('model', model), field('dp', dp), field('tp', tp), field('pp', pp), field('steps', steps),
    field('micro-batches', micro), field('schedule', schedule), field('ZeRO', zero), field('recompute', recompute), launch);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onLaunch(requestOfForm(form));
  });
  if (onChange) {
    form.addEventListener('input', () => onChange(requestOfForm(form)));
    form.addEventListener('change', () => onChange(requestOfForm(form)));
  }
  return form;
}
