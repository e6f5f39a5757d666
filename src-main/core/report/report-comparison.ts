/** Predicted-vs-measured rows of one run, and the side-by-side comparison of several runs (pure). */
import { errorFraction } from '../../../src-shared/measured-vs-predicted.js';
import type { Comparison, MeasuredFigures, PredictionCheck, RunReport } from '../../../src-shared/report-schema.js';

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
    check('computeSecondsPerStep', 's', pick(p, ['timeBreakdownSeconds', 'compute']), m.stepTimeSecondsMean.compute),
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

function fmt(value: number, digits = 4): string {
  return Number(value.toPrecision(digits)).toString();
}

/** Runs side by side; the verdict names the fastest (highest measured tokens/s) and the least energy per token (lowest measured J/token). */
export function compareRuns(runs: RunReport[]): Comparison {
  const rows = runs.map((r) => ({
    runId: r.id, strategyLabel: r.strategyLabel, tokensPerSecond: r.measured.tokensPerSecond, joulesPerToken: r.measured.energy.joulesPerToken,
    stepTimeSeconds: r.measured.steps > 0 ? r.measured.trainingSeconds / r.measured.steps : 0, mfu: r.measured.mfu,
    bytesSentPerStepPerRank: r.measured.bytesSentPerStepPerRank, peakMemoryBytes: r.measured.peakMemoryPerDeviceBytes,
  }));
  const withSpeed = rows.filter((r) => r.tokensPerSecond !== null);
  const withEnergy = rows.filter((r) => r.joulesPerToken !== null && (r.joulesPerToken as number) > 0);
  const fastest = withSpeed.reduce<(typeof rows)[number] | null>((best, r) => (best === null || (r.tokensPerSecond as number) > (best.tokensPerSecond as number) ? r : best), null);
  const frugal = withEnergy.reduce<(typeof rows)[number] | null>((best, r) => (best === null || (r.joulesPerToken as number) < (best.joulesPerToken as number) ? r : best), null);
  const parts: string[] = [];
  parts.push(fastest
    ? `Fastest: ${fastest.strategyLabel} (run ${fastest.runId}) at ${fmt(fastest.tokensPerSecond as number)} tokens/s`
    : 'No run recorded steps, so none can be called fastest');
  parts.push(frugal
    ? `least energy per token: ${frugal.strategyLabel} (run ${frugal.runId}) at ${fmt(frugal.joulesPerToken as number)} J/token`
    : 'no run has energy per token (no power samples)');
  return { rows, fastestRunId: fastest?.runId ?? null, leastEnergyPerTokenRunId: frugal?.runId ?? null, verdict: `${parts.join('; ')} (measured).` };
}
