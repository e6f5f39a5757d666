/**
 * Times the built-in engine's own segments (the functions a rank really calls: sublayer.ts,
 * segments.ts, fused-step.ts) at one micro-batch size and TP shard, on a parameter store of that shard.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../src-shared/engine-config.js';
import type { EngineSegment, SegmentTiming } from '../../src-shared/calibration/calibration-record.js';
import { fusedForwardBackward } from '../engine/fused-step.js';
import { GradBuffer } from '../engine/grad-buffer.js';
import { ParamStore } from '../engine/param-store.js';
import { embed, headLoss } from '../engine/segments.js';
import type { MicroBatch } from '../engine/stage.js';
import { StepClock } from '../engine/step-clock.js';
import { sublayerBackward, sublayerForward, type SublayerContext } from '../engine/sublayer.js';

/**
 * Mean seconds of `reps` calls (after one warm-up unless told not to): work a step repeats, compared with a run's
 * step time, which is a mean over steps (garbage collection and the host's hiccups included, as in a run).
 */
export async function meanSeconds(reps: number, work: () => Promise<unknown> | unknown, warmUp = true): Promise<number> {
  if (warmUp) await work();
  const t0 = performance.now();
  for (let i = 0; i < reps; i += 1) await work();
  return (performance.now() - t0) / 1000 / reps;
}

/** Median seconds of `reps` calls after one warm-up (throughput figures: a rate, not a step's share). */
export async function medianSeconds(reps: number, work: () => Promise<void> | void): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < reps; i += 1) {
    const t0 = performance.now();
    await work();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** A deterministic micro-batch of `batch` sequences (the probes' data). */
export function randomBatch(model: ModelConfig, batch: number): MicroBatch {
  const n = batch * model.seqLen;
  const tokens = Int32Array.from({ length: n }, (_, i) => (i * 7919) % model.vocab);
  const targets = Int32Array.from({ length: n }, (_, i) => (i * 104729 + 1) % model.vocab);
  return { tokens, targets, batch, seqLen: model.seqLen };
}

/** The model's store for a TP shard: every layer when `wholeModel`, else block 0 with the embedding and the head. */
export function shardStore(model: ModelConfig, tp: number, wholeModel: boolean): ParamStore {
  return new ParamStore(model, { firstLayer: 0, endLayer: wholeModel ? model.layers : 1, hasEmbedding: true, hasHead: true, tpSize: tp, tpIndex: 0 }, 1);
}

/** The segments of one TP shard at one micro-batch size (the fused tape only where tp = 1). */
export async function timeSegments(model: ModelConfig, tp: number, batch: number, reps: number): Promise<SegmentTiming[]> {
  const store = shardStore(model, tp, tp === 1);
  const grads = new GradBuffer(store);
  const ctx: SublayerContext = { store, grads, tp: null, clock: new StepClock(), localHeads: model.heads / tp };
  const data = randomBatch(model, batch);
  const x = tf.randomNormal([batch, model.seqLen, model.hidden]);
  const dy = tf.randomNormal([batch, model.seqLen, model.hidden]);
  const tokens = tf.tensor2d(data.tokens, [batch, model.seqLen], 'int32');
  const targets = tf.tensor2d(data.targets, [batch, model.seqLen], 'int32');
  const work: Array<[EngineSegment, () => Promise<void> | void]> = [
    ['embed-forward', () => tf.tidy(() => embed(tokens, store.tensor('wte'), store.tensor('wpe'))).dispose()],
    ['embed-backward', () => {
      const [a, b] = tf.grads((wte: tf.Tensor, wpe: tf.Tensor) => embed(tokens, wte, wpe))([store.tensor('wte'), store.tensor('wpe')], dy);
      grads.add('wte', a);
      grads.add('wpe', b);
    }],
    ['attn-forward', async () => (await sublayerForward(ctx, 0, 'attn', x)).dispose()],
    ['attn-backward', async () => (await sublayerBackward(ctx, 0, 'attn', x, dy)).dispose()],
    ['mlp-forward', async () => (await sublayerForward(ctx, 0, 'mlp', x)).dispose()],
    ['mlp-backward', async () => (await sublayerBackward(ctx, 0, 'mlp', x, dy)).dispose()],
    ['head', async () => {
      const names = ['lnf.g', 'lnf.b', 'head.w', 'head.b'];
      const scale = tf.scalar(1);
      const { value, grads: g } = tf.valueAndGrads((h: tf.Tensor, ...p: tf.Tensor[]) => headLoss(h, p[0], p[1], p[2], p[3], targets))([x, ...names.map((n) => store.tensor(n))], scale);
      names.forEach((n, i) => grads.add(n, g[i + 1]));
      g[0].dispose();
      scale.dispose();
      await value.data();
      value.dispose();
    }],
  ];
  if (tp === 1) work.push(['fused', async () => { await fusedForwardBackward(store, grads, model.layers, model.heads, data, 1); }]);
  const out: SegmentTiming[] = [];
  for (const [segment, fn] of work) {
    const seconds = await meanSeconds(reps, fn);
    const before = tf.memory().numBytes;
    const profile = await tf.profile(async () => { await fn(); });
    out.push({ segment, tp, batch, seconds, frameworkPeakBytes: Math.max(0, profile.peakBytes - before) });
  }
  for (const t of [x, dy, tokens, targets]) t.dispose();
  store.dispose();
  return out;
}
