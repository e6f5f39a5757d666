import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
