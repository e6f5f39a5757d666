/** A standalone GPT training step (the bench model of torch_gpt.py) used to measure the backend's kernels; a microbenchmark, not the product's model. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

/** Shape of the GPT the step trains. */
export interface GptStepConfig {
  layers: number;
  hidden: number;
  heads: number;
  seqLen: number;
  vocab: number;
  batch: number;
}

/** The model of ../shared/peers/torch_gpt.py: 4 layers, hidden 256, 4 heads, seq 128, vocab 256, batch 8. */
export const benchGptConfig: GptStepConfig = { layers: 4, hidden: 256, heads: 4, seqLen: 128, vocab: 256, batch: 8 };

/** A ready-to-run training step: `step()` runs forward, backward and Adam, returning the loss. */
export interface GptStep {
  parameterCount: number;
  step(): number;
  dispose(): void;
}

function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, 1e-5))), gain), bias);
}

function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Builds the variables, a fixed random batch and Adam for the GPT of `config` on the current backend. */
export function createGptStep(config: GptStepConfig = benchGptConfig, seed = 0): GptStep {
  const { layers, hidden: h, heads, seqLen: s, vocab: v, batch: b } = config;
  const headDim = h / heads;
  let seedCounter = seed;
  const weight = (shape: number[]) => tf.variable(tf.randomNormal(shape, 0, 0.02, 'float32', ++seedCounter));
  const zeros = (shape: number[]) => tf.variable(tf.zeros(shape));
  const ones = (shape: number[]) => tf.variable(tf.ones(shape));
  const emb = weight([v, h]);
  const pos = weight([s, h]);
  const blocks = Array.from({ length: layers }, () => ({
    ln1g: ones([h]), ln1b: zeros([h]), qkvW: weight([h, 3 * h]), qkvB: zeros([3 * h]), oW: weight([h, h]), oB: zeros([h]),
    ln2g: ones([h]), ln2b: zeros([h]), f1W: weight([h, 4 * h]), f1B: zeros([4 * h]), f2W: weight([4 * h, h]), f2B: zeros([h]),
  }));
  const lnFg = ones([h]);
  const lnFb = zeros([h]);
  const headW = weight([h, v]);
  const headB = zeros([v]);
  const variables: tf.Variable[] = [emb, pos, ...blocks.flatMap((blk) => Object.values(blk)), lnFg, lnFb, headW, headB];
  const inputs = tf.randomUniform([b, s], 0, v, 'int32', seed + 1000);
  const targets = tf.oneHot(tf.randomUniform([b * s], 0, v, 'int32', seed + 2000), v);
  const mask = tf.tidy(() => tf.mul(tf.sub(tf.linalg.bandPart(tf.ones([s, s]), -1, 0), 1), 1e9));
  const optimizer = tf.train.adam(1e-3);

  const loss = (): tf.Scalar => {
    let x = tf.add(tf.reshape(tf.gather(emb, tf.reshape(inputs, [-1])), [b, s, h]), pos);
    for (const blk of blocks) {
      const normed = tf.reshape(layerNorm(x, blk.ln1g, blk.ln1b), [b * s, h]);
      const qkv = tf.transpose(tf.reshape(tf.add(tf.matMul(normed, blk.qkvW), blk.qkvB), [b, s, 3, heads, headDim]), [2, 0, 3, 1, 4]);
      const [q, k, val] = tf.unstack(qkv);
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), mask);
      const attended = tf.matMul(tf.softmax(scores), val);
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [b * s, h]);
      x = tf.add(x, tf.reshape(tf.add(tf.matMul(merged, blk.oW), blk.oB), [b, s, h]));
      const normed2 = tf.reshape(layerNorm(x, blk.ln2g, blk.ln2b), [b * s, h]);
      const mlp = tf.add(tf.matMul(gelu(tf.add(tf.matMul(normed2, blk.f1W), blk.f1B)), blk.f2W), blk.f2B);
      x = tf.add(x, tf.reshape(mlp, [b, s, h]));
    }
    const logits = tf.add(tf.matMul(tf.reshape(layerNorm(x, lnFg, lnFb), [b * s, h]), headW), headB);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), targets), -1))) as tf.Scalar;
  };

  return {
    parameterCount: variables.reduce((sum, variable) => sum + variable.size, 0),
    step() {
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, variables);
        optimizer.applyGradients(grads as tf.NamedTensorMap as Parameters<typeof optimizer.applyGradients>[0]);
        return value.dataSync()[0];
      });
    },
    dispose() {
      optimizer.dispose();
      tf.dispose([...variables, inputs, targets, mask]);
    },
  };
}
