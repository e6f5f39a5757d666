import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DIR } from '../../support/paths.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { listPresets, planStrategy, searchStrategies, smallestFittingCluster } from '../../../src-shared/planner/index.js';

const isBadInput = (pattern: RegExp) => (error: unknown) => error instanceof ShardScopeError && error.kind === 'bad-input' && pattern.test(error.message) && !error.message.includes('\n');

test('presets and catalogue hold the ids DESIGN.md promises, with sources', () => {
  const { models, gpus } = listPresets();
  for (const id of ['gpt2-small', 'gpt3-175b', 'opt-66b', 'llama2-7b', 'llama2-13b', 'llama2-70b', 'tiny']) assert.ok(models[id], id);
  for (const id of ['a100-40gb', 'a100-80gb', 'h100-sxm', 'h200', 'rtx-4090', 'cpu']) assert.ok(gpus[id]?.sources.length > 20, id);
});

test('parameter counts of presets match the published sizes', () => {
  const params = (model: string) => planStrategy({ model, cluster: { gpu: 'h200', gpus: 1 } }).model.params;
  assert.ok(Math.abs(params('llama2-7b') / 6.738e9 - 1) < 0.005);
  assert.ok(Math.abs(params('llama2-70b') / 68.98e9 - 1) < 0.005);
  assert.ok(Math.abs(params('gpt2-small') / 124.4e6 - 1) < 0.01);
});

test('opt-66b on 8 x a100-80gb with plain DP does not fit, says why in bytes per part, and other strategies do with offload or more GPUs', () => {
  const plan = planStrategy({ model: 'opt-66b', cluster: { gpu: 'a100-80gb', gpus: 8 }, strategy: { dp: 8 } });
  assert.equal(plan.fits, false);
  const m = plan.memoryPerGpuBytes;
  assert.equal(m.total, m.weights + m.gradients + m.optimizer + m.activations + m.gatheredParameters + m.recomputeWorkingSet + m.commBuffers + m.overhead);
  assert.equal(m.optimizer, 6 * m.weights); // 12 bytes of Adam state per 2-byte weight, unsharded
  assert.match(plan.why ?? '', /weights .*GiB \+ gradients .*GiB \+ optimizer states .*GiB .* has 80 GiB; largest part: optimizer states/);
  const sameCluster = searchStrategies({ model: 'opt-66b', cluster: { gpu: 'a100-80gb', gpus: 8 } });
  assert.equal(sameCluster.best, null); // 16 bytes x 65.7 B parameters > 8 x 80 GiB
  assert.ok(sameCluster.closest.length > 0 && sameCluster.closest.every((p) => p.why));
  const offload = searchStrategies({ model: 'opt-66b', cluster: { gpu: 'a100-80gb', gpus: 8 }, allowOffload: true });
  assert.ok(offload.best && offload.best.fits && offload.best.strategy.offload !== 'none');
  const bigger = smallestFittingCluster({ model: 'opt-66b', cluster: { gpu: 'a100-80gb', gpus: 8 } });
  assert.ok(bigger && bigger.gpus === 16 && bigger.best.fits && bigger.best.strategy.tp * bigger.best.strategy.pp > 8);
});

test('search of gpt3-175b on 4096 a100-80gb picks TP inside a node and PP across nodes', () => {
  const r = searchStrategies({ model: 'gpt3-175b', cluster: { gpu: 'a100-80gb', gpus: 4096, gpusPerNode: 8 }, limit: 50 });
  assert.ok(r.best);
  const s = r.best.strategy;
  assert.equal(s.dp * s.tp * s.pp, 4096);
  assert.ok(s.tp >= 4 && s.tp <= 8, `tp=${s.tp}`);
  assert.ok(s.pp > 1, `pp=${s.pp}`);
  assert.equal(r.best.links.tp, 'nvlink');
  assert.equal(r.best.links.pp, 'network');
  for (let i = 1; i < r.candidates.length; i += 1) assert.ok(r.candidates[i - 1].tokensPerSecond >= r.candidates[i].tokensPerSecond);
  for (const p of r.paretoFront) {
    assert.ok(!r.candidates.some((q) => q.tokensPerSecond > p.tokensPerSecond && q.joulesPerToken < p.joulesPerToken), 'front point is dominated');
  }
  const byEnergy = searchStrategies({ model: 'gpt3-175b', cluster: { gpu: 'a100-80gb', gpus: 4096 }, objective: 'energy' });
  assert.ok(byEnergy.best!.joulesPerToken <= r.best.joulesPerToken);
  const byMemory = searchStrategies({ model: 'gpt3-175b', cluster: { gpu: 'a100-80gb', gpus: 4096 }, objective: 'memory' });
  assert.ok(byMemory.best!.memoryPerGpuBytes.total <= r.best.memoryPerGpuBytes.total);
});

