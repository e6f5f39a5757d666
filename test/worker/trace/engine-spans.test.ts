/**
 * Spans of the built-in engine at their real times, from real worker processes (run controller,
 * TCP collectives on loopback): pipeline order per micro-batch, the measured bubble against
 * (p - 1) / (m + p - 1), DP all-reduces at matching times on both ranks, and a rank given a wrong
 * clock (SHARDSCOPE_TEST_CLOCK_SKEW_MS) put back on rank 0's clock by the alignment at rendezvous.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EngineEvent, RunStartEvent, SpansEvent } from '../../../src-shared/engine-events.js';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import type { StoredEvent } from '../../../src-shared/run-record.js';
import { runSpansOf, spanSummaryOf } from '../../../src-shared/run-spans.js';
import { runTraining } from '../../../src-main/core/launch/run-controller.js';
import { localSpawner, type Spawner } from '../../../src-main/core/launch/spawner.js';
import { WORKER_PATH } from '../../support/paths.js';

const model = { name: 'spans', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 };

function config(strategy: TrainConfig['strategy'], extra: Partial<TrainConfig>): TrainConfig {
  return { model, strategy, steps: 3, globalBatch: 8, microBatches: 1, schedule: 'gpipe', zeroStage: 0, recompute: false, seed: 3, learningRate: 3e-3, ...extra };
}

/** Runs with real worker processes; `rankEnv` adds environment to chosen ranks. */
async function run(cfg: TrainConfig, rankEnv: Record<number, Record<string, string>> = {}): Promise<EngineEvent[]> {
  const events: EngineEvent[] = [];
  const spawner: Spawner = (request) => localSpawner({ ...request, env: { ...request.env, ...rankEnv[request.rank] } });
  await runTraining({ config: cfg, workerPath: WORKER_PATH, spawner, onEvent: (e) => events.push(e) });
  return events;
}

function stored(events: EngineEvent[]): StoredEvent[] {
  return events.map((e) => ({ rank: e.rank, timestampMs: e.timestampMs, type: e.type, data: e as unknown as Record<string, unknown> }));
}

test('pp=2 GPipe, 4 micro-batches: stage 1 starts each forward after stage 0 ended it; the bubble is measured and compared', async () => {
  const events = await run(config({ dp: 1, tp: 1, pp: 2 }, { microBatches: 4 }));
  const spans = events.filter((e): e is SpansEvent => e.type === 'spans');
  assert.equal(spans.length, 2 * 3, 'one spans event per rank and step (every step traced by default)');
  // Stage 1's times are on stage 0's clock as estimated at rendezvous: right within the estimated error.
  const clockErrorMs = events.find((e): e is RunStartEvent => e.type === 'run-start' && e.rank === 1)!.clock!.errorMs;
  assert.ok(clockErrorMs < 2, `clock error ${clockErrorMs} ms`);
  for (let step = 0; step < 3; step += 1) {
    const forwards = (rank: number) => spans.find((e) => e.rank === rank && e.step === step)!.spans.filter((s) => s.kind === 'forward');
    const [stage0, stage1] = [forwards(0), forwards(1)];
    assert.deepEqual(stage0.map((s) => s.microBatch), [0, 1, 2, 3]);
    assert.deepEqual(stage1.map((s) => s.microBatch), [0, 1, 2, 3]);
    for (let k = 0; k < 4; k += 1) {
      const stage0EndMs = stage0[k].startMs + stage0[k].durationMs;
      assert.ok(stage1[k].startMs >= stage0EndMs - clockErrorMs, `step ${step} mb ${k}: stage 1 forward at ${stage1[k].startMs} after stage 0's ended at ${stage0EndMs} (clock error ${clockErrorMs} ms)`);
      assert.equal(stage1[k].stage, 1);
    }
    const backwards = spans.find((e) => e.rank === 0 && e.step === step)!.spans.filter((s) => s.kind === 'backward');
    assert.deepEqual(backwards.map((s) => s.microBatch), [0, 1, 2, 3], 'GPipe: all backwards after the forwards');
  }
  const summary = spanSummaryOf(runSpansOf(stored(events)), 2, 4);
  assert.ok(summary);
  assert.equal(summary.tracedSteps, 3);
  assert.equal(summary.bubbleFractionIdeal, 1 / 5, '(p - 1) / (m + p - 1) for p = 2, m = 4');
  const measured = summary.bubbleFractionMeasured!;
  assert.ok(measured > 0 && measured < 1, `bubble fraction measured from spans: ${measured}`);
  assert.equal(summary.bubbleFractionError, (measured - 0.2) / 0.2);
  // Causality across processes: stage 1's receive of each activation ends after stage 0 finished computing it and began sending it.
  for (const e of spans.filter((x) => x.rank === 1)) {
    const stage0 = spans.find((x) => x.rank === 0 && x.step === e.step)!.spans;
    for (const recv of e.spans.filter((s) => s.name === 'recv pp' && s.microBatch !== undefined && s.startMs < e.spans.find((f) => f.kind === 'backward')!.startMs)) {
      const send = stage0.find((s) => s.name === 'send pp' && s.microBatch === recv.microBatch)!;
      assert.ok(recv.startMs + recv.durationMs >= send.startMs - clockErrorMs, `step ${e.step} mb ${recv.microBatch}: received after it was sent`);
    }
  }
  assert.ok(summary.steps.every((s) => s.ranks.every((r) => r.bubbleMs > 0)), 'every stage waited for the other in every step');
});

