/** The calibrated prediction from a hand-written calibration: what it charges for each part of the engine's step. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineSegment, HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import { MissingCalibration, predictEngineRun } from '../../../src-shared/calibration/engine-prediction.js';
import type { TrainConfig } from '../../../src-shared/engine-config.js';

const model = { name: 'bench', layers: 4, hidden: 256, heads: 4, vocab: 256, seqLen: 128 };
const segments: EngineSegment[] = ['fused', 'embed-forward', 'embed-backward', 'attn-forward', 'attn-backward', 'mlp-forward', 'mlp-backward', 'head'];

/** 10 ms per sequence for every segment (so the arithmetic is visible), contention 2x with 2 ranks computing. */
function calibration(): HostCalibration {
  return {
    hostId: 'local', measuredAtMs: 0, origin: { kind: 'calibrate' }, software: {}, cpu: { model: 'x', cores: 2 }, power: null, missing: [],
    engines: [{
      engine: 'tfjs', backend: 'wasm', device: 'cpu', model, matmul: [],
      segments: segments.flatMap((segment) => [1, 2, 4, 8].flatMap((batch) => [1, 2].map((tp) => ({ segment, tp, batch, seconds: 0.01 * batch, frameworkPeakBytes: 1e6 * batch })))),
      adamSecondsPerElement: 0, refreshSecondsPerElement: 0, memoryBandwidthBytesPerSecond: 1e15, runtimeBaselineBytes: 50e6,
      activationResidentFraction: 1, segmentedOverheadBytes: 0, concurrency: [{ processes: 1, slowdown: 1 }, { processes: 2, slowdown: 2 }],
    }],
    collectives: (['allReduce', 'reduceScatter', 'allGather', 'send'] as const).flatMap((op) => [4, 16e6].map((bytes) => ({ op, groupSize: 2, scope: 'host' as const, bytes, seconds: 0 }))),
  };
}

function config(dp: number, tp: number, pp: number, extra: Partial<TrainConfig> = {}): TrainConfig {
  return { model, strategy: { dp, tp, pp }, steps: 1, globalBatch: 8, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 0, learningRate: 1e-3, ...extra };
}

const local = (ranks: number) => ({ ranksPerHost: ranks, crossHost: { dp: false, tp: false, pp: false } });

test('dp=1 is one fused tape of the whole batch; dp=2 halves the batch but both ranks compute at once (2x contention)', () => {
  assert.ok(Math.abs(predictEngineRun(config(1, 1, 1), calibration(), local(1)).stepTimeSeconds - 0.08) < 1e-6);
  assert.ok(Math.abs(predictEngineRun(config(2, 1, 1), calibration(), local(2)).stepTimeSeconds - 0.08) < 1e-6);
});

test('TP/PP ranks pay every segment, the backward re-running its forward: forward 4 x (attn + mlp) + embed + head, backward the same + embed', () => {
  const p = predictEngineRun(config(1, 2, 1), calibration(), local(2));
  // per rank: forward (4 x 2 + 1 + 1) x 0.08 s, backward (4 x 2 + 1) x 0.08 s, all x2 contention
  assert.ok(Math.abs(p.stepTimeSeconds - 2 * 0.08 * (10 + 9)) < 1e-6, String(p.stepTimeSeconds));
});

test('a pipeline\'s ranks wait for each other, so they are charged less contention than lockstep ranks', () => {
  const pp = predictEngineRun(config(1, 1, 2, { microBatches: 4 }), calibration(), local(2));
  // micro-batches of 2 sequences (0.02 s a segment); stage 0: 5 segments forward + 5 backward, stage 1: 5 + 4; x 4 micro-batches
  const meanUnslowed = ((10 + 9) * 0.02 * 4) / 2;
  assert.ok(pp.timeBreakdownSeconds.bubble > 0);
  const { compute } = pp.timeBreakdownSeconds;
  assert.ok(compute > meanUnslowed * 1.1 && compute < 2 * meanUnslowed * 0.9, `${compute}: slowed, but less than 2x`);
});

