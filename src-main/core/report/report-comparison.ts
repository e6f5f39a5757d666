/** Predicted-vs-measured rows of one run, and the side-by-side comparison of several runs (pure). */
import { errorFraction } from '../../../src-shared/measured-vs-predicted.js';
import type { Comparison, MeasuredFigures, PredictionCheck, RunReport } from '../../../src-shared/report-schema.js';
import { comparisonHeadline, distinctLabels, plannedStepsOf, type ComparedRun } from '../../../src-shared/run-comparison.js';

/** a + b, b absent taken as 0; null when a is. */
function sumOrNull(a: number | null, b: number | null): number | null {
  return a === null ? null : a + (b ?? 0);
}

function pick(source: unknown, path: string[]): number | null {
  let value: unknown = source;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function commBytes(source: unknown): number | null {
  const parts = ['dp', 'tp', 'pp'].map((k) => pick(source, ['commBytesPerStepPerGpu', k]));
  return parts.every((p) => p === null) ? null : parts.reduce<number>((sum, p) => sum + (p ?? 0), 0);
}

/** One row per parallelism kind when the engine reported bytes by kind (sent per rank per step, as the planner counts). */
function byParallelismChecks(p: unknown, m: MeasuredFigures): PredictionCheck[] {
  const measured = m.bytesSentPerStepPerRankByParallelism;
  if (!measured) return [];
  return (['dp', 'tp', 'pp'] as const).map((k) => check(`commBytesPerStepPerGpu.${k}`, 'bytes', pick(p, ['commBytesPerStepPerGpu', k]), measured[k]));
}

function check(metric: string, unit: string, predicted: number | null, measured: number | null): PredictionCheck {
  return { metric, unit, predicted, measured, errorFraction: errorFraction(measured, predicted) };
}

/** One row per rank when the prediction has ranks (calibrated engine prediction) and the ranks reported their peak. */
function perRankMemoryChecks(p: unknown, m: MeasuredFigures): PredictionCheck[] {
  const ranks = (p as { ranks?: Array<{ rank?: unknown; memoryBytes?: { total?: unknown } }> }).ranks;
  if (!Array.isArray(ranks) || !m.rankPeakMemoryBytesPerRank?.length) return [];
  return m.rankPeakMemoryBytesPerRank.map((r) => {
    const predicted = ranks.find((x) => x.rank === r.rank)?.memoryBytes?.total;
    return check(`peakMemoryBytes.rank${r.rank}`, 'bytes', typeof predicted === 'number' ? predicted : null, r.peakBytes);
  });
}

/** The planner's figures (from the prediction, else the plan) next to the measured ones. */
export function predictionChecksOf(prediction: unknown, plan: unknown, m: MeasuredFigures): PredictionCheck[] {
  const p = prediction ?? plan;
  if (typeof p !== 'object' || p === null) return [];
  return [
    check('stepTimeSeconds', 's', pick(p, ['stepTimeSeconds']), m.steadyStepSeconds ?? (m.steps > 0 ? m.trainingSeconds / m.steps : null)),
    check('tokensPerSecond', 'tokens/s', pick(p, ['tokensPerSecond']), m.tokensPerSecond),
    // a rank's clock counts the optimizer step as compute; the planner keeps it apart
    check('computeSecondsPerStep', 's', sumOrNull(pick(p, ['timeBreakdownSeconds', 'compute']), pick(p, ['timeBreakdownSeconds', 'optimizer'])), m.stepTimeSecondsMean.compute),
    check('communicationSecondsPerStep', 's', pick(p, ['timeBreakdownSeconds', 'communication']), m.stepTimeSecondsMean.communication),
    check('bubbleFraction', 'fraction', pick(p, ['bubbleFraction']), m.bubbleFraction),
    check('commBytesPerStepPerGpu', 'bytes', commBytes(p), m.bytesSentPerStepPerRank),
    ...byParallelismChecks(p, m),
    check('peakMemoryPerGpuBytes', 'bytes', pick(p, ['memoryPerGpuBytes', 'total']), m.peakMemoryPerDeviceBytes),
    ...perRankMemoryChecks(p, m),
    check('mfu', 'fraction', pick(p, ['mfu']), m.mfu),
    check('joulesPerToken', 'J/token', pick(p, ['joulesPerToken']), m.energy.joulesPerToken),
  ];
}

/** Runs side by side with a distinct label each; the verdict ranks only finished runs by measured tokens/s and J/token, flags the others and says what differs (src-shared/run-comparison.ts). */
export function compareRuns(runs: RunReport[]): Comparison {
  const compared: ComparedRun[] = runs.map((r) => ({
    id: r.id, engine: r.engine, status: r.status, stepsDone: r.measured.steps, stepsPlanned: plannedStepsOf(r.plan),
    model: r.model, strategy: r.strategy, tokensPerSecond: r.measured.tokensPerSecond, joulesPerToken: r.measured.energy.joulesPerToken,
  }));
  const labels = distinctLabels(compared);
  const headline = comparisonHeadline(compared, labels);
  const rows = runs.map((r, i) => ({
    runId: r.id, strategyLabel: r.strategyLabel, label: labels[i], status: r.status, steps: r.measured.steps, stepsPlanned: compared[i].stepsPlanned,
    tokensPerSecond: r.measured.tokensPerSecond, joulesPerToken: r.measured.energy.joulesPerToken,
    stepTimeSeconds: r.measured.steps > 0 ? r.measured.trainingSeconds / r.measured.steps : 0, mfu: r.measured.mfu,
    bytesSentPerStepPerRank: r.measured.bytesSentPerStepPerRank, peakMemoryBytes: r.measured.peakMemoryPerDeviceBytes,
  }));
  return {
    rows, fastestRunId: headline.fastestRunId, leastEnergyPerTokenRunId: headline.leastEnergyPerTokenRunId,
    unrankedRunIds: headline.unrankedRunIds, differences: headline.differences, verdict: headline.verdict,
  };
}
