/** Every strategy reproduces the single-process loss trajectory, with each rank holding only its shard. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { StepEvent, RunStartEvent } from '../../../src-shared/engine-events.js';
import type { StrategyGrid, TrainConfig } from '../../../src-shared/engine-config.js';
import { initCollective } from '../../../src-worker/collective/index.js';
import { initBackend } from '../../../src-worker/engine/backend/index.js';
import { defaultCorpusPath, loadCorpus } from '../../../src-worker/engine/data-loader.js';
import { countParams } from '../../../src-worker/engine/param-specs.js';
import { runRank } from '../../../src-worker/engine/run-rank.js';

const model = { name: 'equiv', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 };
const corpus = loadCorpus(defaultCorpusPath(), model.seqLen);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Runs every rank of a grid in this process over real loopback sockets; returns losses and run-start events. */
async function train(strategy: StrategyGrid, extra: Partial<TrainConfig> = {}): Promise<{ losses: number[]; starts: RunStartEvent[] }> {
  const config: TrainConfig = { model, strategy, steps: 5, globalBatch: 8, microBatches: 1, schedule: 'gpipe', zeroStage: 0, recompute: false, seed: 7, learningRate: 3e-3, ...extra };
  const worldSize = strategy.dp * strategy.tp * strategy.pp;
  const backend = await initBackend();
  const masterPort = await freePort();
  const secret = randomBytes(16).toString('hex');
  const losses: number[] = [];
  const starts: RunStartEvent[] = [];
  const emit = (e: { type: string }) => {
    if (e.type === 'step' && (e as StepEvent).loss !== null) losses.push((e as StepEvent).loss as number);
    if (e.type === 'run-start') starts.push(e as RunStartEvent);
  };
  await Promise.all(Array.from({ length: worldSize }, (_, rank) => runRank({
    config, rank, worldSize, masterAddr: '127.0.0.1', masterPort, secret, corpus, backend, emit, connect: initCollective,
  })));
  return { losses, starts };
}

/** Asserts every loss is within 1e-4 relative of the reference; returns the largest relative difference. */
function assertClose(actual: number[], expected: number[], label: string): number {
  assert.equal(actual.length, expected.length, `${label}: step count`);
  let worst = 0;
  actual.forEach((loss, i) => {
    const relative = Math.abs(loss - expected[i]) / Math.abs(expected[i]);
    worst = Math.max(worst, relative);
    assert.ok(relative < 1e-4, `${label}: step ${i} loss ${loss} vs single-process ${expected[i]} (relative ${relative.toExponential(2)})`);
  });
  return worst;
}

test('strategies match the single-process losses and shard the parameters', async (t) => {
  const reference = await train({ dp: 1, tp: 1, pp: 1 });
  assert.ok(reference.losses[4] < reference.losses[0], 'the reference run learns');
  const total = countParams(model);
  assert.equal(reference.starts[0].paramsOnRank, total);
  const cases: Array<[string, StrategyGrid, Partial<TrainConfig>]> = [
    ['dp2', { dp: 2, tp: 1, pp: 1 }, {}],
    ['tp2', { dp: 1, tp: 2, pp: 1 }, {}],
    ['pp2 gpipe', { dp: 1, tp: 1, pp: 2 }, { microBatches: 4, schedule: 'gpipe' }],
    ['pp2 1f1b', { dp: 1, tp: 1, pp: 2 }, { microBatches: 4, schedule: '1f1b' }],
    ['pp2 1f1b recompute', { dp: 1, tp: 1, pp: 2 }, { microBatches: 2, schedule: '1f1b', recompute: true }],
    ['dp2xtp2', { dp: 2, tp: 2, pp: 1 }, {}],
    ['dp2xpp2', { dp: 2, tp: 1, pp: 2 }, { microBatches: 2, schedule: '1f1b' }],
    ['tp2xpp2', { dp: 1, tp: 2, pp: 2 }, { microBatches: 2 }],
    ['dp2 zero1', { dp: 2, tp: 1, pp: 1 }, { zeroStage: 1 }],
    ['1 rank, segmented with recompute', { dp: 1, tp: 1, pp: 1 }, { recompute: true, microBatches: 2 }],
    ['dp2xtp2xpp2 zero1 gpipe recompute', { dp: 2, tp: 2, pp: 2 }, { zeroStage: 1, schedule: 'gpipe', microBatches: 2, recompute: true }],
  ];
  for (const [label, grid, extra] of cases) {
    await t.test(label, async () => {
      const run = await train(grid, extra);
      t.diagnostic(`${label}: largest relative loss difference ${assertClose(run.losses, reference.losses, label).toExponential(2)}`);
      const world = grid.dp * grid.tp * grid.pp;
      assert.equal(run.starts.length, world);
      // One DP replica's ranks together hold the whole model exactly once, apart from TP-replicated tensors.
      const replica = run.starts.filter((s) => s.coords.dpIndex === 0);
      const held = replica.reduce((sum, s) => sum + s.paramsOnRank, 0);
      if (grid.tp === 1) assert.equal(held, total, `${label}: a replica's stages hold the model once`);
      else assert.ok(held > total && held < total * grid.tp, `${label}: TP ranks hold shards plus replicated norms/embeddings`);
      if (world > grid.dp) for (const s of run.starts) assert.ok(s.paramsOnRank < total, `${label}: rank ${s.rank} holds ${s.paramsOnRank} < ${total}`);
      if (extra.zeroStage === 1) for (const s of run.starts) assert.ok(s.optimizerStateOnRank <= Math.ceil((2 * total) / grid.dp) + 2, `${label}: ZeRO-1 shards Adam state`);
    });
  }
});
