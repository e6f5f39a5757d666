import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const cli = new URL('../../dist/cli.cjs', import.meta.url).pathname;

/** Runs the built CLI; resolves with exit code and output whatever the code. */
async function shardscope(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [cli, 'plan', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('plan --json prints one object with the documented fields', async () => {
  const r = await shardscope('--model', 'llama2-7b', '--gpu', 'a100-80gb', '--gpus', '16', '--tp', '2', '--pp', '2', '--micro-batch', '2', '--global-batch', '64', '--zero', '1', '--recompute', 'selective', '--sequence-parallel', '--json');
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(p.model).sort(), ['heads', 'hidden', 'layers', 'name', 'params', 'seqLen', 'vocab']);
  for (const key of ['dp', 'tp', 'pp', 'microBatch', 'globalBatch', 'numMicroBatches', 'zeroStage', 'recompute', 'sequenceParallel', 'dtype']) assert.ok(key in p.strategy, key);
  assert.deepEqual([p.strategy.dp, p.strategy.tp, p.strategy.pp, p.strategy.numMicroBatches, p.strategy.zeroStage, p.strategy.recompute, p.strategy.sequenceParallel], [4, 2, 2, 8, 1, 'selective', true]);
  for (const key of ['weights', 'gradients', 'optimizer', 'activations', 'total']) assert.ok(p.memoryPerGpuBytes[key] > 0, key);
  for (const key of ['dp', 'tp', 'pp']) assert.ok(p.commBytesPerStepPerGpu[key] > 0, key);
  for (const key of ['flopsPerStep', 'hardwareFlopsPerStep', 'stepTimeSeconds', 'bubbleFraction', 'tokensPerSecond', 'tflopsPerGpu', 'mfu', 'energyJoulesPerStep', 'joulesPerToken']) assert.ok(typeof p[key] === 'number' && p[key] > 0, key);
  assert.equal(p.fits, true);
  assert.ok(p.hardwareFlopsPerStep > p.flopsPerStep);
});

test('opt-66b on 8 x a100-80gb with plain DP: does not fit, why in bytes per part, alternatives that fit', async () => {
  const json = await shardscope('--model', 'opt-66b', '--gpu', 'a100-80gb', '--gpus', '8', '--dp', '8', '--json');
  assert.equal(json.code, 0, json.stderr);
  const p = JSON.parse(json.stdout);
  assert.equal(p.fits, false);
  assert.match(p.why, /optimizer states/);
  const fitting = [...p.alternatives.sameCluster, ...p.alternatives.withOffload, p.alternatives.smallestCluster];
  assert.ok(fitting.length > 1 && fitting.every((a: { memoryPerGpuBytes: number }) => a.memoryPerGpuBytes <= 80 * 2 ** 30));
  const text = await shardscope('--model', 'opt-66b', '--gpu', 'a100-80gb', '--gpus', '8', '--dp', '8');
  assert.match(text.stdout, /fits +NO - needs .* per GPU = weights .* \+ gradients .* \+ optimizer states/);
  assert.match(text.stdout, /smallest cluster that fits without offload: 16 x a100-80gb/);
});

test('plan --search --json gives {best, candidates} ranked, with the Pareto front', async () => {
  const r = await shardscope('--model', 'llama2-13b', '--gpu', 'h100-sxm', '--gpus', '32', '--search', '--objective', 'energy', '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.ok(s.best && s.candidates.length > 1 && s.paretoFront.length > 0);
  assert.deepEqual(s.candidates[0].strategy, s.best.strategy);
  for (let i = 1; i < s.candidates.length; i += 1) assert.ok(s.candidates[i - 1].joulesPerToken <= s.candidates[i].joulesPerToken);
});

test('a model FILE is read and validated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-plan-'));
  try {
    const good = join(dir, 'model.json');
    writeFileSync(good, JSON.stringify({ name: 'mine', layers: 4, hidden: 256, heads: 8, vocab: 1000, seqLen: 128 }));
    const r = await shardscope('--model', good, '--gpu', 'rtx-4090', '--gpus', '2', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).model.name, 'mine');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'mine', layers: 4, hidden: 256 }));
    const b = await shardscope('--model', bad, '--gpu', 'rtx-4090', '--gpus', '2');
    assert.equal(b.code, 2);
    assert.match(b.stderr, /^shardscope plan: invalid model file .*bad\.json \(heads\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad flags and invalid strategies exit 2 with one line', async () => {
  const cases: [string[], RegExp][] = [
    [['--model', 'gpt3-175b', '--gpu', 'a100-80gb', '--gpus', '10', '--tp', '5'], /tp=5 does not divide the 96 attention heads/],
    [['--model', 'gpt3-175b', '--gpu', 'a100-80gb', '--gpus', '8', '--dp', '2', '--tp', '2'], /is not the GPU count 8/],
    [['--model', 'gpt3-175b', '--gpu', 'a100-80gb', '--gpus', '8', '--global-batch', '100', '--micro-batch', '3'], /global batch 100 is not divisible/],
    [['--model', 'gpt3-175b', '--gpu', 'a100-80gb', '--gpus', '8', '--zero', '4'], /--zero must be an integer from 0 to 3/],
    [['--model', 'gpt3-175b', '--gpu', 'a100-80gb', '--gpus', '8', '--recompute', 'some'], /--recompute must be one of none\|selective\|full/],
    [['--model', 'nope', '--gpu', 'a100-80gb', '--gpus', '8'], /neither a preset/],
    [['--model', 'tiny', '--gpu', 'a100-80gb'], /--gpus N is required/],
    [['--model', 'tiny', '--gpu', 'a100-80gb', '--gpus', '1', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, pattern] of cases) {
    const r = await shardscope(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  }
});

test('a Hugging Face config.json as --model and a GPU spec file as --gpu (base + changes, with a calibration)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-plan-'));
  try {
    const snapshot = join(dir, 'Mixtral-8x7B');
    mkdirSync(snapshot);
    writeFileSync(join(snapshot, 'config.json'), JSON.stringify({ architectures: ['MixtralForCausalLM'], model_type: 'mixtral', hidden_size: 4096, intermediate_size: 14336, num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, vocab_size: 32000, max_position_embeddings: 32768, num_local_experts: 8, num_experts_per_tok: 2, sliding_window: null, new_field: 1 }));
    const gpuFile = join(dir, 'h100-500w.json');
    writeFileSync(gpuFile, JSON.stringify({ base: 'h100-sxm', tdpWatts: 500, calibration: { matmulFlopsPerSecond: { bf16: 650e12 }, source: 'calibrate 2026-01-01' } }));
    const r = await shardscope('--model', join(snapshot, 'config.json'), '--gpu', gpuFile, '--gpus', '64', '--tp', '2', '--ep', '8', '--zero', '1', '--recompute', 'full', '--global-batch', '256', '--seq-len', '4096', '--json');
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout);
    assert.equal(p.model.name, 'Mixtral-8x7B');
    assert.ok(Math.abs(p.model.params / 46.7e9 - 1) < 0.01);
    assert.ok(p.model.notes.some((n: string) => /not understood \(ignored\): new_field/.test(n)));
    assert.equal(p.efficiency.source, 'calibration');
    assert.ok(p.commBytesPerStepPerGpu.ep > 0);
    for (const key of ['weights', 'gradients', 'optimizer', 'activations', 'gatheredParameters', 'recomputeWorkingSet', 'commBuffers', 'overhead', 'total']) assert.ok(key in p.memoryPerGpuBytes, key);
    for (const kind of ['dp', 'tp', 'ep']) assert.ok(p.commExposedSecondsPerStep[kind] <= p.commSecondsPerStep[kind], kind);
    const text = await shardscope('--model', join(snapshot, 'config.json'), '--gpu', gpuFile, '--gpus', '64', '--tp', '2', '--ep', '8', '--zero', '1', '--recompute', 'full', '--global-batch', '256');
    assert.match(text.stdout, /flash attention/);
    assert.match(text.stdout, /note +not understood \(ignored\): new_field/);
    assert.match(text.stdout, /exposed communication .*hidden communication/);
    const bad = await shardscope('--model', 'llama2-7b', '--gpu', join(dir, 'missing.json'), '--gpus', '8');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--gpu ".*missing\.json" is neither a catalogue GPU/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('new strategy flags reach the plan, bad values exit 2, and the smallest cluster is offered only when nothing fits', async () => {
  const r = await shardscope('--model', 'llama3-8b', '--gpu', 'h100-sxm', '--gpus', '16', '--cp', '2', '--attention', 'flash', '--dtype', 'fp8', '--no-overlap', '--efficiency', '0.4', '--power-cap', '500', '--inter-node-bandwidth', '25', '--json');
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.deepEqual([p.strategy.cp, p.strategy.dp, p.strategy.dtype, p.strategy.overlap, p.efficiency.source], [2, 8, 'fp8', false, 'override']);
  const uneven = await shardscope('--model', 'llama2-70b', '--gpu', 'a100-80gb', '--gpus', '48', '--tp', '8', '--pp', '6', '--layers-per-stage', '12,14,14,14,14,12', '--json');
  assert.equal(uneven.code, 0, uneven.stderr);
  assert.deepEqual(JSON.parse(uneven.stdout).layersPerStage, [12, 14, 14, 14, 14, 12]);
  const cases: [string[], RegExp][] = [
    [['--model', 'llama2-7b', '--gpu', 'a100-80gb', '--gpus', '8', '--dtype', 'fp8'], /no FP8 tensor units/],
    [['--model', 'llama2-7b', '--gpu', 'a100-80gb', '--gpus', '8', '--efficiency', '1.5'], /--efficiency must be a positive number up to 1/],
    [['--model', 'llama2-7b', '--gpu', 'a100-80gb', '--gpus', '8', '--pp', '2', '--layers-per-stage', '10,10'], /sums to 20 layers but the model has 32/],
  ];
  for (const [args, pattern] of cases) {
    const b = await shardscope(...args);
    assert.equal(b.code, 2, args.join(' '));
    assert.match(b.stderr, pattern);
  }
  // Plain DP of a 7B model on 8 x 40 GB does not fit, but other strategies on the same cluster do: no "smallest cluster".
  const text = await shardscope('--model', 'llama2-7b', '--gpu', 'a100-40gb', '--gpus', '8', '--dp', '8', '--seq-len', '2048');
  assert.match(text.stdout, /fits +NO/);
  assert.match(text.stdout, /strategies that fit 8 x a100-40gb/);
  assert.doesNotMatch(text.stdout, /smallest cluster/);
});
