/** After a finished run (built-in engine, or the bundled torch script): its measured times refine the calibration it was predicted from (a new record; the previous stays). */
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { EnginePrediction } from '../../../src-shared/calibration/engine-prediction.js';
import { refineFromRun, refineTorchFromRun, type RunMeasuredSeconds } from '../../../src-shared/calibration/refine-from-run.js';
import type { TorchStepPrediction } from '../../../src-shared/calibration/torch-prediction.js';
import type { StepEvent } from '../../../src-shared/engine-events.js';
import type { CalibrationStore } from './calibration-store.js';

/** Sums a run's step events (after each rank's first step) into mean compute and communication seconds per rank-step. */
export class RunStepSeconds {
  private compute = 0;
  private communicationTotal = 0;
  private readonly communication = { dp: 0, tp: 0, pp: 0 };
  private count = 0;

  /** Adds one rank's step (step 0, the warm-up, is left out). */
  add(event: StepEvent): void {
    if (event.step === 0) return;
    this.count += 1;
    this.compute += event.stepTimeSeconds.compute;
    this.communicationTotal += event.stepTimeSeconds.communication;
    for (const k of ['dp', 'tp', 'pp'] as const) this.communication[k] += event.communicationSecondsByParallelism?.[k] ?? 0;
  }

  /** The means, or null before any step after the first. */
  mean(): RunMeasuredSeconds | null {
    if (this.count === 0) return null;
    const n = this.count;
    return { computeSeconds: this.compute / n, communicationSeconds: this.communicationTotal / n, communicationSecondsByParallelism: { dp: this.communication.dp / n, tp: this.communication.tp / n, pp: this.communication.pp / n } };
  }
}

/** Stores the refined calibration when the run was predicted from one; returns it (null when nothing was learned). */
export function learnFromRun(store: CalibrationStore, calibration: HostCalibration | null, prediction: unknown, measured: RunMeasuredSeconds | null, runId: string): HostCalibration | null {
  const kind = (prediction as { kind?: unknown } | null)?.kind;
  if (!calibration || !measured || (kind !== 'engine-calibrated' && kind !== 'torch-calibrated')) return null;
  const refined = kind === 'torch-calibrated'
    ? refineTorchFromRun(calibration, prediction as TorchStepPrediction, measured, runId, Date.now())
    : refineFromRun(calibration, prediction as EnginePrediction, measured, runId, Date.now());
  return refined ? store.add(refined) : null;
}
