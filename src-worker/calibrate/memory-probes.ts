/**
 * Probes run in a fresh worker process, so its peak resident memory (VmHWM) belongs to one workload:
 * the whole-model tape (dp-only ranks) and a segmented TP stage (the path TP/PP ranks take, with its
 * copies between segments), each run like a training step for a few repetitions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CalibrationProbeResult } from '../../src-shared/calibration/calibration-record.js';
import type { ModelConfig } from '../../src-shared/engine-config.js';
import { fusedForwardBackward } from '../engine/fused-step.js';
import { GradBuffer } from '../engine/grad-buffer.js';
import { ParamStore } from '../engine/param-store.js';
import { processPeakMemoryBytes } from '../engine/process-peak-memory.js';
import { StageRunner } from '../engine/stage.js';
import { StepClock } from '../engine/step-clock.js';
import type { ProcessGroup } from '../collective/types.js';
import { meanSeconds, shardStore } from './segment-timer.js';

/** What a probe reports (the command adds the runtime baseline). */
export type ProbeResult = Omit<CalibrationProbeResult, 'runtimeBaselineBytes'>;

function batchOf(model: ModelConfig, batch: number) {
  const n = batch * model.seqLen;
  return { tokens: new Int32Array(n).fill(1), targets: new Int32Array(n).fill(2), batch, seqLen: model.seqLen };
}

async function measure(store: ParamStore, reps: number, work: () => Promise<void>): Promise<ProbeResult> {
  const seconds = await meanSeconds(reps, work);
  const before = tf.memory().numBytes;
  const frameworkPeakBytes = (await tf.profile(work)).peakBytes - before;
  return { seconds, peakResidentBytes: processPeakMemoryBytes(), heldBytes: 12 * store.size, frameworkPeakBytes };
}

/** Whole-model forward + backward of one micro-batch, as a dp-only rank runs it. */
export function probeFused(model: ModelConfig, batch: number, reps: number): Promise<ProbeResult> {
  const store = shardStore(model, 1, true);
  const grads = new GradBuffer(store);
  const data = batchOf(model, batch);
  return measure(store, reps, async () => { await fusedForwardBackward(store, grads, model.layers, model.heads, data, 1); });
}

/**
 * A TP group of one process for `probeStage`: its all-reduce leaves the buffer as it is, so the stage makes the
 * copies out of and back into tensors that every TP all-reduce makes, without a peer (the collective's own buffers
 * are measured by calibrate-collective-rank --memory-op).
 */
const copiesOnlyGroup = { rank: 0, size: 1, allReduce: async () => undefined } as unknown as ProcessGroup;

/**
 * Every block of a TP shard of `tp` as a first stage (forward keeping segment inputs, then backward), without its
 * collectives, or with `withTpCopies` the copies around each TP all-reduce too.
 */
export function probeStage(model: ModelConfig, batch: number, tp: number, reps: number, withTpCopies = false): Promise<ProbeResult> {
  const placement = { firstLayer: 0, endLayer: model.layers, hasEmbedding: true, hasHead: false, tpSize: tp, tpIndex: 0 };
  const store = new ParamStore(model, placement, 1);
  const grads = new GradBuffer(store);
  const runner = new StageRunner({ store, grads, tp: withTpCopies ? copiesOnlyGroup : null, clock: new StepClock(), localHeads: model.heads / tp }, placement, 1, false);
  const data = batchOf(model, batch);
  return measure(store, reps, async () => {
    const { output } = await runner.forward(0, data, null);
    const dOut = tf.onesLike(output as tf.Tensor);
    (output as tf.Tensor).dispose();
    await runner.backward(0, dOut);
  });
}
