// Attention kernels, uneven stages, MoE, context parallelism, FP8, overlap, calibration and power caps in the planner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { gpuSpec, gpuSpecFromFile, listPresets, planStrategy } from '../../../src-shared/planner/index.js';
import { balancedLayersPerStage } from '../../../src-shared/planner/pipeline-partition.js';

const GIB = 2 ** 30;
const isBadInput = (pattern: RegExp) => (error: unknown) => error instanceof ShardScopeError && error.kind === 'bad-input' && pattern.test(error.message);

test('flash attention stores no s² scores: llama2-7b at batch 1 and sequence 4096 needs under 20 GiB of activations (the 5as/h scores term would add ~80 GiB)', () => {
  const at = (attention: 'flash' | 'standard') => planStrategy({ model: 'llama2-7b', cluster: { gpu: 'a100-80gb', gpus: 1 }, strategy: { microBatch: 1, globalBatch: 1, seqLen: 4096, attention } });
  const flash = at('flash');
  const standard = at('standard');
  assert.equal(flash.strategy.attention, 'flash'); // the modern preset's default
  assert.ok(flash.memoryPerGpuBytes.activations < 20 * GIB, `${flash.memoryPerGpuBytes.activations / GIB} GiB`);
  assert.ok(standard.memoryPerGpuBytes.activations > 60 * GIB);
  assert.ok(flash.stepTimeSeconds < standard.stepTimeSeconds);
});

test('a 1.1B model with micro-batch 8 at 2048 fits a 40 GB GPU under FSDP', () => {
  const model = { name: 'tinyllama-1.1b', layers: 22, hidden: 2048, heads: 32, kvHeads: 4, vocab: 32000, seqLen: 2048, ffnHidden: 5632, mlp: 'swiglu' as const, positions: 'rotary' as const, tiedEmbeddings: false, bias: false };
  const plan = planStrategy({ model, cluster: { gpu: 'a100-40gb', gpus: 16 }, strategy: { microBatch: 8, globalBatch: 1024, zeroStage: 3 } });
  assert.ok(plan.fits, plan.why);
  assert.ok(plan.memoryPerGpuBytes.total < 40 * GIB);
});

test('ZeRO-3 reports the gathered working set apart from the sharded weights', () => {
  const plan = planStrategy({ model: 'llama2-7b', cluster: { gpu: 'a100-80gb', gpus: 1024 }, strategy: { zeroStage: 3, globalBatch: 1024 } });
  const m = plan.memoryPerGpuBytes;
  assert.ok(Math.abs(m.weights - (2 * plan.model.params) / 1024) < 0.01 * m.weights, 'weights are the 1/1024 shard');
  assert.ok(m.gatheredParameters > 10 * m.weights);
  const full = planStrategy({ model: 'llama2-7b', cluster: { gpu: 'a100-80gb', gpus: 8 }, strategy: { recompute: 'full', microBatch: 2 } }).memoryPerGpuBytes;
  assert.ok(full.recomputeWorkingSet > 0 && full.recomputeWorkingSet > full.activations / 32 / 2);
});

test('uneven pipelines: 70 layers on 12 stages balance with embedding and head counted; explicit splits are kept', () => {
  assert.deepEqual(balancedLayersPerStage(70, 12, 1, 1.46), [5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5]);
  assert.deepEqual(balancedLayersPerStage(126, 16, 1, 1), [7, ...Array(14).fill(8), 7]);
  const bloom = { name: 'bloom', layers: 70, hidden: 14336, heads: 112, vocab: 250880, seqLen: 2048 };
  const plan = planStrategy({ model: bloom, cluster: { gpu: 'a100-80gb', gpus: 384 }, strategy: { dp: 8, tp: 4, pp: 12, microBatch: 2, globalBatch: 2048, zeroStage: 1, recompute: 'full' } });
  assert.equal(plan.layersPerStage.reduce((a, b) => a + b, 0), 70);
  assert.ok(plan.fits);
  const explicit = planStrategy({ model: bloom, cluster: { gpu: 'a100-80gb', gpus: 384 }, strategy: { dp: 8, tp: 4, pp: 12, microBatch: 2, globalBatch: 2048, recompute: 'full', layersPerStage: [4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6] } });
  assert.deepEqual(explicit.layersPerStage, [4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6]);
});

