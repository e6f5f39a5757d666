/** The energy a run's prediction carries (from calibrated power, or null with the gap) and its check against the measured J/token in the report's convention. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { MeasuredFigures } from '../../../src-shared/report-schema.js';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { energyRanksOf, predictTorchRun, withPredictedEnergy, type RunPrediction } from '../../../src-main/core/runs/run-prediction.js';
import { predictionChecksOf } from '../../../src-main/core/report/report-comparison.js';

const config = {
  model: { name: 'tiny', layers: 2, hidden: 64, heads: 4, vocab: 256, seqLen: 64 },
  strategy: { dp: 2, tp: 1, pp: 1 }, globalBatch: 8, microBatches: 1, steps: 3, zeroStage: 0, recompute: false, schedule: '1f1b',
} as unknown as TrainConfig;

/** A host calibrated with torch on CUDA and both GPUs' power (the figures a GPU host's calibrate stores). */
const cudaHost: HostCalibration = {
  id: 9, hostId: 'gpu-a', measuredAtMs: 1, origin: { kind: 'calibrate' }, software: {}, cpu: { model: 'x', cores: 32 }, engines: [], collectives: [],
  power: null, missing: ['CPU power: not readable on gpu-a (no RAPL counter readable under /sys/class/powercap)'],
  torch: { python: 'python3', torchVersion: '2.1.0', pythonVersion: '3.11', device: 'cuda', threads: 8, model: 'tiny', matmul: [{ m: 64, k: 64, n: 64, flopsPerSecond: 1e13 }], glooAllReduce: [] },
  gpuPower: {
    source: 'measured by nvidia-smi power.draw', idleWindowMs: 2000, loadedBy: 'torch 2.1.0 matmul on cuda',
    gpus: [0, 1].map((index) => ({ index, uuid: `GPU-${index}`, idleWatts: 70, loadedWatts: 500 + index * 20, loadedSamples: 10, powerLimitWatts: 700 })),
  },
};

function measuredWith(joulesPerToken: number): MeasuredFigures {
  return {
    steps: 3, trainingSeconds: 1, steadyStepSeconds: 0.3, tokensPerSecond: 1000, stepTimeSecondsMean: { compute: 0.2, communication: 0.1 },
    bubbleFraction: 0, bytesSentPerStepPerRank: 0, peakMemoryPerDeviceBytes: 0, mfu: 0, energy: { joulesPerToken },
  } as unknown as MeasuredFigures;
}

test('torch ranks on a CUDA-calibrated host take one GPU each; J/token = loaded GPU watts x step time / tokens, checked against the measured one', () => {
  const prediction = predictTorchRun(config, cudaHost);
  assert.equal(prediction?.kind, 'planner-torch-calibrated');
  const ranks = energyRanksOf(2, () => 'gpu-a', 'torch', () => cudaHost);
  assert.deepEqual(ranks.map((r) => r.gpuIndex), [0, 1]);
  const withEnergy = withPredictedEnergy(prediction, config, ranks, () => cudaHost) as RunPrediction;
  const expected = ((500 + 520) * withEnergy.stepTimeSeconds) / (8 * 64);
  assert.equal(withEnergy.joulesPerToken, expected);
  assert.match(withEnergy.energy?.basis ?? '', /from GPU 0 of gpu-a 500\.0 W loaded \(from calibration #9 power, measured by nvidia-smi power\.draw\) \+ GPU 1 of gpu-a 520\.0 W/);
  assert.deepEqual(withEnergy.energy?.gaps, ['CPU power of gpu-a left out (measured energy includes it): CPU power: not readable on gpu-a (no RAPL counter readable under /sys/class/powercap)']);
  const check = predictionChecksOf(withEnergy, null, measuredWith(expected * 1.5)).find((c) => c.metric === 'joulesPerToken');
  assert.equal(check?.predicted, expected);
  assert.ok(Math.abs((check?.errorFraction ?? 0) - 0.5) < 1e-12, 'error = (measured - predicted) / predicted');
});

test('the built-in engine on a host without RAPL: J/token null with the gap, so the check has no predicted side', () => {
  const calibrated = { kind: 'engine-calibrated', stepTimeSeconds: 0.4, gaps: [] } as unknown as RunPrediction;
  const ranks = energyRanksOf(2, () => 'gpu-a', 'tfjs', () => cudaHost);
  assert.deepEqual(ranks.map((r) => r.gpuIndex), [null, null], 'built-in engine ranks compute on CPU');
  const out = withPredictedEnergy(calibrated, config, ranks, () => cudaHost) as RunPrediction;
  assert.equal(out.joulesPerToken, null);
  assert.deepEqual(out.energy?.gaps, ['no power calibration for the CPU ranks on gpu-a: CPU power: not readable on gpu-a (no RAPL counter readable under /sys/class/powercap)']);
  const check = predictionChecksOf(out, null, measuredWith(0.01)).find((c) => c.metric === 'joulesPerToken');
  assert.deepEqual([check?.predicted, check?.measured, check?.errorFraction], [null, 0.01, null]);
});

test('a catalogue prediction (no calibration) keeps the catalogue figure and says so', () => {
  const catalogue = predictTorchRun(config, null);
  assert.equal(catalogue?.kind, 'planner-catalogue');
  const out = withPredictedEnergy(catalogue, config, energyRanksOf(2, () => 'local', 'torch', () => null), () => null) as RunPrediction;
  assert.equal(out.joulesPerToken, catalogue?.joulesPerToken);
  assert.match(out.energy?.basis ?? '', /estimated by the planner from the catalogue's cpu entry/);
  assert.deepEqual(out.energy?.gaps, ['no power calibration: local has never been calibrated (run shardscope calibrate)']);
});
