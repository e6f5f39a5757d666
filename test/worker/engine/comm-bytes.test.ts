/**
 * Bytes per rank per step by parallelism kind, measured by the engine, against figures derived here
 * from the model shape and the algorithms alone (not from the engine's own bookkeeping), and against
 * the planner's commBytesPerStepPerGpu where the two count the same thing.
 *
 * Every group in these grids has 2 members. A 2-member all-reduce (direct or ring, plain or as ZeRO-1's
 * reduce-scatter + all-gather) moves exactly n elements each way per rank: it sends the half it does not
 * own, then its reduced half, and receives the same. So an all-reduce of n fp32 elements = 4n bytes sent
 * and 4n received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ByteCounts, ParallelismKind, RunStartEvent } from '../../../src-shared/engine-events.js';
import type { StrategyGrid, TrainConfig } from '../../../src-shared/engine-config.js';
import { planStrategy } from '../../../src-shared/planner/plan.js';
import { RunAggregator } from '../../../src-main/core/launch/run-summary.js';
import { trainGrid, type GridRun } from './support/train-grid.js';

const model = { name: 'comm', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 };
const { layers: L, hidden: h, vocab: v, seqLen: s } = model;
const fp32Bytes = 4;

/** Where a rank sits and what its step moves, in elements (sent = received for 2-member groups). */
interface Expected { dp: number; tp: number; pp: number }

/** Elements this rank syncs per step in each kind of group, from the GPT's shape and the schedule. */
function expectedElements(start: RunStartEvent, config: TrainConfig): Expected {
  const { dp, tp, pp } = config.strategy;
  const m = config.microBatches;
  const rows = config.globalBatch / dp / m;
  const { ppIndex } = start.coords;
  const layersHere = Math.floor(((ppIndex + 1) * L) / pp) - Math.floor((ppIndex * L) / pp);
  const isFirst = ppIndex === 0;
  const isLast = ppIndex === pp - 1;
  // Per layer: qkv, out proj, fc1, fc2 matrices and qkv/fc1 biases split over TP; LNs, out/fc2 biases replicated.
  const layerParams = (12 * h * h + 7 * h) / tp + 6 * h;
  const params = layersHere * layerParams + (isFirst ? v * h + s * h : 0) + (isLast ? 2 * h + h * v + v : 0);
  // DP: the whole gradient buffer, plus the last stage's one-element loss all-reduce.
  const dpElements = dp > 1 ? params + (isLast ? 1 : 0) : 0;
  // TP, per layer and micro-batch: forward all-reduces the attention and MLP outputs [rows, s, h];
  // backward all-reduces dx of both sub-layers with their two LN gradients (2h) appended; recompute replays the forward.
  const activation = rows * s * h;
  const perLayer = 2 * activation + 2 * (activation + 2 * h) + (config.recompute ? 2 * activation : 0);
  const tpElements = tp > 1 ? m * layersHere * perLayer : 0;
  // PP: per micro-batch one activation to the next stage and one gradient to the previous one (full tensor on every TP rank).
  const ppElements = m * activation * ((isLast ? 0 : 1) + (isFirst ? 0 : 1));
  return { dp: dpElements, tp: tpElements, pp: ppElements };
}

function assertMeasured(run: GridRun, label: string): void {
  const world = run.starts.length;
  assert.equal(run.steps.length, world * run.config.steps, `${label}: one step event per rank and step`);
  for (const step of run.steps) {
    const start = run.starts.find((x) => x.rank === step.rank)!;
    const expected = expectedElements(start, run.config);
    const measured = step.bytesByParallelism;
    assert.ok(measured, `${label}: rank ${step.rank} step ${step.step} carries bytesByParallelism`);
    for (const kind of ['dp', 'tp', 'pp'] as ParallelismKind[]) {
      const want: ByteCounts = { sent: expected[kind] * fp32Bytes, received: expected[kind] * fp32Bytes };
      assert.deepEqual(measured[kind], want, `${label}: rank ${step.rank} ${JSON.stringify(start.coords)} step ${step.step} ${kind}`);
    }
    // Nothing else moves during a step: the kinds add up to the per-collective totals.
    const byCollective = Object.values(step.bytes).reduce((sum, c) => sum + c.sent, 0);
    assert.equal(measured.dp.sent + measured.tp.sent + measured.pp.sent, byCollective, `${label}: rank ${step.rank} kinds sum to the collective totals`);
    const seconds = step.communicationSecondsByParallelism!;
    const secondsSum = seconds.dp + seconds.tp + seconds.pp;
    assert.ok(Math.abs(secondsSum - step.stepTimeSeconds.communication) < 1e-9, `${label}: seconds by kind sum to the communication time`);
    for (const kind of ['dp', 'tp', 'pp'] as ParallelismKind[]) {
      if (expected[kind] === 0) assert.equal(seconds[kind], 0, `${label}: rank ${step.rank} spends no ${kind} time without ${kind} traffic`);
    }
  }
}

