/** Learning from a run: a run across hosts refines only the cross-host figures of the groups that crossed, never this host's own compute or collectives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { EnginePrediction } from '../../../src-shared/calibration/engine-prediction.js';
import { refineFromRun, refineTorchFromRun } from '../../../src-shared/calibration/refine-from-run.js';
import type { TorchStepPrediction } from '../../../src-shared/calibration/torch-prediction.js';

const previous: HostCalibration = {
  id: 7, hostId: 'local', measuredAtMs: 0, origin: { kind: 'calibrate' }, software: {}, cpu: { model: 'x', cores: 2 }, power: null, missing: [],
  engines: [{ engine: 'tfjs', backend: 'wasm', device: 'cpu', model: { name: 'bench', layers: 1, hidden: 8, heads: 1, vocab: 8, seqLen: 4 }, matmul: [],
    segments: [{ segment: 'fused', tp: 1, batch: 1, seconds: 1, frameworkPeakBytes: 0 }], adamSecondsPerElement: 1e-9, refreshSecondsPerElement: 0,
    memoryBandwidthBytesPerSecond: 1e10, runtimeBaselineBytes: 0, activationResidentFraction: 1, segmentedOverheadBytes: 0, concurrency: [] }],
  collectives: [
    { op: 'allReduce', groupSize: 2, scope: 'host', bytes: 1e6, seconds: 0.01 },
    { op: 'allReduce', groupSize: 2, scope: 'cross-host', bytes: 1e6, seconds: 0.02 },
  ],
};

function prediction(crossHost: boolean): EnginePrediction {
  return {
    kind: 'engine-calibrated', basis: { hostId: 'local', calibrationId: 7, measuredAtMs: 0, origin: 'shardscope calibrate', engine: 'tfjs', backend: 'wasm' },
    stepTimeSeconds: 1.1, tokensPerSecond: 1, timeBreakdownSeconds: { compute: 1, communication: 0.1, bubble: 0 }, bubbleFraction: 0,
    commBytesPerStepPerGpu: { dp: 1e6, tp: 0, pp: 0 }, memoryPerGpuBytes: {} as EnginePrediction['memoryPerGpuBytes'], ranks: [], gaps: [],
    crossHost: { dp: crossHost, tp: false, pp: false },
  };
}

const near = (actual: number | undefined, expected: number) => assert.ok(Math.abs((actual ?? NaN) - expected) < 1e-12, `${actual} ≈ ${expected}`);

const measured = { computeSeconds: 2, communicationSecondsByParallelism: { dp: 0.3, tp: 0, pp: 0 } };

test('a run on this host alone moves its compute and its host collectives half way', () => {
  const refined = refineFromRun(previous, prediction(false), measured, 'run-1', 1) as HostCalibration;
  near(refined.engines[0].segments[0].seconds, 1.5);
  near(refined.collectives.find((c) => c.scope === 'host')?.seconds, 0.02);
  near(refined.collectives.find((c) => c.scope === 'cross-host')?.seconds, 0.02);
});

test('a run whose DP group crossed hosts moves only the cross-host all-reduce, not this host\'s compute', () => {
  const refined = refineFromRun(previous, prediction(true), measured, 'run-2', 1) as HostCalibration;
  near(refined.engines[0].segments[0].seconds, 1);
  near(refined.collectives.find((c) => c.scope === 'host')?.seconds, 0.01);
  near(refined.collectives.find((c) => c.scope === 'cross-host')?.seconds, 0.04);
  assert.deepEqual(refined.origin, { kind: 'run', runId: 'run-2', previousId: 7 });
});

test('a torch run predicted from the script\'s step refines that step, Adam and the Gloo timings half way; the built-in engine\'s figures stay', () => {
  const withTorch: HostCalibration = { ...previous, torch: {
    python: 'python3', torchVersion: '1.13', pythonVersion: '3.11', device: 'cpu', threads: 1, model: 'bench', matmul: [],
    glooAllReduce: [{ bytes: 1e6, seconds: 0.01 }],
    step: { forwardBackward: [{ batch: 1, threads: 1, seconds: 0.1 }], optimizer: [{ threads: 1, seconds: 0.02 }], contention: { processes: 2, slowdown: 1.5 } },
  } };
  // predicted compute 0.1 + Adam 0.02 = 0.12 s, communication 0.01 s; measured 0.18 s and 0.03 s
  const torchPrediction = { kind: 'torch-calibrated', timeBreakdownSeconds: { compute: 0.1, communication: 0.01, bubble: 0, optimizer: 0.02 } } as unknown as TorchStepPrediction;
  const refined = refineTorchFromRun(withTorch, torchPrediction, { computeSeconds: 0.18, communicationSeconds: 0.03, communicationSecondsByParallelism: { dp: 0, tp: 0, pp: 0 } }, 'run-t', 5);
  assert.ok(refined);
  assert.deepEqual(refined.origin, { kind: 'run', runId: 'run-t', previousId: 7 });
  near(refined.torch?.step?.forwardBackward[0].seconds, 0.1 * 1.25);
  near(refined.torch?.step?.optimizer[0].seconds, 0.02 * 1.25);
  near(refined.torch?.glooAllReduce[0].seconds, 0.01 * 2);
  assert.equal(refined.torch?.step?.contention?.slowdown, 1.5);
  assert.deepEqual(refined.engines, withTorch.engines);
  assert.deepEqual(refined.collectives, withTorch.collectives);
  // a calibration without the step timing has nothing to refine
  assert.equal(refineTorchFromRun({ ...withTorch, torch: { ...withTorch.torch!, step: undefined } }, torchPrediction, { computeSeconds: 0.18, communicationSecondsByParallelism: { dp: 0, tp: 0, pp: 0 } }, 'run-t', 5), null);
});