test('a model the host was not calibrated at is said, not guessed', () => {
  assert.throws(() => predictEngineRun({ ...config(1, 1, 1), model: { ...model, layers: 2 } }, calibration(), local(1)), MissingCalibration);
});

test('cross-host groups without cross-host figures use this host\'s and say so', () => {
  const p = predictEngineRun(config(2, 1, 1), calibration(), { ranksPerHost: 1, crossHost: { dp: true, tp: false, pp: false } });
  assert.ok(p.gaps.some((g) => /allReduce across hosts not calibrated/.test(g)), p.gaps.join('; '));
});

test('lockstep ranks wait for each other the calibrated fraction of their compute; a lone rank does not', () => {
  const jittery = { ...calibration(), lockstep: { groupSize: 2, segmentSeconds: 0.02, waitFraction: 0.1 } };
  const dp2 = predictEngineRun(config(2, 1, 1), jittery, local(2));
  const dp2Still = predictEngineRun(config(2, 1, 1), calibration(), local(2));
  assert.ok(Math.abs(dp2.stepTimeSeconds - dp2Still.stepTimeSeconds * 1.1) < 1e-6, `${dp2.stepTimeSeconds} = 1.1 x ${dp2Still.stepTimeSeconds}`);
  assert.ok(Math.abs(dp2.timeBreakdownSeconds.communication - 0.1 * dp2.timeBreakdownSeconds.compute) < 1e-6, 'charged as communication, as the engine counts the wait');
  assert.equal(predictEngineRun(config(1, 1, 1), jittery, local(1)).stepTimeSeconds, predictEngineRun(config(1, 1, 1), calibration(), local(1)).stepTimeSeconds);
  assert.ok(dp2Still.gaps.some((g) => /lockstep jitter not calibrated/.test(g)));
});

test('TP ranks on one host are charged the TP-layer probe\'s lockstep slowdowns and its wait at every TP all-reduce, not the fused step\'s contention', () => {
  const tpLockstep = { tp: 2, batch: 4, forwardSlowdown: 1.5, backwardSlowdown: 1.2, aloneLayerSeconds: 0.05, syncSeconds: 0.004, bareAllReduceSeconds: 0.001, waitPerSyncSeconds: 0.003 };
  const probed = { ...calibration(), lockstep: { groupSize: 2, segmentSeconds: 0.02, waitFraction: 0.1 }, tpLockstep };
  const p = predictEngineRun(config(1, 2, 1), probed, local(2));
  // forward 4 x (attn + mlp) + embed + head at 1.5x, backward 4 x 2 + embed at 1.2x, 0.08 s a segment at micro-batch 8
  const compute = 0.08 * (10 * 1.5 + 9 * 1.2);
  assert.ok(Math.abs(p.timeBreakdownSeconds.compute - compute) < 1e-6, `${p.timeBreakdownSeconds.compute} vs ${compute}`);
  // 4 TP all-reduces per layer (2 forward, 2 backward), each waiting 3 ms; the per-second lockstep jitter is not charged on top
  assert.ok(Math.abs(p.timeBreakdownSeconds.communication - 16 * 0.003) < 1e-6, String(p.timeBreakdownSeconds.communication));
  assert.ok(!p.gaps.some((g) => /TP 2 in lockstep not calibrated/.test(g)));
  // across hosts the TP group does not share cores: the probe does not apply
  const apart = predictEngineRun(config(1, 2, 1), probed, { ranksPerHost: 1, crossHost: { dp: false, tp: true, pp: false } });
  assert.ok(Math.abs(apart.timeBreakdownSeconds.compute - 0.08 * 19) < 1e-6, String(apart.timeBreakdownSeconds.compute));
  // without the probe: the fused step's contention and a gap that says so
  const old = predictEngineRun(config(1, 2, 1), calibration(), local(2));
  assert.ok(old.gaps.some((g) => /TP 2 in lockstep not calibrated/.test(g)), old.gaps.join('; '));
});

