/**
 * One pipeline stage on one rank: forward and backward of its segments per micro-batch.
 * Without recomputation every segment's input is kept from forward to backward; with it only the
 * stage input is kept and the stage's forward is run again before its backward.
 * (tf.grads always re-runs a segment's own forward: that is inherent to tfjs's synchronous tapes.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedForwardBackward } from './fused-step.js';
import { embed, headLoss } from './segments.js';
import { sublayerBackward, sublayerForward, type SublayerContext, type SublayerKind } from './sublayer.js';
import type { ShardPlacement } from './param-store.js';

/** Token ids and next-token targets of one micro-batch, row-major [batch, seqLen]. */
export interface MicroBatch {
  tokens: Int32Array;
  targets: Int32Array;
  batch: number;
  seqLen: number;
}

interface Saved {
  data: MicroBatch;
  /** Stage input (absent on stage 0, which starts from tokens). */
  input: tf.Tensor | null;
  /** Inputs of each sub-layer in order (empty when recomputing). */
  segmentInputs: tf.Tensor[];
  /** dL/d(head input) on the last stage. */
  headGrad: tf.Tensor | null;
}

/** Result of a forward: the activation to send on (not last stage) or the micro-batch loss (last stage). */
export interface ForwardResult {
  output: tf.Tensor | null;
  loss: number | null;
}

/** Runs this rank's stage; gradients go into ctx.grads scaled by 1/microBatches. */
export class StageRunner {
  private readonly saved = new Map<number, Saved>();
  private readonly sublayers: Array<[number, SublayerKind]> = [];

  /** Whole model on this rank, no TP, no recomputation: one tape for forward and backward (see fused-step.ts). */
  readonly isFused: boolean;

  constructor(private readonly ctx: SublayerContext, private readonly placement: ShardPlacement, private readonly microBatches: number, private readonly recompute: boolean) {
    this.isFused = !ctx.tp && placement.hasEmbedding && placement.hasHead && !recompute;
    for (let l = placement.firstLayer; l < placement.endLayer; l += 1) this.sublayers.push([l, 'attn'], [l, 'mlp']);
  }

  private async runLayers(x0: tf.Tensor, keep: tf.Tensor[] | null): Promise<tf.Tensor> {
    let x = x0;
    for (const [layer, kind] of this.sublayers) {
      const y = await sublayerForward(this.ctx, layer, kind, x);
      if (keep) keep.push(x);
      else if (x !== x0) x.dispose();
      x = y;
    }
    return x;
  }

  private embedTokens(data: MicroBatch): tf.Tensor {
    const { store } = this.ctx;
    return tf.tidy(() => embed(tf.tensor2d(data.tokens, [data.batch, data.seqLen], 'int32'), store.tensor('wte'), store.tensor('wpe')));
  }

  /** Forward of micro-batch `mb`; `input` is the previous stage's activation (null on stage 0; ownership passes here). */
  async forward(mb: number, data: MicroBatch, input: tf.Tensor | null): Promise<ForwardResult> {
    if (this.isFused) {
      const loss = await fusedForwardBackward(this.ctx.store, this.ctx.grads, this.placement.endLayer, this.ctx.localHeads, data, this.microBatches);
      return { output: null, loss };
    }
    const x0 = this.placement.hasEmbedding ? this.embedTokens(data) : (input as tf.Tensor);
    const keep: tf.Tensor[] | null = this.recompute ? null : [];
    const x = await this.runLayers(x0, keep);
    const saved: Saved = { data, input: this.placement.hasEmbedding ? null : x0, segmentInputs: keep ?? [], headGrad: null };
    if (this.recompute && this.placement.hasEmbedding && x0 !== x) x0.dispose();
    this.saved.set(mb, saved);
    if (!this.placement.hasHead) return { output: x, loss: null };
    const { store, grads } = this.ctx;
    const names = ['lnf.g', 'lnf.b', 'head.w', 'head.b'];
    const targets = tf.tensor2d(data.targets, [data.batch, data.seqLen], 'int32');
    const scale = tf.scalar(1 / this.microBatches);
    const { value, grads: g } = tf.valueAndGrads((h: tf.Tensor, ...p: tf.Tensor[]) => headLoss(h, p[0], p[1], p[2], p[3], targets))(
      [x, ...names.map((n) => store.tensor(n))], scale);
    scale.dispose();
    targets.dispose();
    names.forEach((n, i) => grads.add(n, g[i + 1]));
    saved.headGrad = g[0];
    const loss = (await value.data())[0];
    value.dispose();
    if (!keep?.includes(x) && x !== x0) x.dispose();
    return { output: null, loss };
  }

  /** Backward of micro-batch `mb` given dL/d(output) (null on the last stage); returns dL/d(input), null on stage 0. */
  async backward(mb: number, dOutput: tf.Tensor | null): Promise<tf.Tensor | null> {
    if (this.isFused) return null;
    const saved = this.saved.get(mb);
    if (!saved) throw new Error(`backward of micro-batch ${mb} before its forward`);
    this.saved.delete(mb);
    let inputs = saved.segmentInputs;
    if (this.recompute) {
      const x0 = saved.input ?? this.embedTokens(saved.data);
      inputs = [];
      (await this.runLayers(x0, inputs)).dispose();
    }
    let dy = (saved.headGrad ?? dOutput) as tf.Tensor;
    for (let i = this.sublayers.length - 1; i >= 0; i -= 1) {
      const [layer, kind] = this.sublayers[i];
      const dx = await sublayerBackward(this.ctx, layer, kind, inputs[i], dy);
      dy.dispose();
      if (inputs[i] !== saved.input) inputs[i].dispose();
      dy = dx;
    }
    if (saved.input) saved.input.dispose();
    if (!this.placement.hasEmbedding) return dy;
    const tokens = tf.tensor2d(saved.data.tokens, [saved.data.batch, saved.data.seqLen], 'int32');
    const { store, grads } = this.ctx;
    const [dWte, dWpe] = tf.grads((wte: tf.Tensor, wpe: tf.Tensor) => embed(tokens, wte, wpe))([store.tensor('wte'), store.tensor('wpe')], dy);
    grads.add('wte', dWte);
    grads.add('wpe', dWpe);
    tokens.dispose();
    dy.dispose();
    return null;
  }
}
