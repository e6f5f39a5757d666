/**
 * The whole model as one tape, for a rank that holds every layer without TP (dp-only runs) and does
 * not recompute: loss and every gradient from one tf.valueAndGrads, so no segment's forward runs twice.
 * (Segmenting is only needed where communication must happen inside the model.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradBuffer } from './grad-buffer.js';
import type { ParamStore } from './param-store.js';
import { embed, headLoss } from './segments.js';
import type { MicroBatch } from './stage.js';
import { sublayerParamNames, sublayerUnsharded, type SublayerKind } from './sublayer.js';

/** Runs forward + backward of one micro-batch over the full model; adds grads (scaled by 1/microBatches) and returns the loss. */
export async function fusedForwardBackward(store: ParamStore, grads: GradBuffer, layers: number, heads: number, data: MicroBatch, microBatches: number): Promise<number> {
  const sublayers: Array<[number, SublayerKind]> = [];
  for (let l = 0; l < layers; l += 1) sublayers.push([l, 'attn'], [l, 'mlp']);
  const groups = sublayers.map(([l, kind]) => sublayerParamNames(l, kind));
  const names = ['wte', 'wpe', ...groups.flat(), 'lnf.g', 'lnf.b', 'head.w', 'head.b'];
  const tokens = tf.tensor2d(data.tokens, [data.batch, data.seqLen], 'int32');
  const targets = tf.tensor2d(data.targets, [data.batch, data.seqLen], 'int32');
  const scale = tf.scalar(1 / microBatches);
  const lossOf = (...p: tf.Tensor[]) => {
    let x = embed(tokens, p[0], p[1]);
    let at = 2;
    for (const [i, [, kind]] of sublayers.entries()) {
      x = sublayerUnsharded(kind, heads, x, p.slice(at, at + groups[i].length));
      at += groups[i].length;
    }
    return headLoss(x, p[at], p[at + 1], p[at + 2], p[at + 3], targets);
  };
  const { value, grads: g } = tf.valueAndGrads(lossOf)(names.map((n) => store.tensor(n)), scale);
  names.forEach((n, i) => grads.add(n, g[i]));
  tokens.dispose();
  targets.dispose();
  scale.dispose();
  const loss = (await value.data())[0];
  value.dispose();
  return loss;
}
