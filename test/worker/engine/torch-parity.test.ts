/** The engine is the PyTorch reference model: same weights and batches give the same losses over 5 Adam steps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { initBackend } from '../../../src-worker/engine/backend/index.js';
import { defaultCorpusPath, globalBatch, loadCorpus } from '../../../src-worker/engine/data-loader.js';
import { Trainer } from '../../../src-worker/engine/trainer.js';

/** Debian's python3-torch lives in /usr/bin/python3 (as for `bench train`). */
const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

test('5 steps match PyTorch (torch_gpt.py architecture, torch.optim.Adam) from identical weights', { skip: hasTorch ? false : `no PyTorch at ${python}` }, async (t) => {
  await initBackend();
  const model = { name: 'parity', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 };
  const config: TrainConfig = { model, strategy: { dp: 1, tp: 1, pp: 1 }, steps: 5, globalBatch: 4, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 11, learningRate: 3e-3 };
  const corpus = loadCorpus(defaultCorpusPath(), model.seqLen);
  const trainer = new Trainer(config, corpus, null);
  const params = Object.fromEntries(trainer.store.params.map((p) => [p.spec.name, Array.from(trainer.store.values.subarray(p.offset, p.offset + p.length))]));
  const batches = Array.from({ length: config.steps }, (_, s) => {
    const b = globalBatch(corpus, s, config.globalBatch, model.seqLen, model.vocab, config.seed);
    return { tokens: Array.from(b.tokens), targets: Array.from(b.targets) };
  });
  const ours: number[] = [];
  for (let s = 0; s < config.steps; s += 1) ours.push((await trainer.step(s)).loss as number);
  trainer.dispose();
  const input = JSON.stringify({ model, lr: config.learningRate, params, batches, batch: config.globalBatch });
  const run = spawnSync(python, [join(__dirname, 'support', 'torch_parity.py')], { input, encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(run.status, 0, run.stderr);
  const torch = JSON.parse(run.stdout) as { params: number; losses: number[] };
  assert.equal(torch.params, trainer.store.size, 'same parameter count');
  let worst = 0;
  ours.forEach((loss, i) => {
    const relative = Math.abs(loss - torch.losses[i]) / torch.losses[i];
    worst = Math.max(worst, relative);
    assert.ok(relative < 1e-4, `step ${i}: ours ${loss} vs torch ${torch.losses[i]} (relative ${relative.toExponential(2)})`);
  });
  t.diagnostic(`largest relative loss difference to PyTorch: ${worst.toExponential(2)}`);
});
