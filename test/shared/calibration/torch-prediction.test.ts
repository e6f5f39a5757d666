/** The torch prediction from the reference script's timed step: what it charges, and when it declines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import { torchStepPrediction } from '../../../src-shared/calibration/torch-prediction.js';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import type { PlanResult } from '../../../src-shared/planner/index.js';

const model = { name: 'bench', layers: 4, hidden: 256, heads: 4, vocab: 256, seqLen: 128 };

/** 20 ms + 50 ms per sequence at 1 thread, half that at 2; Adam 10 ms / 6 ms; 2 ranks x1.2; Gloo 1 ms + 1 ms per MB. */
function calibration(): HostCalibration {
  const line = (threads: number) => [1, 2, 4, 8].map((batch) => ({ batch, threads, seconds: (0.02 + 0.05 * batch) / threads }));
  return {
    hostId: 'local', measuredAtMs: 0, origin: { kind: 'calibrate' }, software: {}, cpu: { model: 'x', cores: 2 }, power: null, missing: [], engines: [], collectives: [],
    torch: {
      python: '/usr/bin/python3', torchVersion: '1.13.0', pythonVersion: '3.11', device: 'cpu', threads: 1, model: 'bench', matmul: [],
      glooAllReduce: [4, 1e6, 16e6].map((bytes) => ({ bytes, seconds: 0.001 + bytes / 1e9 })),
      step: { forwardBackward: [...line(1), ...line(2)], optimizer: [{ threads: 1, seconds: 0.01 }, { threads: 2, seconds: 0.006 }], contention: { processes: 2, slowdown: 1.2 } },
    },
  };
}

function config(dp: number, extra: Partial<TrainConfig> = {}): TrainConfig {
  return { model, strategy: { dp, tp: 1, pp: 1 }, steps: 1, globalBatch: 8, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 0, learningRate: 1e-3, ...extra };
}

const plan = { model: { params: 1e6 }, stepTimeSeconds: 1, tflopsPerGpu: 1, modelTflopsPerGpu: 1, mfu: 0.5, energyJoulesPerStep: 10, joulesPerToken: 0.01 } as unknown as PlanResult;
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

test('dp=1 on 2 cores: one rank with both threads, the whole batch in one micro-batch, no all-reduce', () => {
  const p = torchStepPrediction(config(1), calibration(), { ranksPerHost: 1, bundledScript: true }, plan);
  assert.ok(p);
  assert.ok(near(p.timeBreakdownSeconds.compute, (0.02 + 0.4) / 2) && near(p.timeBreakdownSeconds.optimizer, 0.006), JSON.stringify(p.timeBreakdownSeconds));
  assert.equal(p.timeBreakdownSeconds.communication, 0);
  assert.ok(near(p.stepTimeSeconds, 0.21 + 0.006));
  assert.ok(near(p.mfu, 0.5 / p.stepTimeSeconds), 'rates follow the step time');
});

test('dp=2 on 2 cores: 1 thread each at half the batch, micro-batches summed, slowed x1.2, then the gradient and loss all-reduces', () => {
  const p = torchStepPrediction(config(2, { microBatches: 2 }), calibration(), { ranksPerHost: 2, bundledScript: true }, plan);
  assert.ok(p);
  assert.ok(near(p.timeBreakdownSeconds.compute, 2 * (0.02 + 0.1) * 1.2), String(p.timeBreakdownSeconds.compute));
  assert.ok(near(p.timeBreakdownSeconds.communication, (0.001 + 4e6 / 1e9) + (0.001 + 4 / 1e9)), String(p.timeBreakdownSeconds.communication));
  assert.ok(p.gaps.some((g) => /lockstep jitter not calibrated/.test(g)), p.gaps.join('; '));
  // with the host's lockstep jitter, the ranks also wait for each other at the sync: 10% of their compute
  const jittery = torchStepPrediction(config(2, { microBatches: 2 }), { ...calibration(), lockstep: { groupSize: 2, segmentSeconds: 0.05, waitFraction: 0.1 } }, { ranksPerHost: 2, bundledScript: true }, plan);
  const compute = 2 * (0.02 + 0.1) * 1.2 + 0.01;
  assert.ok(jittery && near(jittery.timeBreakdownSeconds.communication - p.timeBreakdownSeconds.communication, 0.1 * compute), String(jittery?.timeBreakdownSeconds.communication));
  assert.match(p.note, /micro-batch 2, 1 thread\(s\), x1\.20 for 2 ranks at once/);
});

test('what the probe did not time is not predicted from it: a user script, TP/PP, another model, no step figures', () => {
  assert.equal(torchStepPrediction(config(2), calibration(), { ranksPerHost: 2, bundledScript: false }, plan), null);
  assert.equal(torchStepPrediction({ ...config(1), strategy: { dp: 1, tp: 2, pp: 1 } }, calibration(), { ranksPerHost: 2, bundledScript: true }, plan), null);
  assert.equal(torchStepPrediction({ ...config(1), model: { ...model, name: 'tiny' } }, calibration(), { ranksPerHost: 1, bundledScript: true }, plan), null);
  const old = calibration();
  delete old.torch?.step;
  assert.equal(torchStepPrediction(config(1), old, { ranksPerHost: 1, bundledScript: true }, plan), null);
});

test('a contention below 1 is taken as 1 and said; a thread count not measured is read at the nearest and said', () => {
  const c = calibration();
  if (c.torch?.step) c.torch.step.contention = { processes: 2, slowdown: 0.9 };
  const p = torchStepPrediction(config(4), c, { ranksPerHost: 4, bundledScript: true }, plan);
  assert.ok(p);
  assert.ok(p.gaps.some((g) => /contention measured below 1/.test(g)) && p.gaps.some((g) => /not measured: read at 1/.test(g)) === false, p.gaps.join('; '));
  const wide = { ...c, cpu: { model: 'x', cores: 16 } };
  const q = torchStepPrediction(config(1), wide, { ranksPerHost: 1, bundledScript: true }, plan);
  assert.ok(q?.gaps.some((g) => /at 16 thread\(s\) not measured: read at 2/.test(g)), q?.gaps.join('; '));
});