test('MoE: Mixtral counts every expert in memory but only top-2 in FLOPs; expert parallelism shards experts and adds all-to-all', () => {
  const at = (ep: number) => planStrategy({ model: 'mixtral-8x7b', cluster: { gpu: 'h100-sxm', gpus: 64 }, strategy: { tp: 2, ep, zeroStage: 1, globalBatch: 256, recompute: 'full' } });
  const noEp = at(1);
  const ep8 = at(8);
  assert.ok(Math.abs(noEp.model.params / 46.7e9 - 1) < 0.02, `${noEp.model.params}`);
  assert.ok(Math.abs(noEp.flopsPerStep / (6 * 12.9e9 * 256 * 4096) - 1) < 0.12); // ~12.9 B active parameters
  assert.ok(ep8.memoryPerGpuBytes.weights < noEp.memoryPerGpuBytes.weights / 4);
  assert.ok(ep8.commBytesPerStepPerGpu.ep > 0 && noEp.commBytesPerStepPerGpu.ep === 0);
  assert.throws(() => planStrategy({ model: 'llama2-7b', cluster: { gpu: 'h100-sxm', gpus: 8 }, strategy: { ep: 2 } }), isBadInput(/needs a mixture-of-experts model/));
  const v3 = planStrategy({ model: 'deepseek-v3', cluster: { gpu: 'h100-sxm', gpus: 8 } });
  assert.ok(Math.abs(v3.model.params / 671e9 - 1) < 0.03, `${v3.model.params}`);
});

test('context parallelism splits activations and needs flash attention', () => {
  const at = (cp: number) => planStrategy({ model: 'llama3-8b', cluster: { gpu: 'h100-sxm', gpus: 8 }, strategy: { cp, seqLen: 32768, globalBatch: 64 } });
  assert.ok(at(4).memoryPerGpuBytes.activations < at(1).memoryPerGpuBytes.activations / 3);
  assert.ok(at(4).commBytesPerStepPerGpu.cp > 0);
  assert.throws(() => planStrategy({ model: 'llama3-8b', cluster: { gpu: 'h100-sxm', gpus: 8 }, strategy: { cp: 2, attention: 'standard' } }), isBadInput(/needs flash/));
});

test('FP8 runs faster than BF16 where the GPU has FP8 units and is refused where it has none', () => {
  const at = (gpu: string, dtype: 'bf16' | 'fp8') => planStrategy({ model: 'llama3-8b', cluster: { gpu, gpus: 8 }, strategy: { dtype, zeroStage: 1, globalBatch: 64 } });
  assert.ok(at('h100-sxm', 'fp8').tokensPerSecond > 1.15 * at('h100-sxm', 'bf16').tokensPerSecond);
  assert.throws(() => at('a100-80gb', 'fp8'), isBadInput(/no FP8 tensor units/));
  const v100 = planStrategy({ model: 'gpt2-small', cluster: { gpu: 'v100-32gb', gpus: 8 } });
  assert.equal(v100.strategy.dtype, 'fp16'); // V100 has FP16 tensor cores only
});

test('overlap hides DP reduction behind backward: step time counts only the exposed part', () => {
  const at = (overlap: boolean) => planStrategy({ model: 'llama2-7b', cluster: { gpu: 'a100-80gb', gpus: 64 }, strategy: { zeroStage: 1, microBatch: 2, globalBatch: 128, overlap } });
  const on = at(true);
  const off = at(false);
  assert.equal(on.commSecondsPerStep.dp, off.commSecondsPerStep.dp);
  assert.ok(on.commExposedSecondsPerStep.dp < on.commSecondsPerStep.dp);
  assert.equal(off.commExposedSecondsPerStep.dp, off.commSecondsPerStep.dp);
  assert.ok(Math.abs(on.commHiddenSecondsPerStep.dp + on.commExposedSecondsPerStep.dp - on.commSecondsPerStep.dp) < 1e-9);
  assert.ok(on.stepTimeSeconds < off.stepTimeSeconds);
  const t = on.timeBreakdownSeconds;
  assert.ok(Math.abs(t.compute + t.communication + t.bubble + t.optimizer - on.stepTimeSeconds) < 1e-9);
});

