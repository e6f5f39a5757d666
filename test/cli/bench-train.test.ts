import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ShardScopeError } from '../../src-shared/errors.js';
import { benchCommand } from '../../src-main/cli/commands/bench.js';
import { runTorchPeer, trainBenchRatios, type TrainBenchResult } from '../../src-main/cli/commands/bench-train.js';
import type { CliIo } from '../../src-main/cli/io.js';

function io(): CliIo & { out: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stdout, stderr: new PassThrough(), env: process.env, signal: new AbortController().signal, out: () => Buffer.concat(chunks).toString() };
}

test('ratios compare engines measured in the same run: single rank vs torch, dp=2 speed-ups', () => {
  const results: TrainBenchResult[] = [
    { engine: 'shardscope', ranks: 1, msPerStep: 400, tokensPerSecond: 2000 },
    { engine: 'torch', ranks: 1, msPerStep: 200, tokensPerSecond: 4000 },
    { engine: 'shardscope', ranks: 2, msPerStep: 450, tokensPerSecond: 3600 },
    { engine: 'torch', ranks: 2, msPerStep: 230, tokensPerSecond: 7000 },
  ];
  assert.deepEqual(trainBenchRatios(results), { singleRankVsTorch: 0.5, shardscopeDp2Speedup: 1.8, torchDp2Speedup: 1.75 });
  assert.deepEqual(trainBenchRatios(results.slice(1, 2)), { singleRankVsTorch: undefined, shardscopeDp2Speedup: undefined, torchDp2Speedup: undefined });
});

test('bad flags and unknown benchmarks are bad-input errors', async () => {
  const isBadInput = (error: unknown) => error instanceof ShardScopeError && error.kind === 'bad-input';
  await assert.rejects(benchCommand(['train', '--steps', '0'], io()), isBadInput);
  await assert.rejects(benchCommand(['train', '--frobnicate'], io()), isBadInput);
  await assert.rejects(benchCommand(['nope'], io()), (error: unknown) => isBadInput(error) && /expected one of/.test((error as Error).message));
});

test('the PyTorch peer runs for real on one thread and reports the bench model throughput', async () => {
  const result = await runTorchPeer(1, 1, io());
  assert.equal(result.engine, 'torch');
  assert.equal(result.ranks, 1);
  assert.ok(result.msPerStep > 0 && result.tokensPerSecond > 0);
  // tokens/s is the bench batch (8 x 128 tokens) over the step time.
  assert.ok(Math.abs(result.tokensPerSecond - (8 * 128 * 1000) / result.msPerStep) / result.tokensPerSecond < 0.01);
});
