import { Trainer } from '../../../src-worker/engine/trainer.ts';
import { initBackend } from '../../../src-worker/engine/backend-shim.ts';
import { loadCorpus, defaultCorpusPath } from '../../../src-worker/engine/data-loader.ts';
import { countParams } from '../../../src-worker/engine/param-specs.ts';
import { modelPresets } from '../../../src-shared/engine-config.ts';
(async () => { await initBackend();
const model = modelPresets[process.argv[2] ?? 'tiny'];
console.log('params', countParams(model));
const cfg = { model, strategy: { dp: 1, tp: 1, pp: 1 }, steps: 5, globalBatch: 8, microBatches: Number(process.argv[3] ?? 1), schedule: 'gpipe', zeroStage: 0, recompute: process.argv[4] === 'r', seed: 1, learningRate: 3e-3 } as any;
const t = new Trainer(cfg, loadCorpus(defaultCorpusPath(), model.seqLen), null);
for (let s = 0; s < Number(process.argv[5] ?? 5); s++) { const e = await t.step(s); console.log(s, e.loss, e.stepTimeSeconds.total.toFixed(3), e.frameworkMemoryBytes); }
})();
