/** Building blocks of the GPT in tfjs-core ops: layer norm, exact GELU, affine maps, loss. */
import * as tf from '@tensorflow/tfjs-core';

/** The fused LayerNorm kernels a backend may register (wasm: backend/wasm-layer-norm.ts). */
const fusedLayerNorm = { forward: 'ShardScopeLayerNorm', backward: 'ShardScopeLayerNormGrad' };

const layerNormFused = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, gain, bias, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const [value, xhat, rstd] = tf.engine().runKernel(fusedLayerNorm.forward, { x, gain, bias }) as tf.Tensor[];
  save([xhat, rstd, gain]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(fusedLayerNorm.backward, { dy, xhat: saved[0], rstd: saved[1], gain: saved[2] }) as tf.Tensor[],
  };
});

/** LayerNorm over the last axis, eps 1e-5 (PyTorch's default); one fused kernel each way where the backend has them. */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && tf.getKernel(fusedLayerNorm.forward, tf.getBackend())) return layerNormFused(x, gain, bias);
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gain), bias);
}

/** The fused GELU kernel a backend may register (wasm: backend/wasm-gelu.ts): outputs [gelu(x), gelu'(x)]. */
const fusedGeluKernel = 'ShardScopeGelu';

const geluFused = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const [value, slope] = tf.engine().runKernel(fusedGeluKernel, { x }) as tf.Tensor[];
  save([slope]);
  return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
});

/** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.functional.gelu (one fused kernel where the backend has one). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && tf.getKernel(fusedGeluKernel, tf.getBackend())) return geluFused(x);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** x [.., in] @ w [in, out] (+ b): a rank-3 input is flattened so the product is one 2-D matmul. */
export function affine(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const lead = x.shape.slice(0, -1);
  const inner = x.shape[x.shape.length - 1];
  let y: tf.Tensor = tf.matMul(tf.reshape(x, [-1, inner]) as tf.Tensor2D, w as tf.Tensor2D);
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [...lead, w.shape[1] as number]);
}

/** Mean cross-entropy of logits [n, vocab] against int32 targets [n]. */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  const logProbs = tf.logSoftmax(logits as tf.Tensor2D);
  const picked = tf.sum(tf.mul(logProbs, tf.oneHot(targets as tf.Tensor1D, logits.shape[1] as number)), -1);
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}
