/**
 * Runs side by side, the one way for History and the report: a distinct label per run, what differs
 * between their configurations, and a headline that ranks only runs that finished (a run stopped
 * after 4 steps is flagged, never called "Fastest"). Pure.
 */
import { formatSignificant } from './units.js';

/** What the comparison reads of a run. */
export interface ComparedRun {
  id: string;
  engine: string;
  status: string;
  /** Steps the run recorded. */
  stepsDone: number;
  /** Steps it was asked for, when the plan says. */
  stepsPlanned: number | null;
  model: Record<string, unknown>;
  strategy: Record<string, unknown>;
  tokensPerSecond: number | null;
  joulesPerToken: number | null;
}

/** One configuration field whose value is not the same in every run (values in run order). */
export interface ConfigDifference {
  field: string;
  values: string[];
}

/** The headline of a comparison. */
export interface ComparisonHeadline {
  /** Runs ranked: only those that finished. */
  fastestRunId: string | null;
  leastEnergyPerTokenRunId: string | null;
  /** Ids of runs that did not finish (cancelled, failed, interrupted, still running): shown, never ranked. */
  unrankedRunIds: string[];
  differences: ConfigDifference[];
  /** Sentences for people: the ranking, the runs left out and why, what differs. */
  verdict: string;
}

/** `dp=2 tp=1 pp=2` from a strategy record (other numeric knobs left out). */
export function strategyLabelOf(strategy: Record<string, unknown>): string {
  return ['dp', 'tp', 'pp'].map((k) => `${k}=${typeof strategy[k] === 'number' ? strategy[k] : 1}`).join(' ');
}

/** The steps a run was asked for, read from its stored plan (`plan.config.steps`), else null. */
export function plannedStepsOf(plan: unknown): number | null {
  const steps = (plan as { config?: { steps?: unknown } } | null)?.config?.steps;
  return typeof steps === 'number' && Number.isFinite(steps) ? steps : null;
}

/** `cancelled after 4 of 3000 steps`, `finished 60 steps`. */
export function progressText(run: Pick<ComparedRun, 'status' | 'stepsDone' | 'stepsPlanned'>): string {
  if (run.status === 'finished') return `finished ${run.stepsDone} step${run.stepsDone === 1 ? '' : 's'}`;
  const of = run.stepsPlanned !== null ? ` of ${run.stepsPlanned}` : '';
  return `${run.status} after ${run.stepsDone}${of} step${(run.stepsPlanned ?? run.stepsDone) === 1 ? '' : 's'}`;
}

/**
 * A label per run, never two the same: the strategy (and the engine when not the built-in one),
 * then as much of the run id as tells runs with the same strategy apart, then the status when the
 * run did not finish.
 */
export function distinctLabels(runs: Pick<ComparedRun, 'id' | 'engine' | 'strategy' | 'status'>[]): string[] {
  const base = runs.map((r) => `${r.engine === 'tfjs' ? '' : `${r.engine} `}${strategyLabelOf(r.strategy)}`);
  const withId = runs.map((r, i) => {
    const twins = runs.filter((o, j) => base[j] === base[i] && o.id !== r.id);
    if (twins.length === 0) return base[i];
    let length = 6;
    while (length < r.id.length && twins.some((t) => t.id.slice(-length) === r.id.slice(-length))) length += 2;
    return `${base[i]} · ${r.id.slice(-Math.min(length, r.id.length))}`;
  });
  return withId.map((label, i) => (runs[i].status === 'finished' ? label : `${label} (${runs[i].status})`));
}

function flat(run: ComparedRun): Map<string, string> {
  const fields = new Map<string, string>([['engine', run.engine]]);
  for (const [k, v] of Object.entries(run.model)) if (v !== null && typeof v !== 'object') fields.set(`model ${k}`, String(v));
  for (const [k, v] of Object.entries(run.strategy)) if (v !== null && typeof v !== 'object') fields.set(k, String(v));
  if (run.stepsPlanned !== null) fields.set('steps asked', String(run.stepsPlanned));
  return fields;
}

/** Configuration fields that differ between the runs (a field a run lacks reads "–"). */
export function configDifferences(runs: ComparedRun[]): ConfigDifference[] {
  const flats = runs.map(flat);
  const fields = [...new Set(flats.flatMap((f) => [...f.keys()]))];
  return fields
    .map((field) => ({ field, values: flats.map((f) => f.get(field) ?? '–') }))
    .filter((d) => new Set(d.values).size > 1);
}

/** Ranks the finished runs by measured tokens/s and J/token; flags the others; says what differs. */
export function comparisonHeadline(runs: ComparedRun[], labels: string[] = distinctLabels(runs)): ComparisonHeadline {
  const labelOf = (id: string) => labels[runs.findIndex((r) => r.id === id)];
  const finished = runs.filter((r) => r.status === 'finished');
  const fast = finished.filter((r) => r.tokensPerSecond !== null && r.tokensPerSecond > 0)
    .reduce<ComparedRun | null>((best, r) => (best === null || (r.tokensPerSecond as number) > (best.tokensPerSecond as number) ? r : best), null);
  const frugal = finished.filter((r) => r.joulesPerToken !== null && r.joulesPerToken > 0)
    .reduce<ComparedRun | null>((best, r) => (best === null || (r.joulesPerToken as number) < (best.joulesPerToken as number) ? r : best), null);
  const unranked = runs.filter((r) => r.status !== 'finished');
  const differences = configDifferences(runs);
  const sentences: string[] = [];
  if (finished.length === 0) sentences.push('No run finished, so none is ranked (measured figures of unfinished runs cover only part of their steps).');
  else {
    const speed = fast
      ? `Fastest: ${labelOf(fast.id)} (run ${fast.id}) at ${formatSignificant(fast.tokensPerSecond)} tokens/s`
      : 'No finished run recorded steps, so none can be called fastest';
    const energy = frugal
      ? `least energy per token: ${labelOf(frugal.id)} (run ${frugal.id}) at ${formatSignificant(frugal.joulesPerToken)} J/token`
      : 'no finished run has energy per token (no power samples)';
    sentences.push(`${speed}; ${energy} (measured${finished.length < runs.length ? ', finished runs only' : ''}).`);
  }
  if (unranked.length > 0) sentences.push(`Not ranked: ${unranked.map((r) => `${labelOf(r.id)}, ${progressText(r)}`).join('; ')}.`);
  if (differences.length > 0) sentences.push(`Differs: ${differences.map((d) => `${d.field} ${d.values.join(' vs ')}`).join('; ')}.`);
  else if (runs.length > 1) sentences.push('Same configuration.');
  return {
    fastestRunId: fast?.id ?? null,
    leastEnergyPerTokenRunId: frugal?.id ?? null,
    unrankedRunIds: unranked.map((r) => r.id),
    differences,
    verdict: sentences.join(' '),
  };
}
