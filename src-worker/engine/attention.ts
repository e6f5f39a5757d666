/** Causal multi-head self-attention over this rank's heads (all heads when TP = 1). */
import * as tf from '@tensorflow/tfjs-core';
import { affine } from './layers.js';

const maskCache = new Map<number, tf.Tensor>();

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above (kept for the process lifetime). */
function causalMask(seqLen: number): tf.Tensor {
  let mask = maskCache.get(seqLen);
  if (!mask) {
    const values = new Float32Array(seqLen * seqLen);
    for (let i = 0; i < seqLen; i += 1) for (let j = i + 1; j < seqLen; j += 1) values[i * seqLen + j] = -1e9;
    mask = tf.keep(tf.tensor2d(values, [seqLen, seqLen]));
    maskCache.set(seqLen, mask);
  }
  return mask;
}

/**
 * Attention of h [B, T, hidden] with a QKV shard [hidden, 3 * localHeads * headDim] laid out as
 * [q | k | v]; returns the heads' outputs concatenated, [B, T, localHeads * headDim].
 */
export function causalAttention(h: tf.Tensor, qkvW: tf.Tensor, qkvB: tf.Tensor, localHeads: number): tf.Tensor {
  const [batch, seqLen] = h.shape as number[];
  const width = (qkvW.shape[1] as number) / 3;
  const headDim = width / localHeads;
  const qkv = affine(h, qkvW, qkvB);
  // One transpose to [3, B, heads, T, headDim], then q, k, v are contiguous slabs (cheaper than split + 3 transposes).
  const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [batch, seqLen, 3, localHeads, headDim]), [2, 0, 3, 1, 4]));
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), causalMask(seqLen));
  const weights = tf.softmax(scores, -1);
  const out = tf.matMul(weights, v);
  return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [batch, seqLen, width]);
}
