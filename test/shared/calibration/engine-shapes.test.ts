/** The prediction counts each rank's parameters and bytes as the worker's own code does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSent, engineRankShapes } from '../../../src-shared/calibration/engine-shapes.js';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { ownsParam, type ShardPlacement } from '../../../src-worker/engine/param-store.js';
import { paramSpecs, shardShape, sizeOf } from '../../../src-worker/engine/param-specs.js';
import { chunkBounds } from '../../../src-worker/collective/chunk-bounds.js';

const model = { name: 'bench', layers: 4, hidden: 256, heads: 4, vocab: 256, seqLen: 128 };

function config(dp: number, tp: number, pp: number, extra: Partial<TrainConfig> = {}): TrainConfig {
  return { model, strategy: { dp, tp, pp }, steps: 1, globalBatch: 8, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 1, learningRate: 1e-3, ...extra };
}

test('parameters per rank equal what the worker builds for every grid of the bench model', () => {
  for (const [dp, tp, pp] of [[1, 1, 1], [2, 1, 1], [1, 2, 1], [1, 4, 1], [1, 1, 2], [1, 1, 3], [2, 2, 2]]) {
    for (const r of engineRankShapes(config(dp, tp, pp))) {
      const [firstLayer, endLayer] = chunkBounds(model.layers, pp, r.stage);
      const placement: ShardPlacement = { firstLayer, endLayer, hasEmbedding: r.stage === 0, hasHead: r.stage === pp - 1, tpSize: tp, tpIndex: r.tpIndex };
      const expected = paramSpecs(model).filter((s) => ownsParam(s, placement)).reduce((sum, s) => sum + sizeOf(shardShape(s, tp)), 0);
      assert.equal(r.params, expected, `dp=${dp} tp=${tp} pp=${pp} rank ${r.rank}`);
    }
  }
  assert.equal(engineRankShapes(config(1, 1, 1))[0].params, 3323648);
});

test('ZeRO-1 keeps Adam state for 1/dp of the parameters; plain DP for all', () => {
  const [plain] = engineRankShapes(config(2, 1, 1));
  const zero = engineRankShapes(config(2, 1, 1, { zeroStage: 1 }));
  assert.equal(plain.optimizerStateElements, 2 * plain.params);
  assert.equal(zero[0].optimizerStateElements + zero[1].optimizerStateElements, 2 * plain.params);
});

test('bytes sent per step: ring all-reduce of the gradients for DP, four TP all-reduces per block and micro-batch, one activation per PP hand-over', () => {
  const dp = config(2, 1, 1);
  const r = engineRankShapes(dp)[1];
  assert.equal(bytesSent(dp, r).dp, r.params * 4 + 4); // 2 (n-1)/n of the gradient bytes (n = 2), and the loss
  const tp = config(1, 2, 1);
  const activation = 8 * 128 * 256 * 4;
  // 2 sub-layers x 4 blocks, each one all-reduce forward and one backward (with the LN gradients); a ring of 2 sends the payload once
  assert.equal(bytesSent(tp, engineRankShapes(tp)[0]).tp, 2 * 4 * (activation + (activation + 2 * 256 * 4)));
  const tpRecompute = config(1, 2, 1, { recompute: true });
  assert.ok(bytesSent(tpRecompute, engineRankShapes(tpRecompute)[0]).tp > bytesSent(tp, engineRankShapes(tp)[0]).tp, 'recomputation repeats the forward all-reduces');
  const pp = config(1, 1, 2, { microBatches: 4 });
  const stages = engineRankShapes(pp).map((x) => bytesSent(pp, x).pp);
  assert.deepEqual(stages, [4 * activation / 4, 4 * activation / 4]); // each stage sends one (micro-batch) tensor per micro-batch, one way
});
