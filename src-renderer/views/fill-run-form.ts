/** Puts a run request's values into a launch form's fields (the Run view's, or the Slurm form's plan). */
import type { RunRequest } from '../../src-shared/run-live.js';

/** Sets each field the request has; a form without an engine field (the Slurm form's plan) skips it. */
export function fillRunForm(form: HTMLFormElement, request: Partial<RunRequest>): void {
  const set = (name: string, value: unknown) => {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (!field || value === undefined) return;
    if (field instanceof HTMLInputElement && field.type === 'checkbox') field.checked = Boolean(value);
    else field.value = String(value);
  };
  set('engine', request.engine);
  (form.elements.namedItem('engine') as HTMLSelectElement | null)?.dispatchEvent(new Event('change'));
  set('model', request.model);
  set('dp', request.dp);
  set('tp', request.tp);
  set('pp', request.pp);
  set('steps', request.steps);
  set('microBatches', request.microBatches);
  set('schedule', request.schedule);
  set('zero', request.zeroStage);
  set('recompute', request.recompute);
}
