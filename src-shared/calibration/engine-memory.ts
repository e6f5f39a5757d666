/**
 * Peak resident memory (VmHWM) of one rank of the built-in engine: the runtime's own peak measured by
 * calibrate, plus what the engine allocates, counted from its code: parameters twice (the flat
 * Float32Array and the backend's tensors), the flat gradients, Adam's m and v (typed arrays, fp32),
 * the activations it keeps (per micro-batch in flight, or the fused tape's measured peak) and the
 * buffers of its gradient collectives (the optimizer step's copies, counted from its code, and the
 * collectives' own, measured by calibrate per payload byte).
 */
import type { TrainConfig } from '../engine-config.js';
import type { CollectiveMemory, EngineCalibration, EngineSegment } from './calibration-record.js';
import type { EngineRankShape } from './engine-shapes.js';
import { interpolate } from './interpolate.js';
import { microBatchSequences } from './engine-shapes.js';

/** The parts of a rank's predicted peak, in bytes. */
export interface RankMemoryParts {
  runtime: number;
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  communication: number;
  total: number;
  /** What `total` is a prediction of. */
  measuredAs: 'process peak resident memory (VmHWM)';
}

function framework(engine: EngineCalibration, segment: EngineSegment, tp: number, batch: number): number {
  return interpolate(engine.segments.filter((s) => s.segment === segment && s.tp === tp).map((s) => [s.batch, s.frameworkPeakBytes] as const), batch) ?? 0;
}

/** The predicted peak of one rank; `maxInFlight` = micro-batches whose activations its stage holds at once. */
export function predictRankMemory(config: TrainConfig, r: EngineRankShape, engine: EngineCalibration, maxInFlight: number, isFused: boolean, collectiveMemory: CollectiveMemory[] = []): RankMemoryParts {
  const { dp, tp } = config.strategy;
  const b = microBatchSequences(config);
  const activation = b * config.model.seqLen * config.model.hidden * 4;
  const layers = r.endLayer - r.firstLayer;
  const params = r.params * 4;
  let activations: number;
  const resident = engine.activationResidentFraction ?? 1;
  if (isFused) activations = resident * framework(engine, 'fused', 1, b);
  else {
    const keptPerMicroBatch = config.recompute ? activation : (2 * layers + 1) * activation;
    const recomputed = config.recompute ? 2 * layers * activation : 0;
    const transient = Math.max(...(['attn-backward', 'mlp-backward', 'head', 'embed-backward'] as const).map((s) => framework(engine, s, tp, b)));
    // TP ranks also hold the copies around their all-reduces until the heap collects them (measured, scaled to this micro-batch)
    const tpCopies = tp > 1 && engine.tpCopyOverheadBytes && engine.probeBatch ? (engine.tpCopyOverheadBytes * b) / engine.probeBatch : 0;
    activations = resident * (maxInFlight * keptPerMicroBatch + recomputed + transient) + (engine.segmentedOverheadBytes ?? 0) + tpCopies;
  }
  // ZeRO-1 (optimizer-step.ts, process-group.ts): reduce-scatter works on a copy of the gradients and returns this rank's
  // chunk; the update takes a slice of the parameters; all-gather returns a new full array
  const zeroBuffers = config.zeroStage === 1 && dp > 1 ? 2 * params + (2 * params) / dp : 0;
  // and the collectives' own buffers, measured per payload byte (calibrate); the ops of one step run one after another
  const perByte = (op: CollectiveMemory['op']) => { const m = collectiveMemory.find((c) => c.op === op); return m && m.bytes > 0 ? m.growthBytes / m.bytes : 0; };
  const gradientSync = dp > 1 ? (config.zeroStage === 1 ? Math.max(perByte('reduceScatter'), perByte('allGather')) : perByte('allReduce')) * params : 0;
  const parts = {
    runtime: engine.runtimeBaselineBytes,
    weights: 2 * params,
    gradients: params,
    optimizer: r.optimizerStateElements * 4,
    activations,
    communication: zeroBuffers + gradientSync,
  };
  return { ...parts, total: Object.values(parts).reduce((a, v) => a + v, 0), measuredAs: 'process peak resident memory (VmHWM)' };
}
