/** A few hundred steps of the `tiny` model on the shipped corpus bring the loss clearly down. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../../src-shared/engine-events.js';
import { modelPresets } from '../../../src-shared/engine-config.js';
import { initBackend } from '../../../src-worker/engine/backend/index.js';
import { defaultCorpusPath, loadCorpus } from '../../../src-worker/engine/data-loader.js';
import { runRank } from '../../../src-worker/engine/run-rank.js';

test('tiny learns the corpus: 300 steps take the loss from ~ln(256) to below the byte-unigram entropy', async () => {
  const model = modelPresets.tiny;
  const corpus = loadCorpus(defaultCorpusPath(), model.seqLen);
  const losses: number[] = [];
  const emit = (e: EngineEvent) => {
    if (e.type === 'step' && e.loss !== null) losses.push(e.loss);
  };
  await runRank({
    config: { model, strategy: { dp: 1, tp: 1, pp: 1 }, steps: 300, globalBatch: 8, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 3, learningRate: 6e-3 },
    rank: 0, worldSize: 1, masterAddr: '127.0.0.1', masterPort: 0, secret: '', corpus,
    backend: await initBackend(), emit, connect: () => { throw new Error('a single rank never connects'); },
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = losses[0];
  const last = mean(losses.slice(-20));
  assert.ok(Math.abs(first - Math.log(256)) < 0.3, `initial loss ${first} is near ln(256): the init is uniform-ish`);
  // A model that only learned byte frequencies would sit at the corpus's unigram entropy; context must do better.
  const unigram = unigramEntropyNats(corpus);
  assert.ok(last < unigram - 0.3, `loss fell from ${first.toFixed(3)} to ${last.toFixed(3)}; byte-unigram entropy is ${unigram.toFixed(3)}`);
});

function unigramEntropyNats(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b] += 1;
  return -counts.filter((c) => c > 0).reduce((sum, c) => sum + (c / bytes.length) * Math.log(c / bytes.length), 0);
}