test('ZeRO stages, recomputation and sequence parallelism shrink the parts they target', () => {
  const plan = (strategy: object) => planStrategy({ model: 'llama2-7b', cluster: { gpu: 'a100-80gb', gpus: 8 }, strategy: { microBatch: 1, ...strategy } });
  const z = [0, 1, 2, 3].map((zeroStage) => plan({ zeroStage }).memoryPerGpuBytes);
  assert.ok(z[1].optimizer < z[0].optimizer && z[1].gradients === z[0].gradients);
  assert.ok(z[2].gradients < z[1].gradients && z[2].weights === z[1].weights);
  assert.ok(z[3].total < z[2].total);
  assert.ok(plan({ zeroStage: 3 }).commBytesPerStepPerGpu.dp > plan({ zeroStage: 2 }).commBytesPerStepPerGpu.dp); // 3Ψ vs 2Ψ
  const act = (strategy: object) => plan({ tp: 8, attention: 'standard', ...strategy }).memoryPerGpuBytes.activations;
  assert.ok(act({ recompute: 'full' }) < act({ recompute: 'selective' }) && act({ recompute: 'selective' }) < act({}));
  // Flash attention stores no s² scores: its activations are selective recomputation's, with nothing recomputed.
  assert.equal(act({ attention: 'flash' }), act({ recompute: 'selective' }));
  assert.ok(act({ sequenceParallel: true }) < act({}));
  assert.ok(plan({ recompute: 'full' }).hardwareFlopsPerStep > plan({}).hardwareFlopsPerStep);
  assert.equal(plan({ recompute: 'full' }).flopsPerStep, plan({}).flopsPerStep);
});

test('moving TP traffic from NVLink to the network costs time and joules', () => {
  const at = (gpusPerNode: number) => planStrategy({ model: 'llama2-13b', cluster: { gpu: 'h100-sxm', gpus: 16, gpusPerNode }, strategy: { tp: 8, microBatch: 1 } });
  const inside = at(8);
  const across = at(4);
  assert.equal(inside.links.tp, 'nvlink');
  assert.equal(across.links.tp, 'network');
  assert.equal(across.commBytesPerStepPerGpu.tp, inside.commBytesPerStepPerGpu.tp);
  assert.ok(across.stepTimeSeconds > inside.stepTimeSeconds);
  assert.ok(across.energySplitJoulesPerStep.communication > inside.energySplitJoulesPerStep.communication);
  assert.ok(across.joulesPerToken > inside.joulesPerToken);
  const e = inside.energySplitJoulesPerStep;
  assert.ok(Math.abs(e.compute + e.communication + e.idle + e.host - inside.energyJoulesPerStep) < 1e-6 * inside.energyJoulesPerStep);
});

test('tiny runs on the cpu entry in fp32 and fits', () => {
  const plan = planStrategy({ model: 'tiny', cluster: { gpu: 'cpu', gpus: 2 }, strategy: { dp: 2 } });
  assert.equal(plan.strategy.dtype, 'fp32');
  assert.ok(plan.fits);
  assert.ok(plan.model.params > 100_000 && plan.model.params < 150_000);
});

test('invalid strategies are bad-input with a one-line reason', () => {
  const plan = (strategy: object, gpus = 8) => () => planStrategy({ model: 'gpt3-175b', cluster: { gpu: 'a100-80gb', gpus }, strategy });
  assert.throws(plan({ tp: 5 }, 10), isBadInput(/tp=5 does not divide the 96 attention heads/));
  assert.throws(plan({ dp: 2, tp: 2, pp: 1 }), isBadInput(/dp×tp×pp = 2×2×1 = 4 is not the GPU count 8/));
  assert.throws(plan({ dp: 8, microBatch: 3, globalBatch: 100 }), isBadInput(/global batch 100 is not divisible/));
  assert.throws(plan({ pp: 5, layersPerStage: [20, 20, 20, 20, 20] }, 10), isBadInput(/--layers-per-stage sums to 100 layers but the model has 96/));
  assert.throws(() => planStrategy({ model: 'gpt5', cluster: { gpu: 'a100-80gb', gpus: 8 } }), isBadInput(/unknown model "gpt5"/));
  assert.throws(() => planStrategy({ model: 'tiny', cluster: { gpu: 'tpu', gpus: 8 } }), isBadInput(/unknown GPU "tpu"/));
  assert.throws(() => planStrategy({ model: { name: 'x', layers: 0, hidden: 8, heads: 2, vocab: 10, seqLen: 8 }, cluster: { gpu: 'cpu', gpus: 1 } }), isBadInput(/model.layers/));
});

test('the engine presets count the parameters the engine trains (bench = peers/torch_gpt.py, 3,323,648)', () => {
  const peer = readFileSync(join(SHARED_DIR, 'peers', 'README.md'), 'utf8');
  const stated = Number(/([\d,]+) parameters/.exec(peer)![1].replace(/,/g, ''));
  assert.equal(planStrategy({ model: 'bench', cluster: { gpu: 'cpu', gpus: 1 } }).model.params, stated);
});