test('across hosts each rank computes at its own host\'s figures, and a DP group at its slowest host\'s', () => {
  const slow = calibration();
  slow.hostId = 'slow';
  slow.engines[0].segments = slow.engines[0].segments.map((s) => ({ ...s, seconds: 3 * s.seconds }));
  const placement = { ranksPerHost: 1, crossHost: { dp: true, tp: false, pp: false } };
  const hostOfRank = (rank: number) => (rank === 0 ? 'local' : 'slow');
  const alone = predictEngineRun(config(2, 1, 1), calibration(), placement);
  const mixed = predictEngineRun(config(2, 1, 1), calibration(), placement, (id) => (id === 'slow' ? slow : calibration()), hostOfRank);
  assert.ok(Math.abs(mixed.stepTimeSeconds - 3 * alone.stepTimeSeconds) < 1e-6, `${mixed.stepTimeSeconds} = 3 x ${alone.stepTimeSeconds}`);
  const uncalibrated = predictEngineRun(config(2, 1, 1), calibration(), placement, () => null, hostOfRank);
  assert.ok(uncalibrated.gaps.some((g) => /host slow has no calibration at the shapes of bench/.test(g)), uncalibrated.gaps.join('; '));
});

test('the gradient collectives\' own buffers, measured per payload byte, are part of a DP rank\'s peak; ZeRO-1 takes the larger of its two ops', () => {
  const measured = { ...calibration(), collectiveMemory: [{ op: 'allReduce' as const, bytes: 1e6, growthBytes: 0.5e6 }, { op: 'reduceScatter' as const, bytes: 1e6, growthBytes: 3e6 }, { op: 'allGather' as const, bytes: 1e6, growthBytes: 2e6 }] };
  const rank = (c: HostCalibration, extra: Partial<TrainConfig> = {}) => predictEngineRun(config(2, 1, 1, extra), c, local(2)).ranks[0];
  const params = rank(calibration()).memoryBytes.gradients;
  assert.ok(Math.abs(rank(measured).memoryBytes.communication - 0.5 * params) < 1e-3);
  assert.ok(Math.abs(rank(measured, { zeroStage: 1 }).memoryBytes.communication - rank(calibration(), { zeroStage: 1 }).memoryBytes.communication - 3 * params) < 1e-3);
  assert.equal(predictEngineRun(config(1, 1, 1), measured, local(1)).ranks[0].memoryBytes.communication, 0, 'no gradient sync on a lone rank');
});

test('TP ranks hold the measured copies around their all-reduces, scaled to their micro-batch; other ranks do not', () => {
  const measured = calibration();
  Object.assign(measured.engines[0], { tpCopyOverheadBytes: 10e6, probeBatch: 4 });
  const act = (tp: number, pp: number, c: HostCalibration) => predictEngineRun(config(1, tp, pp), c, local(tp * pp)).ranks[0].memoryBytes.activations;
  assert.ok(Math.abs(act(2, 1, measured) - act(2, 1, calibration()) - 20e6) < 1e-3, 'micro-batch 8 = twice the probe\'s 4');
  assert.equal(act(1, 2, measured), act(1, 2, calibration()));
});

test('a contention measured below 1 (load changing between the probes) is taken as 1 and said', () => {
  const odd = calibration();
  odd.engines[0].concurrency = [{ processes: 1, slowdown: 1 }, { processes: 2, slowdown: 0.67 }];
  const unslowed = calibration();
  unslowed.engines[0].concurrency = [{ processes: 1, slowdown: 1 }, { processes: 2, slowdown: 1 }];
  const p = predictEngineRun(config(2, 1, 1), odd, local(2));
  assert.equal(p.stepTimeSeconds, predictEngineRun(config(2, 1, 1), unslowed, local(2)).stepTimeSeconds);
  assert.ok(p.gaps.some((g) => /contention measured below 1 \(2 ranks x0\.67\): taken as 1/.test(g)), p.gaps.join('; '));
});
