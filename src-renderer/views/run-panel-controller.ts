/**
 * The run panels of a view (the Run view's and the Hosts view's run form share this): one panel per
 * run, opened with the prediction kept with the run (and, when re-attaching, its whole stored
 * history), updates that arrive before the panel exists held and applied in order, every panel
 * disposed with the view's scope.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { RunDetails } from '../../src-shared/run-record.js';
import type { RunUpdate } from '../../src-shared/run-live.js';
import { updateOfStoredRun } from '../state/stored-run.js';
import type { ViewScope } from '../view-scope.js';
import { mountRunPanel, type RunPanel } from './run-panel.js';

/** What a view does with a run update for which it has no panel yet. */
export type UnknownRunPolicy = 'open' | 'hold' | 'ignore';

/** Options of the controller. */
export interface RunPanelControllerOptions {
  /** `open`: show the run (from the store, then live); `hold`: keep its updates until `open(runId)`; `ignore`. */
  onUnknownRun: (update: RunUpdate) => UnknownRunPolicy;
  /** Every run update (after it went to its panel), e.g. to refresh a Launch button. */
  onUpdate?: (update: RunUpdate) => void;
  /** The run's stored record was read as its panel opened. */
  onOpened?: (runId: string, details: RunDetails | null) => void;
}

/** The controller: `open(runId, {fromStore})`, `dropHeld()`, and the panels it shows. */
export interface RunPanelController {
  open(runId: string, options?: { fromStore?: boolean }): Promise<RunPanel | null>;
  /** Forgets updates held for runs that will not be opened (a launch that failed). */
  dropHeld(): void;
  readonly panels: ReadonlyMap<string, RunPanel>;
}

/** Panels of runs in `container`, subscribed to the API's run updates until `scope` is disposed. */
export function runPanelController(container: HTMLElement, api: ShardScopeApi, scope: ViewScope, options: RunPanelControllerOptions): RunPanelController {
  const panels = new Map<string, RunPanel>();
  const held = new Map<string, RunUpdate[]>();
  const opening = new Set<string>();

  const open = async (runId: string, { fromStore = false } = {}): Promise<RunPanel | null> => {
    const existing = panels.get(runId);
    if (existing || opening.has(runId)) return existing ?? null;
    opening.add(runId);
    if (!held.has(runId)) held.set(runId, []); // keep its updates while the record is read
    const details = await api.getRun({ runId }).catch(() => null);
    opening.delete(runId);
    if (scope.isDisposed) return null;
    options.onOpened?.(runId, details);
    const panel = mountRunPanel(container, api, runId, details?.run.prediction ?? null, scope.child());
    panels.set(runId, panel);
    // re-attaching: the whole history first, then what came meanwhile (steps already seen are skipped)
    if (fromStore && details) panel.apply(updateOfStoredRun(details));
    for (const update of held.get(runId) ?? []) panel.apply(update);
    held.delete(runId);
    return panel;
  };

  scope.add(api.on('run', (update) => {
    const panel = panels.get(update.runId);
    if (panel) panel.apply(update);
    else if (held.has(update.runId)) held.get(update.runId)!.push(update);
    else {
      const policy = options.onUnknownRun(update);
      if (policy !== 'ignore') held.set(update.runId, [update]);
      if (policy === 'open') void open(update.runId, { fromStore: true });
    }
    options.onUpdate?.(update);
  }));
  scope.add(() => held.clear());
  return { open, dropHeld: () => { for (const id of held.keys()) if (!opening.has(id)) held.delete(id); }, panels };
}
