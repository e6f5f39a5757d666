/** Turns a launch request (UI or CLI) into the engine's TrainConfig, with the defaults in one place. */
import { defaultGlobalBatch, modelPresets, validateTrainConfig, type ModelConfig, type TrainConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { RunRequest } from '../../../src-shared/run-live.js';
import type { TraceWindow } from '../../../src-shared/trace-spans.js';

/** Default learning rate of Adam (both engines). */
export const DEFAULT_LEARNING_RATE = 3e-3;

/** A request with its model already resolved (the CLI also accepts model files). */
export type ResolvedRunRequest = Omit<RunRequest, 'model'> & {
  model: ModelConfig;
  seed?: number;
  learningRate?: number;
  dataPath?: string;
  backend?: string;
  /** Steps whose spans are recorded (absent: every step; null: none). */
  traceSteps?: TraceWindow | null;
};

/** Looks up a built-in model preset; unknown ids are `bad-input` naming the choices. */
export function enginePreset(id: string): ModelConfig {
  const preset = Object.hasOwn(modelPresets, id) ? modelPresets[id] : undefined;
  if (!preset) throw new ShardScopeError('bad-input', `unknown model "${id}" (engine presets: ${Object.keys(modelPresets).join(', ')}; or a JSON file)`);
  return { ...preset };
}

/** The validated TrainConfig of a request; pipeline runs default to 2 micro-batches per stage. */
export function trainConfigOf(request: ResolvedRunRequest): TrainConfig {
  return validateTrainConfig({
    model: request.model,
    strategy: { dp: request.dp, tp: request.tp, pp: request.pp },
    steps: request.steps,
    globalBatch: request.globalBatch ?? defaultGlobalBatch,
    microBatches: request.microBatches ?? (request.pp > 1 ? 2 * request.pp : 1),
    schedule: request.schedule ?? '1f1b',
    zeroStage: request.zeroStage ?? 0,
    recompute: request.recompute ?? false,
    seed: request.seed ?? 0,
    learningRate: request.learningRate ?? DEFAULT_LEARNING_RATE,
    ...(request.dataPath ? { dataPath: request.dataPath } : {}),
    ...(request.backend ? { backend: request.backend } : {}),
    ...(request.traceSteps !== undefined ? { traceSteps: request.traceSteps } : {}),
  });
}
