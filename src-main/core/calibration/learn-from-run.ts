/** After a finished run of the built-in engine: its measured times refine the calibration it was predicted from (a new record; the previous stays). */
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { EnginePrediction } from '../../../src-shared/calibration/engine-prediction.js';
import { refineFromRun, type RunMeasuredSeconds } from '../../../src-shared/calibration/refine-from-run.js';
import type { StepEvent } from '../../../src-shared/engine-events.js';
import type { CalibrationStore } from './calibration-store.js';

/** Sums a run's step events (after each rank's first step) into mean compute and communication seconds per rank-step. */
export class RunStepSeconds {
  private compute = 0;
  private readonly communication = { dp: 0, tp: 0, pp: 0 };
  private count = 0;

  /** Adds one rank's step (step 0, the warm-up, is left out). */
  add(event: StepEvent): void {
    if (event.step === 0) return;
    this.count += 1;
    this.compute += event.stepTimeSeconds.compute;
    for (const k of ['dp', 'tp', 'pp'] as const) this.communication[k] += event.communicationSecondsByParallelism?.[k] ?? 0;
  }

  /** The means, or null before any step after the first. */
  mean(): RunMeasuredSeconds | null {
    if (this.count === 0) return null;
    const n = this.count;
    return { computeSeconds: this.compute / n, communicationSecondsByParallelism: { dp: this.communication.dp / n, tp: this.communication.tp / n, pp: this.communication.pp / n } };
  }
}

/** Stores the refined calibration when the run was predicted from one; returns it (null when nothing was learned). */
export function learnFromRun(store: CalibrationStore, calibration: HostCalibration | null, prediction: unknown, measured: RunMeasuredSeconds | null, runId: string): HostCalibration | null {
  if (!calibration || !measured || (prediction as { kind?: unknown } | null)?.kind !== 'engine-calibrated') return null;
  const refined = refineFromRun(calibration, prediction as EnginePrediction, measured, runId, Date.now());
  return refined ? store.add(refined) : null;
}
