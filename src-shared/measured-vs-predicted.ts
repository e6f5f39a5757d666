/**
 * The one convention for putting a measurement next to a prediction, used by the Run view, History,
 * the report and the CLI: error = (measured - predicted) / predicted; a step's time is the slowest
 * rank's, averaged over the steps after the first (warm-up); a rank's memory is its process's peak
 * resident memory (VmHWM) on CPU ranks, with the source named whenever a weaker figure stands in.
 */

/** (measured - predicted) / predicted, or null when either is missing or the prediction is 0. */
export function errorFraction(measured: number | null | undefined, predicted: number | null | undefined): number | null {
  if (measured === null || measured === undefined || predicted === null || predicted === undefined || predicted === 0) return null;
  if (!Number.isFinite(measured) || !Number.isFinite(predicted)) return null;
  return (measured - predicted) / predicted;
}

/** "+12%", "-3.4%", "–" when there is no error. */
export function formatErrorFraction(error: number | null): string {
  if (error === null) return '–';
  const percent = error * 100;
  const digits = Math.abs(percent) < 10 ? 1 : 0;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(digits)}%`;
}

/** Mean of per-step times (each the slowest rank's), leaving out the first step when there are more. */
export function steadyStepSeconds(stepSeconds: number[]): number | null {
  const timed = stepSeconds.length > 1 ? stepSeconds.slice(1) : stepSeconds;
  return timed.length === 0 ? null : timed.reduce((a, s) => a + s, 0) / timed.length;
}

/** Where a rank's measured memory came from. */
export type RankMemorySource = 'process-peak-vmhwm' | 'process-rss' | 'gpu-process-memory';

/** Labels a researcher reads. */
export const rankMemorySourceLabels: Record<RankMemorySource, string> = {
  'process-peak-vmhwm': 'process peak resident memory (VmHWM)',
  'process-rss': 'process resident memory at step end (RSS; VmHWM not readable)',
  'gpu-process-memory': 'GPU memory of the rank process (nvidia-smi)',
};

/** A step event's memory figure for its rank: VmHWM when the worker read it, else RSS; null when neither. */
export function rankMemoryOfStep(event: { processMemoryPeakBytes?: unknown; processMemoryBytes?: unknown }): { bytes: number; source: RankMemorySource } | null {
  if (typeof event.processMemoryPeakBytes === 'number' && event.processMemoryPeakBytes > 0) return { bytes: event.processMemoryPeakBytes, source: 'process-peak-vmhwm' };
  if (typeof event.processMemoryBytes === 'number' && event.processMemoryBytes > 0) return { bytes: event.processMemoryBytes, source: 'process-rss' };
  return null;
}
