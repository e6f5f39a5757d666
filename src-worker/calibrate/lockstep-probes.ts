/**
 * What ranks sharing a host do to each other, measured inside one group of rank processes so that "alone" and
 * "together" are timed seconds apart in the same processes (a host's speed drifts by 10% or more over a minute,
 * so probes in separate processes minutes apart mistake drift for contention):
 * - the fused step (dp-only ranks): each rank alone while the others wait at a barrier, then all at once;
 * - one TP layer (attention and MLP sub-layers, forward and backward, the engine's own sublayer.ts with its TP
 *   all-reduces): alone without the group, then in lockstep with it. The all-reduce's time beyond the bare call
 *   (timed idle, same payload) is the wait for the rank the shared cores delayed.
 * Means, not medians: a run's step time is a mean over its steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../src-shared/engine-config.js';
import type { ConcurrencyPoint, TpLockstep } from '../../src-shared/calibration/calibration-record.js';
import type { ProcessGroup } from '../collective/types.js';
import { fusedForwardBackward } from '../engine/fused-step.js';
import { GradBuffer } from '../engine/grad-buffer.js';
import { ParamStore } from '../engine/param-store.js';
import { StepClock } from '../engine/step-clock.js';
import { sublayerBackward, sublayerForward, type SublayerContext } from '../engine/sublayer.js';
import { meanSeconds, randomBatch } from './segment-timer.js';

const rounds = 2;

async function meanMs(reps: number, work: () => Promise<unknown>): Promise<number> {
  return (await meanSeconds(reps, work, false)) * 1000;
}

/** The group's mean of each per-rank figure (one all-reduce). */
async function groupMeans(g: ProcessGroup, values: number[]): Promise<number[]> {
  const buf = Float32Array.from(values);
  await g.allReduce(buf);
  return [...buf].map((v) => v / g.size);
}

/** `rounds` times: each rank runs `alone` while the others wait at a barrier, then every rank runs `together` at once. */
async function interleave(g: ProcessGroup, alone: () => Promise<void>, together: () => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    for (let r = 0; r < g.size; r += 1) {
      await g.barrier();
      if (r === g.rank) await alone();
      await g.barrier();
    }
    await g.barrier();
    await together();
  }
}

/** Each rank alone, then all together, interleaved; the group's mean of both (ms per call of `work`). */
async function aloneAndTogether(g: ProcessGroup, reps: number, work: () => Promise<unknown>): Promise<{ aloneMs: number; togetherMs: number }> {
  await work();
  let alone = 0;
  let together = 0;
  await interleave(g, async () => { alone += await meanMs(reps, work); }, async () => { together += await meanMs(reps, work); });
  const [aloneMs, togetherMs] = await groupMeans(g, [alone / rounds, together / rounds]);
  return { aloneMs, togetherMs };
}

/** The fused step of a whole-model rank at `batch`: how much slower `g.size` ranks compute it at once than one alone. */
export async function fusedContentionProbe(g: ProcessGroup, model: ModelConfig, batch: number, reps: number): Promise<ConcurrencyPoint & { aloneSeconds: number }> {
  const store = new ParamStore(model, { firstLayer: 0, endLayer: model.layers, hasEmbedding: true, hasHead: true, tpSize: 1, tpIndex: 0 }, 1);
  const grads = new GradBuffer(store);
  const data = randomBatch(model, batch);
  try {
    const { aloneMs, togetherMs } = await aloneAndTogether(g, reps, () => fusedForwardBackward(store, grads, model.layers, model.heads, data, 1));
    return { processes: g.size, slowdown: togetherMs / aloneMs, aloneSeconds: aloneMs / 1000 };
  } finally {
    store.dispose();
  }
}