/** The planner's prediction for the same model, grid and batch in fp32. */
function predicted(config: TrainConfig) {
  const { dp, tp, pp } = config.strategy;
  return planStrategy({
    model: { ...model, bias: true, positions: 'learned', tiedEmbeddings: false, mlp: 'gelu' },
    cluster: { gpu: 'cpu', gpus: dp * tp * pp },
    strategy: { dp, tp, pp, microBatch: config.globalBatch / dp / config.microBatches, globalBatch: config.globalBatch, dtype: 'fp32', zeroStage: config.zeroStage, recompute: config.recompute ? 'full' : 'none' },
  }).commBytesPerStepPerGpu;
}

const cases: Array<[string, StrategyGrid, Partial<TrainConfig>]> = [
  ['dp2', { dp: 2, tp: 1, pp: 1 }, {}],
  ['dp2 zero1', { dp: 2, tp: 1, pp: 1 }, { zeroStage: 1 }],
  ['tp2', { dp: 1, tp: 2, pp: 1 }, { microBatches: 2 }],
  ['tp2 recompute', { dp: 1, tp: 2, pp: 1 }, { recompute: true }],
  ['pp2 1f1b', { dp: 1, tp: 1, pp: 2 }, { microBatches: 4, schedule: '1f1b' }],
  ['dp2xtp2', { dp: 2, tp: 2, pp: 1 }, {}],
  ['dp2xpp2', { dp: 2, tp: 1, pp: 2 }, { microBatches: 2 }],
  ['tp2xpp2', { dp: 1, tp: 2, pp: 2 }, { microBatches: 2 }],
];

test('bytes per rank per step by parallelism kind match the model shape and the algorithms, and the planner where conventions agree', async (t) => {
  for (const [label, grid, extra] of cases) {
    await t.test(label, async () => {
      const run = await trainGrid(model, grid, extra);
      assertMeasured(run, label);
      const plan = predicted(run.config);
      const m = run.config.microBatches;
      for (const step of run.steps.filter((x) => x.step === 0)) {
        const start = run.starts.find((x) => x.rank === step.rank)!;
        const measured = step.bytesByParallelism!;
        const { ppIndex } = start.coords;
        const layersHere = L / grid.pp;
        // TP: Megatron's 8·b·s·h·(t−1)/t per layer and micro-batch; the engine also all-reduces each sub-layer's two LN gradients.
        const lnBytes = grid.tp > 1 ? m * layersHere * 2 * 2 * h * fp32Bytes : 0;
        assert.equal(measured.tp.sent, plan.tp + lnBytes, `${label}: rank ${step.rank} TP bytes vs planner`);
        // PP: the planner counts 2 tensors per micro-batch (an interior stage's sends); an end stage sends one and receives one,
        // and without scatter/gather every TP rank sends the whole tensor where the planner divides by t.
        if (grid.pp > 1) assert.equal((measured.pp.sent + measured.pp.received) / grid.tp, plan.pp, `${label}: rank ${step.rank} PP bytes vs planner`);
        // DP: 2Ψ(d−1)/d of the first stage's parameters per GPU, the same gradient buffer; the engine's last stage also
        // all-reduces the loss (1 element). With TP the planner takes Ψ/t while the engine keeps LNs, embeddings and
        // the out/fc2 biases whole on every TP rank, so only tp = 1 is compared.
        if (grid.dp > 1 && grid.tp === 1 && ppIndex === 0) {
          const lossElements = grid.pp === 1 ? 1 : 0;
          assert.equal(measured.dp.sent, plan.dp + lossElements * fp32Bytes, `${label}: rank ${step.rank} DP bytes vs planner`);
        }
      }
      // The run summary sums them over ranks and steps.
      const aggregator = new RunAggregator(run.starts.length, run.config.steps);
      run.starts.forEach((e) => aggregator.addStart(e));
      run.steps.forEach((e) => aggregator.addStep(e));
      const summary = aggregator.summary({ runId: 'r', model: model.name, strategy: { ...grid, microBatches: m, schedule: 'gpipe', zeroStage: 0, recompute: false }, wallSeconds: 1 });
      for (const kind of ['dp', 'tp', 'pp'] as ParallelismKind[]) {
        const sent = run.starts.reduce((sum, start) => sum + expectedElements(start, run.config)[kind] * fp32Bytes, 0) * run.config.steps;
        assert.deepEqual(summary.bytesByParallelism?.[kind], { sent, received: sent }, `${label}: run summary ${kind}`);
      }
      t.diagnostic(`${label}: rank 0 step 1 ${JSON.stringify(run.steps.find((x) => x.rank === 0 && x.step === 1)!.bytesByParallelism)}; planner ${JSON.stringify(plan)}`);
    });
  }
});
