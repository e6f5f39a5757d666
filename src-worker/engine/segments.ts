/**
 * The model cut into segments, the unit of forward and backward: tfjs gradients are synchronous,
 * so communication (TP all-reduce, pipeline send/recv) happens between segments.
 * A block is two sub-layers; each computes a TP-partial output that is summed across the TP group:
 *   y = x + allReduce(partial(x)) + bias
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself; training needs them on every backend.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { causalAttention } from './attention.js';
import { affine, crossEntropy, gelu, layerNorm } from './layers.js';

/** Token + position embeddings of int32 tokens [B, T]. */
export function embed(tokens: tf.Tensor, wte: tf.Tensor, wpe: tf.Tensor): tf.Tensor {
  const seqLen = tokens.shape[1] as number;
  return tf.add(tf.gather(wte, tokens), tf.slice(wpe, [0, 0], [seqLen, wpe.shape[1] as number]));
}

/** Attention sub-layer's TP-partial output: LN1 -> this rank's heads -> its rows of the out projection. */
export function attentionPartial(x: tf.Tensor, lnG: tf.Tensor, lnB: tf.Tensor, qkvW: tf.Tensor, qkvB: tf.Tensor, oW: tf.Tensor, localHeads: number): tf.Tensor {
  return affine(causalAttention(layerNorm(x, lnG, lnB), qkvW, qkvB, localHeads), oW);
}

/** MLP sub-layer's TP-partial output: LN2 -> this rank's fc1 columns -> GELU -> its fc2 rows. */
export function mlpPartial(x: tf.Tensor, lnG: tf.Tensor, lnB: tf.Tensor, fc1W: tf.Tensor, fc1B: tf.Tensor, fc2W: tf.Tensor): tf.Tensor {
  return affine(gelu(affine(layerNorm(x, lnG, lnB), fc1W, fc1B)), fc2W);
}

/** Final LN + LM head + mean cross-entropy of x [B, T, H] against targets [B, T]. */
export function headLoss(x: tf.Tensor, lnG: tf.Tensor, lnB: tf.Tensor, headW: tf.Tensor, headB: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  const logits = affine(layerNorm(x, lnG, lnB), headW, headB);
  return crossEntropy(tf.reshape(logits, [-1, headW.shape[1] as number]), tf.reshape(targets, [-1]));
}
