/**
 * A stored run as one RunUpdate carrying its whole history (every step of every rank, the kept
 * log lines, the energy so far), so a run page or a Run view re-attaching after a reload shows
 * the same charts as a panel that watched from the start. Pure: run details in, update out.
 */
import type { StepEvent } from '../../src-shared/engine-events.js';
import type { RunDetails } from '../../src-shared/run-record.js';
import type { RunLogLine, RunStepPoint, RunUpdate } from '../../src-shared/run-live.js';
import { plannedStepsOf } from '../../src-shared/run-comparison.js';

/** Steps the run was asked for (its recorded config), else the steps it has done. */
function stepsOf(details: RunDetails, stepsDone: number): number {
  return plannedStepsOf(details.run.plan) ?? stepsDone;
}

/** The history of a stored (finished or still running) run as a single update. */
export function updateOfStoredRun(details: RunDetails, nowMs = Date.now()): RunUpdate {
  const rankSteps = details.events.filter((e) => e.type === 'step' && typeof e.data.step === 'number').map((e) => ({ ...e.data, type: 'step', rank: e.rank ?? Number(e.data.rank) }) as StepEvent);
  const byStep = new Map<number, StepEvent[]>();
  for (const s of rankSteps) byStep.set(s.step, [...(byStep.get(s.step) ?? []), s]);
  const points: RunStepPoint[] = [...byStep].sort((a, b) => a[0] - b[0]).map(([step, rows]) => {
    const stepSeconds = Math.max(...rows.map((r) => r.stepTimeSeconds.total));
    const tokens = Math.max(...rows.map((r) => r.tokens));
    return { step, loss: rows.find((r) => typeof r.loss === 'number')?.loss ?? null, stepSeconds, tokensPerSecond: stepSeconds > 0 ? tokens / stepSeconds : 0 };
  });
  const logs: RunLogLine[] = details.events.filter((e) => e.type === 'log' && typeof e.data.line === 'string')
    .map((e) => ({ rank: e.rank ?? 0, stream: e.data.stream === 'stderr' ? 'stderr' : 'stdout', line: String(e.data.line) }));
  const stepsDone = points.length > 0 ? points[points.length - 1].step + 1 : 0;
  const steps = stepsOf(details, stepsDone);
  const { run, summary } = details;
  const elapsedSeconds = ((run.endedAtMs ?? nowMs) - run.startedAtMs) / 1000;
  return {
    runId: run.id, status: run.status, steps, stepsDone, startedAtMs: run.startedAtMs,
    etaSeconds: run.status === 'running' && stepsDone > 0 ? (elapsedSeconds / stepsDone) * (steps - stepsDone) : null,
    points, rankSteps, logs, error: run.error,
    // a running run's energy comes with its live updates (metered since its start)
    ...(run.status === 'running' ? {} : { energy: { timestampMs: run.endedAtMs ?? nowMs, cpuJoules: summary.energy.cpuJoules, gpuJoules: summary.energy.gpuJoules, cpuSource: summary.energy.cpuSource } }),
  };
}
