/**
 * What one rank of the built-in engine holds and sends, counted as src-worker/engine does
 * (param-specs.ts: untied head, MLP 4 x hidden, TP splits; trainer.ts / sublayer.ts / optimizer-step.ts:
 * which collective carries what). The prediction and the worker's accounting must agree byte for byte.
 */
import { chunkBounds } from '../chunk-bounds.js';
import type { ModelConfig, TrainConfig } from '../engine-config.js';

/** A rank's place in the grid (tp fastest, then dp, then pp, as src-worker/engine/grid.ts). */
export interface EngineRankShape {
  rank: number;
  dpIndex: number;
  tpIndex: number;
  stage: number;
  firstLayer: number;
  endLayer: number;
  hasEmbedding: boolean;
  hasHead: boolean;
  /** Parameter elements on the rank (its TP shard of its stage). */
  params: number;
  /** Adam state elements (m and v) on the rank: 2 x params, or 2 x its ZeRO-1 chunk. */
  optimizerStateElements: number;
}

/** Parameter elements of one block on a TP shard of `tp` (qkv/fc1 columns and o/fc2 rows split; LNs and output biases replicated). */
export function blockParams(model: ModelConfig, tp: number): number {
  const h = model.hidden;
  const sharded = h * 3 * h + 3 * h + h * h + h * 4 * h + 4 * h + 4 * h * h;
  return sharded / tp + 4 * h /* ln1, ln2 */ + 2 * h /* o.b, fc2.b */;
}

/** Every rank's shape. */
export function engineRankShapes(config: TrainConfig): EngineRankShape[] {
  const { model, strategy: { dp, tp, pp } } = config;
  const h = model.hidden;
  const shapes: EngineRankShape[] = [];
  for (let rank = 0; rank < dp * tp * pp; rank += 1) {
    const tpIndex = rank % tp;
    const dpIndex = Math.floor(rank / tp) % dp;
    const stage = Math.floor(rank / (tp * dp));
    const [firstLayer, endLayer] = chunkBounds(model.layers, pp, stage);
    const hasEmbedding = stage === 0;
    const hasHead = stage === pp - 1;
    const params = (endLayer - firstLayer) * blockParams(model, tp)
      + (hasEmbedding ? (model.vocab + model.seqLen) * h : 0)
      + (hasHead ? 2 * h + h * model.vocab + model.vocab : 0);
    const [start, end] = config.zeroStage === 1 && dp > 1 ? chunkBounds(params, dp, dpIndex) : [0, params];
    shapes.push({ rank, dpIndex, tpIndex, stage, firstLayer, endLayer, hasEmbedding, hasHead, params, optimizerStateElements: 2 * (end - start) });
  }
  return shapes;
}

/** Payload bytes one member sends in a ring collective over `members` (chunk sizes as chunkBounds). */
export function ringBytesSent(op: 'allReduce' | 'reduceScatter' | 'allGather', bytes: number, members: number): number {
  if (members <= 1) return 0;
  const oneWay = (bytes * (members - 1)) / members;
  return op === 'allReduce' ? 2 * oneWay : oneWay;
}

/** Sequences in one micro-batch of one DP replica. */
export function microBatchSequences(config: TrainConfig): number {
  return config.globalBatch / config.strategy.dp / config.microBatches;
}

/** Payload bytes the rank sends per step through each group, as the engine's collectives count them. */
export function bytesSent(config: TrainConfig, r: EngineRankShape): { dp: number; tp: number; pp: number } {
  const { dp, tp, pp } = config.strategy;
  const { model, microBatches: m } = config;
  const activation = microBatchSequences(config) * model.seqLen * model.hidden * 4;
  const layers = r.endLayer - r.firstLayer;
  const grads = r.params * 4;
  const dpBytes = dp <= 1 ? 0 : (config.zeroStage === 1 ? ringBytesSent('reduceScatter', grads, dp) + ringBytesSent('allGather', grads, dp) : ringBytesSent('allReduce', grads, dp))
    + (r.hasHead ? ringBytesSent('allReduce', 4, dp) : 0);
  const forwardPasses = config.recompute ? 2 : 1;
  const tpBytes = tp <= 1 ? 0 : m * 2 * layers * (forwardPasses * ringBytesSent('allReduce', activation, tp) + ringBytesSent('allReduce', activation + 2 * model.hidden * 4, tp));
  const ppBytes = pp <= 1 ? 0 : m * activation * ((r.hasHead ? 0 : 1) + (r.hasEmbedding ? 0 : 1));
  return { dp: dpBytes, tp: tpBytes, pp: ppBytes };
}
