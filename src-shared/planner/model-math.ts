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
  dropout: boolean;
  globalBatch?: number;
  /** Attention kernel of the model's usual stack (the strategy may override it). */
  attention: 'flash' | 'standard';
  /** Mixture of experts, resolved; null for dense models. */
  moe: ResolvedMoe | null;
  /** Approximations and ignored settings of the model's description. */
  notes: string[];
}

/** A mixture-of-experts MLP with its defaults filled in. */
export interface ResolvedMoe {
  experts: number;
  topK: number;
  sharedExperts: number;
  expertFfnHidden: number;
  capacityFactor: number;
  /** Leading layers with a dense MLP (DeepSeek's first_k_dense_replace). */
  denseLayers: number;
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
    dropout: spec.dropout ?? spec.bias ?? true,
    globalBatch: spec.globalBatch,
    attention: spec.attention ?? 'flash',
    notes: spec.notes ?? [],
    moe: spec.moe ? {
      experts: spec.moe.experts,
      topK: spec.moe.topK,
      sharedExperts: spec.moe.sharedExperts ?? 0,
      expertFfnHidden: spec.moe.expertFfnHidden ?? spec.ffnHidden ?? 4 * spec.hidden,
      capacityFactor: spec.moe.capacityFactor ?? 1,
      denseLayers: Math.min(spec.moe.denseLayers ?? 0, spec.layers),
    } : null,
  };
}

/** Matrices of one MLP of width `ffn` (gate, up, down for SwiGLU; up, down otherwise). */
function mlpMatrixParams(m: ResolvedModel, ffn: number): number {
  return (m.mlp === 'swiglu' ? 3 : 2) * m.hidden * ffn;
}

/** Weight-matrix elements of the attention block (Q and O full width, K and V at the KV-head width). */
export function attentionMatmulParams(m: ResolvedModel): number {
  const kvWidth = (m.hidden / m.heads) * m.kvHeads;
  return 2 * m.hidden * m.hidden + 2 * m.hidden * kvWidth;
}

/** Layers with a mixture-of-experts MLP (0 for dense models). */
export function moeLayerCount(m: ResolvedModel): number {
  return m.moe ? m.layers - m.moe.denseLayers : 0;
}

/** MLP matrices one token multiplies through, averaged over layers: dense MLP, or top-k routed plus shared experts. */
function activeMlpParamsPerLayer(m: ResolvedModel): number {
  if (!m.moe) return mlpMatrixParams(m, m.ffnHidden);
  const moeLayers = moeLayerCount(m);
  const active = (m.moe.topK + m.moe.sharedExperts) * mlpMatrixParams(m, m.moe.expertFfnHidden) + m.hidden * m.moe.experts;
  return (m.moe.denseLayers * mlpMatrixParams(m, m.ffnHidden) + moeLayers * active) / m.layers;
}

/** MLP parameters held per layer on average: every expert of MoE layers (plus the router). */
export function totalMlpParamsPerLayer(m: ResolvedModel): number {
  if (!m.moe) return mlpMatrixParams(m, m.ffnHidden);
  const all = (m.moe.experts + m.moe.sharedExperts) * mlpMatrixParams(m, m.moe.expertFfnHidden) + m.hidden * m.moe.experts;
  return (m.moe.denseLayers * mlpMatrixParams(m, m.ffnHidden) + moeLayerCount(m) * all) / m.layers;
}

/** Routed-expert parameters per layer on average (what expert parallelism shards). */
export function routedExpertParamsPerLayer(m: ResolvedModel): number {
  return m.moe ? (moeLayerCount(m) * m.moe.experts * mlpMatrixParams(m, m.moe.expertFfnHidden)) / m.layers : 0;
}

/** Weight-matrix elements of one transformer layer that every token multiplies through (MoE: active experts, averaged over layers). */
export function layerMatmulParams(m: ResolvedModel): number {
  return attentionMatmulParams(m) + activeMlpParamsPerLayer(m);
}

/** All parameters of one layer (averaged over layers for MoE): matrices, every expert, biases and the two norms. */
export function layerParams(m: ResolvedModel): number {
  const kvWidth = (m.hidden / m.heads) * m.kvHeads;
  const biases = m.hasBias ? 2 * m.hidden + 2 * kvWidth + m.ffnHidden * (m.mlp === 'swiglu' ? 2 : 1) + m.hidden : 0;
  const norms = (m.hasBias ? 2 : 1) * 2 * m.hidden;
  return attentionMatmulParams(m) + totalMlpParamsPerLayer(m) + biases + norms;
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
