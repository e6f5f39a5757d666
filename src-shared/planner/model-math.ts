/** Parameter counts and FLOPs of a GPT-style decoder (Megatron / Korthikanti conventions). */
import type { ModelSpec } from './schemas.js';

/** A model shape with its defaults resolved. */
export interface ResolvedModel {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  /** Positions the model was built for (learned position embeddings have this many rows). */
  maxPositions: number;
  ffnHidden: number;
  mlp: 'gelu' | 'relu' | 'swiglu';
  positions: 'learned' | 'rotary';
  tiedEmbeddings: boolean;
  hasBias: boolean;
  globalBatch?: number;
}

/** Fills the optional fields of a model shape (GPT defaults: 4h MLP, learned positions, tied embeddings, biases). */
export function resolveModel(spec: ModelSpec): ResolvedModel {
  const mlp = spec.mlp ?? 'gelu';
  return {
    name: spec.name,
    layers: spec.layers,
    hidden: spec.hidden,
    heads: spec.heads,
    kvHeads: spec.kvHeads ?? spec.heads,
    vocab: spec.vocab,
    maxPositions: spec.seqLen,
    ffnHidden: spec.ffnHidden ?? 4 * spec.hidden,
    mlp,
    positions: spec.positions ?? 'learned',
    tiedEmbeddings: spec.tiedEmbeddings ?? true,
    hasBias: spec.bias ?? true,
    globalBatch: spec.globalBatch,
  };
}

/** Weight-matrix elements of one transformer layer (the part every token multiplies through). */
export function layerMatmulParams(m: ResolvedModel): number {
  const kvWidth = (m.hidden / m.heads) * m.kvHeads;
  const attention = 2 * m.hidden * m.hidden + 2 * m.hidden * kvWidth;
  const mlp = (m.mlp === 'swiglu' ? 3 : 2) * m.hidden * m.ffnHidden;
  return attention + mlp;
}

/** All parameters of one layer: matrices, biases and the two norms. */
export function layerParams(m: ResolvedModel): number {
  const kvWidth = (m.hidden / m.heads) * m.kvHeads;
  const biases = m.hasBias ? 2 * m.hidden + 2 * kvWidth + m.ffnHidden * (m.mlp === 'swiglu' ? 2 : 1) + m.hidden : 0;
  const norms = (m.hasBias ? 2 : 1) * 2 * m.hidden;
  return layerMatmulParams(m) + biases + norms;
}

/** Parameters outside the layers: token (+ position) embeddings, final norm, untied output head. */
export function embeddingParams(m: ResolvedModel): { input: number; output: number } {
  const positions = m.positions === 'learned' ? m.maxPositions * m.hidden : 0;
  const finalNorm = (m.hasBias ? 2 : 1) * m.hidden;
  // An untied LM head is its own Linear layer, with a bias when the model's layers have them (GPT-style, as torch_gpt.py).
  const head = m.tiedEmbeddings ? 0 : m.vocab * m.hidden + (m.hasBias ? m.vocab : 0);
  return { input: m.vocab * m.hidden + positions, output: finalNorm + head };
}

/** Total parameter count derived from the shape. */
export function parameterCount(m: ResolvedModel): number {
  const e = embeddingParams(m);
  return m.layers * layerParams(m) + e.input + e.output;
}

/** Megatron SC21 Eq. (2): P = 12·l·h²·(1 + 13/(12h) + (V+s)/(12·l·h)). */
export function megatronParameterCount(layers: number, hidden: number, vocab: number, seqLen: number): number {
  return 12 * layers * hidden ** 2 * (1 + 13 / (12 * hidden) + (vocab + seqLen) / (12 * layers * hidden));
}

/** Forward FLOPs of one layer for `tokens` tokens at sequence length s: 2·tokens·matmul params + 4·tokens·s·h attention. */
export function layerForwardFlops(m: ResolvedModel, tokens: number, seqLen: number): number {
  return 2 * tokens * layerMatmulParams(m) + 4 * tokens * seqLen * m.hidden;
}

/** Model FLOPs per step (forward + backward, no recomputation): Korthikanti's 72·B·L·s·h²·(1 + s/(6h) + V/(12hL)) for GPT. */
export function modelFlopsPerStep(m: ResolvedModel, globalBatch: number, seqLen: number): number {
  const tokens = globalBatch * seqLen;
  return 3 * (m.layers * layerForwardFlops(m, tokens, seqLen) + 2 * tokens * m.hidden * m.vocab);
}

/**
 * Hardware FLOPs per step, including recomputation (Megatron's convention for TFLOP/s):
 * full adds one forward of every layer (the 96 coefficient of SC21 Eq. 3); selective adds the
 * attention-score work so that s/(6h) becomes s/(3h), as in Korthikanti et al.
 */
export function hardwareFlopsPerStep(m: ResolvedModel, globalBatch: number, seqLen: number, recompute: 'none' | 'selective' | 'full'): number {
  const tokens = globalBatch * seqLen;
  const base = modelFlopsPerStep(m, globalBatch, seqLen);
  if (recompute === 'full') return base + m.layers * layerForwardFlops(m, tokens, seqLen);
  if (recompute === 'selective') return base + 12 * tokens * seqLen * m.hidden * m.layers;
  return base;
}

/** Megatron SC21 Eq. (3): F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)), full recomputation. */
export function megatronFlopsPerIteration(globalBatch: number, seqLen: number, layers: number, hidden: number, vocab: number): number {
  return 96 * globalBatch * seqLen * layers * hidden ** 2 * (1 + seqLen / (6 * hidden) + vocab / (16 * layers * hidden));
}

/** Megatron SC21 Eq. (4): end-to-end training time ≈ 8·T·P/(n·X) seconds. */
export function megatronTrainingTimeSeconds(tokens: number, params: number, gpus: number, flopsPerSecondPerGpu: number): number {
  return (8 * tokens * params) / (gpus * flopsPerSecondPerGpu);
}
