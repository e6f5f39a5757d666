import { modelPresets } from '../../../src-shared/engine-config.js';
import { initBackend } from '../../../src-worker/engine/backend/index.js';
import { defaultCorpusPath, loadCorpus } from '../../../src-worker/engine/data-loader.js';
import { runRank } from '../../../src-worker/engine/run-rank.js';
(async () => {
  const model = modelPresets.bench;
  await runRank({
    config: { model, strategy: { dp: 1, tp: 1, pp: 1 }, steps: 6, globalBatch: 8, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: process.argv[2] === 'r', seed: 3, learningRate: 3e-3 },
    rank: 0, worldSize: 1, masterAddr: '127.0.0.1', masterPort: 0, secret: '', corpus: loadCorpus(defaultCorpusPath(), model.seqLen),
    backend: await initBackend(), emit: (e) => { if (e.type === 'step') console.log(e.step, e.stepTimeSeconds.total.toFixed(3)); }, connect: () => { throw new Error('x'); },
  });
})();