test('a calibration in the GPU spec replaces the model: achieved matmul FLOP/s and bus bandwidth against size', () => {
  const base = gpuSpec('h100-sxm');
  const slow = { ...base, name: 'calibrated', calibration: { matmulFlopsPerSecond: { bf16: 300e12 }, interNodeBusBandwidth: [{ bytes: 1e6, busBytesPerSecond: 1e9 }, { bytes: 1e9, busBytesPerSecond: 5e9 }], source: 'test' } };
  const request = (gpu: typeof base) => planStrategy({ model: 'llama2-7b', cluster: { gpu, gpus: 16 }, strategy: { zeroStage: 1, globalBatch: 64, microBatch: 1 } });
  const model = request(base);
  const calibrated = request(slow);
  assert.equal(calibrated.efficiency.source, 'calibration');
  assert.ok(calibrated.efficiency.gemmTflops < 300 && calibrated.efficiency.gemmTflops > 200);
  assert.ok(calibrated.commSecondsPerStep.dp > 5 * model.commSecondsPerStep.dp);
  // A measured flash-attention rate moves long-sequence plans (attention-bound) and barely short ones.
  const long = (gpu: typeof base) => planStrategy({ model: 'llama3-8b', cluster: { gpu, gpus: 8 }, strategy: { seqLen: 32768, cp: 2, globalBatch: 8, zeroStage: 1 } });
  const slowAttention = { ...base, calibration: { flashAttentionFlopsPerSecond: 150e12 } };
  assert.equal(long(slowAttention).efficiency.source, 'calibration');
  assert.ok(long(slowAttention).stepTimeSeconds > 1.3 * long(base).stepTimeSeconds);
  const fixed = planStrategy({ model: 'llama2-7b', cluster: { gpu: 'h100-sxm', gpus: 8 }, overrides: { computeEfficiency: 0.3 } });
  assert.equal(fixed.efficiency.source, 'override');
});

test('a power cap slows compute and lowers power', () => {
  const at = (powerCapWatts?: number) => planStrategy({ model: 'llama2-7b', cluster: { gpu: 'h100-sxm', gpus: 8 }, strategy: { zeroStage: 1 }, overrides: powerCapWatts ? { powerCapWatts } : undefined });
  const capped = at(500);
  const full = at();
  assert.ok(capped.stepTimeSeconds > full.stepTimeSeconds * 1.05);
  assert.ok(capped.energyJoulesPerStep / capped.stepTimeSeconds < full.energyJoulesPerStep / full.stepTimeSeconds);
  // The same cap given in a GPU spec file ({"base": "h100-sxm", "powerCapWatts": 500}).
  const fromSpec = planStrategy({ model: 'llama2-7b', cluster: { gpu: gpuSpecFromFile({ base: 'h100-sxm', powerCapWatts: 500 }, 'capped.json'), gpus: 8 }, strategy: { zeroStage: 1 } });
  assert.equal(fromSpec.stepTimeSeconds, capped.stepTimeSeconds);
});

test('the catalogue holds the datasheet GPUs and modern presets, each with sources', () => {
  const { gpus, models } = listPresets();
  for (const id of ['a100-80gb-pcie', 'v100-16gb', 'v100-32gb', 'a10', 'a10g', 'a40', 'rtx-a6000', 'rtx-a5000', 'rtx-a4000', 'rtx-3090', 'rtx-4090', 'l4', 'l40s', 'h100-pcie', 'h100-nvl', 'h20', 'h200', 'b200', 'gb200', 'mi250x', 'mi300x']) {
    assert.ok(gpus[id] && gpus[id].sources.length > 40, id);
  }
  const params: Record<string, number> = { 'llama3-8b': 8.03e9, 'llama3-70b': 70.6e9, 'llama3.1-405b': 405.8e9, 'mistral-7b': 7.24e9, 'qwen2.5-7b': 7.6e9, 'qwen2.5-72b': 72.7e9, 'gpt-neox-20b': 20.55e9 };
  for (const [id, want] of Object.entries(params)) {
    const got = planStrategy({ model: id, cluster: { gpu: 'h100-sxm', gpus: 8 } }).model.params;
    assert.ok(Math.abs(got / want - 1) < 0.015, `${id}: ${got} vs ${want}`);
    assert.ok(models[id].source);
  }
});

test('FSDP with pipeline stages (torchtitan-style) is planned: each stage re-gathers its own shard every micro-batch', () => {
  const at = (zeroStage: 0 | 1 | 3) => planStrategy({ model: 'llama3-70b', cluster: { gpu: 'h100-sxm', gpus: 64 }, strategy: { pp: 4, zeroStage, microBatch: 1, globalBatch: 64 } });
  const fsdp = at(3);
  assert.ok(fsdp.memoryPerGpuBytes.weights < at(1).memoryPerGpuBytes.weights / 8);
  assert.ok(fsdp.commBytesPerStepPerGpu.dp > 3 * at(1).commBytesPerStepPerGpu.dp); // 3Ψ per micro-batch against 2Ψ per step
});

test('a GPU spec file without arch gets its generation from its name', () => {
  const { arch: _arch, ...h100 } = gpuSpec('h100-sxm');
  const named = planStrategy({ model: 'llama2-7b', cluster: { gpu: { ...h100, name: 'My H100 SXM' }, gpus: 8 }, strategy: { zeroStage: 1 } });
  const catalogue = planStrategy({ model: 'llama2-7b', cluster: { gpu: 'h100-sxm', gpus: 8 }, strategy: { zeroStage: 1 } });
  assert.equal(named.stepTimeSeconds, catalogue.stepTimeSeconds);
});
