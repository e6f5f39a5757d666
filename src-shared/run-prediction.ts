/**
 * The prediction kept with a run: the calibrated engine prediction (src-shared/calibration), or the
 * planner's result from its catalogue (or, for torch runs, from the host's calibrated PyTorch figures: the reference script's own step, else its matmul rate). `note` says what it was made from; runs stored before the
 * engine prediction existed hold a bare planner result (no `kind`, no `note`).
 */
import type { EnginePrediction } from './calibration/engine-prediction.js';
import type { PlanResult } from './planner/index.js';
import type { TorchStepPrediction } from './calibration/torch-prediction.js';

/** A run's prediction as stored with it. */
export type RunPrediction = (EnginePrediction | TorchStepPrediction | (PlanResult & { kind?: 'planner-catalogue' | 'planner-torch-calibrated' })) & { note?: string };
