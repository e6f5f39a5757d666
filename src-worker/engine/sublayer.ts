/** Forward and backward of one TP sub-layer (attention or MLP): y = x + allReduce(partial(x)) + bias. */
import * as tf from '@tensorflow/tfjs-core';
import type { ProcessGroup } from '../collective/types.js';
import type { GradBuffer } from './grad-buffer.js';
import type { ParamStore } from './param-store.js';
import { attentionPartial, mlpPartial } from './segments.js';
import type { StepClock } from './step-clock.js';

/** Which half of a block. */
export type SublayerKind = 'attn' | 'mlp';

/** What a sub-layer needs: parameters, the TP group (null when tp = 1), the clock and the gradient sink. */
export interface SublayerContext {
  store: ParamStore;
  grads: GradBuffer;
  tp: ProcessGroup | null;
  clock: StepClock;
  localHeads: number;
}

function names(layer: number, kind: SublayerKind): { ln: [string, string]; sharded: string[]; bias: string } {
  const p = `h${layer}.`;
  return kind === 'attn'
    ? { ln: [`${p}ln1.g`, `${p}ln1.b`], sharded: [`${p}qkv.w`, `${p}qkv.b`, `${p}o.w`], bias: `${p}o.b` }
    : { ln: [`${p}ln2.g`, `${p}ln2.b`], sharded: [`${p}fc1.w`, `${p}fc1.b`, `${p}fc2.w`], bias: `${p}fc2.b` };
}

function partialFn(kind: SublayerKind, localHeads: number): (...args: tf.Tensor[]) => tf.Tensor {
  return kind === 'attn'
    ? (x, g, b, w1, b1, w2) => attentionPartial(x, g, b, w1, b1, w2, localHeads)
    : (x, g, b, w1, b1, w2) => mlpPartial(x, g, b, w1, b1, w2);
}

/** The parameter names of a sub-layer in the order its partial function takes them, then its output bias. */
export function sublayerParamNames(layer: number, kind: SublayerKind): string[] {
  const n = names(layer, kind);
  return [...n.ln, ...n.sharded, n.bias];
}

/** The whole sub-layer without TP (tp = 1), as one differentiable function: x + partial(x) + bias. */
export function sublayerUnsharded(kind: SublayerKind, localHeads: number, x: tf.Tensor, params: tf.Tensor[]): tf.Tensor {
  return tf.add(tf.add(x, partialFn(kind, localHeads)(x, ...params.slice(0, 5))), params[5]);
}

/** Copies a tensor's values out (backends may hand out their own storage from dataSync). */
export function copyOut(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** Forward: the TP all-reduce of the partial output is Megatron's "g" operator. Does not dispose x. */
export async function sublayerForward(ctx: SublayerContext, layer: number, kind: SublayerKind, x: tf.Tensor): Promise<tf.Tensor> {
  const n = names(layer, kind);
  const params = [...n.ln, ...n.sharded].map((name) => ctx.store.tensor(name));
  let partial = tf.tidy(() => partialFn(kind, ctx.localHeads)(x, ...params));
  if (ctx.tp) {
    const buf = copyOut(partial);
    await ctx.clock.communication(ctx.tp.allReduce(buf), 'tp');
    partial.dispose();
    partial = tf.tensor(buf, x.shape);
  }
  const y = tf.tidy(() => tf.add(tf.add(x, partial), ctx.store.tensor(n.bias)));
  partial.dispose();
  return y;
}

/**
 * Backward given dL/dy: recomputes the partial's forward inside tf.grads, then all-reduces
 * dL/dx of the partial together with the LN gradients across TP (Megatron's "f" operator:
 * each rank saw only its heads/columns). Returns dL/dx; does not dispose x or dy.
 */
export async function sublayerBackward(ctx: SublayerContext, layer: number, kind: SublayerKind, x: tf.Tensor, dy: tf.Tensor): Promise<tf.Tensor> {
  const n = names(layer, kind);
  const params = [...n.ln, ...n.sharded].map((name) => ctx.store.tensor(name));
  const [dxPartial, dLnG, dLnB, ...dSharded] = tf.grads(partialFn(kind, ctx.localHeads))([x, ...params], dy);
  dSharded.forEach((g, i) => ctx.grads.add(n.sharded[i], g));
  ctx.grads.add(n.bias, tf.tidy(() => tf.sum(dy, [0, 1])));
  let dxSum = dxPartial;
  if (ctx.tp) {
    const size = dxPartial.size;
    const hidden = dLnG.size;
    const buf = new Float32Array(size + 2 * hidden);
    buf.set(dxPartial.dataSync() as Float32Array, 0);
    buf.set(dLnG.dataSync() as Float32Array, size);
    buf.set(dLnB.dataSync() as Float32Array, size + hidden);
    await ctx.clock.communication(ctx.tp.allReduce(buf), 'tp');
    dxPartial.dispose();
    dLnG.dispose();
    dLnB.dispose();
    ctx.grads.addArray(n.ln[0], buf.subarray(size, size + hidden));
    ctx.grads.addArray(n.ln[1], buf.subarray(size + hidden));
    dxSum = tf.tensor(buf.subarray(0, size).slice(), x.shape);
  } else {
    ctx.grads.add(n.ln[0], dLnG);
    ctx.grads.add(n.ln[1], dLnB);
  }
  const dx = tf.add(dy, dxSum);
  dxSum.dispose();
  return dx;
}
