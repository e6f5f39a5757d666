/**
 * The prediction kept with a run: the calibrated engine prediction (src-shared/calibration), or the
 * planner's result from its catalogue. `note` says what it was made from; runs stored before the
 * engine prediction existed hold a bare planner result (no `kind`, no `note`).
 */
import type { EnginePrediction } from './calibration/engine-prediction.js';
import type { PlanResult } from './planner/index.js';

/** A run's prediction as stored with it. */
export type RunPrediction = (EnginePrediction | (PlanResult & { kind?: 'planner-catalogue' })) & { note?: string };