test('dp=2 with rank 1 on a clock 5 s ahead: alignment corrects it within 2 ms and the all-reduces meet on both ranks', async () => {
  const skewMs = 5000;
  const events = await run(config({ dp: 2, tp: 1, pp: 1 }, {}), { 1: { SHARDSCOPE_TEST_CLOCK_SKEW_MS: String(skewMs) } });
  const starts = events.filter((e): e is RunStartEvent => e.type === 'run-start').sort((a, b) => a.rank - b.rank);
  assert.equal(starts[0].clock?.offsetMs, 0);
  const clock = starts[1].clock!;
  assert.ok(Math.abs(clock.offsetMs + skewMs) < 2, `rank 1 offset ${clock.offsetMs} ms corrects the ${skewMs} ms skew within 2 ms`);
  assert.ok(clock.errorMs < 2, `estimated error ${clock.errorMs} ms`);
  const spans = events.filter((e): e is SpansEvent => e.type === 'spans');
  for (let step = 0; step < 3; step += 1) {
    const [a, b] = [0, 1].map((rank) => spans.find((e) => e.rank === rank && e.step === step)!.spans.find((s) => s.name === 'allReduce dp' && (s.bytes ?? 0) > 1000)!);
    assert.ok(a && b, `step ${step}: gradient all-reduce span on both ranks`);
    assert.equal(a.bytes, b.bytes);
    const [aEnd, bEnd] = [a.startMs + a.durationMs, b.startMs + b.durationMs];
    assert.ok(Math.max(a.startMs, b.startMs) < Math.min(aEnd, bEnd), `step ${step}: the two ranks' all-reduces overlap in time ([${a.startMs}, ${aEnd}] and [${b.startMs}, ${bEnd}])`);
    // Neither rank can finish before the other has started: each needs the other's half.
    assert.ok(aEnd >= b.startMs && bEnd >= a.startMs);
  }
});

test('--trace-steps bounds what is recorded: a window keeps only its steps, none keeps nothing', async () => {
  const windowed = await run(config({ dp: 2, tp: 1, pp: 1 }, { steps: 4, traceSteps: { firstStep: 1, lastStep: 2 } }));
  const traced = windowed.filter((e): e is SpansEvent => e.type === 'spans');
  assert.deepEqual([...new Set(traced.map((e) => e.step))], [1, 2]);
  assert.equal(traced.length, 4, 'both ranks, steps 1 and 2');
  assert.ok(traced.every((e) => e.spans.some((s) => s.kind === 'optimizer') && e.spans.every((s) => s.startMs >= e.stepStartMs - 0.01 && s.startMs + s.durationMs <= e.stepEndMs + 0.01)),
    'every span lies inside its step');
  const untraced = await run(config({ dp: 1, tp: 1, pp: 1 }, { steps: 2, traceSteps: null }));
  assert.equal(untraced.filter((e) => e.type === 'spans').length, 0);
  assert.equal(untraced.filter((e) => e.type === 'step').length, 2, 'the run itself is unchanged');
});