/** One TP layer (shard rank/size) at `batch`: alone without collectives, then in lockstep through the group's all-reduces. */
export async function tpLayerProbe(g: ProcessGroup, model: ModelConfig, batch: number, reps: number): Promise<TpLockstep> {
  const store = new ParamStore(model, { firstLayer: 0, endLayer: 1, hasEmbedding: false, hasHead: false, tpSize: g.size, tpIndex: g.rank }, 1);
  const grads = new GradBuffer(store);
  const clock = new StepClock();
  const x = tf.randomNormal([batch, model.seqLen, model.hidden]);
  const dy = tf.randomNormal([batch, model.seqLen, model.hidden]);
  const ctxOf = (tp: ProcessGroup | null): SublayerContext => ({ store, grads, tp, clock, localHeads: model.heads / g.size });
  // forward then backward of both sub-layers, as a TP stage runs a block; the forward and backward time kept apart
  const times = { forwardMs: 0, backwardMs: 0, forwardCommMs: 0, backwardCommMs: 0 };
  const layer = async (ctx: SublayerContext) => {
    clock.reset();
    const t0 = performance.now();
    const h = await sublayerForward(ctx, 0, 'attn', x);
    const y = await sublayerForward(ctx, 0, 'mlp', h);
    const t1 = performance.now();
    const forwardComm = clock.communicationSecondsByKind().tp * 1000;
    const dh = await sublayerBackward(ctx, 0, 'mlp', h, dy);
    const dx = await sublayerBackward(ctx, 0, 'attn', x, dh);
    const t2 = performance.now();
    const comm = clock.communicationSecondsByKind().tp * 1000;
    for (const t of [h, y, dh, dx]) t.dispose();
    times.forwardMs += t1 - t0;
    times.backwardMs += t2 - t1;
    times.forwardCommMs += forwardComm;
    times.backwardCommMs += comm - forwardComm;
  };
  const reset = () => { times.forwardMs = 0; times.backwardMs = 0; times.forwardCommMs = 0; times.backwardCommMs = 0; };
  try {
    const alone = { forwardMs: 0, backwardMs: 0 };
    const together = { forwardMs: 0, backwardMs: 0, commMs: 0 };
    await layer(ctxOf(null));
    await layer(ctxOf(g));
    await interleave(g, async () => {
      reset();
      for (let i = 0; i < reps; i += 1) await layer(ctxOf(null));
      alone.forwardMs += times.forwardMs / reps;
      alone.backwardMs += times.backwardMs / reps;
    }, async () => {
      reset();
      for (let i = 0; i < reps; i += 1) await layer(ctxOf(g));
      together.forwardMs += (times.forwardMs - times.forwardCommMs) / reps;
      together.backwardMs += (times.backwardMs - times.backwardCommMs) / reps;
      together.commMs += (times.forwardCommMs + times.backwardCommMs) / reps;
    });
    // the bare all-reduce of a forward payload, every rank idle and arriving together
    const payload = new Float32Array(batch * model.seqLen * model.hidden);
    await g.allReduce(payload);
    const bare: number[] = [];
    for (let i = 0; i < Math.max(5, reps); i += 1) {
      await g.barrier();
      const t0 = performance.now();
      await g.allReduce(payload);
      bare.push(performance.now() - t0);
    }
    bare.sort((a, b) => a - b);
    const syncs = 4;
    const [aloneF, aloneB, togetherF, togetherB, commMs, bareMs] = await groupMeans(g, [
      alone.forwardMs / rounds, alone.backwardMs / rounds, together.forwardMs / rounds, together.backwardMs / rounds, together.commMs / rounds / syncs, bare[Math.floor(bare.length / 2)],
    ]);
    return {
      tp: g.size, batch,
      forwardSlowdown: togetherF / aloneF,
      backwardSlowdown: togetherB / aloneB,
      aloneLayerSeconds: (aloneF + aloneB) / 1000,
      syncSeconds: commMs / 1000,
      bareAllReduceSeconds: bareMs / 1000,
      waitPerSyncSeconds: Math.max(0, commMs - bareMs) / 1000,
    };
  } finally {
    for (const t of [x, dy]) t.dispose();
    store.dispose();
  }
}
