/** Calibrations in the real SQLite store: appended, never overwritten; the latest per host is read; a run's refinement names what it refined. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { EnginePrediction } from '../../../src-shared/calibration/engine-prediction.js';
import { CalibrationStore } from '../../../src-main/core/calibration/calibration-store.js';
import { learnFromRun } from '../../../src-main/core/calibration/learn-from-run.js';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { energyRanksOf } from '../../../src-main/core/runs/run-prediction.js';
import { describeCalibration } from '../../../src-shared/calibration/describe-calibration.js';
import { predictEnergy } from '../../../src-shared/calibration/energy-prediction.js';

const model = { name: 'tiny', layers: 2, hidden: 64, heads: 4, vocab: 256, seqLen: 64 };

function calibration(measuredAtMs: number): HostCalibration {
  return {
    hostId: 'local', measuredAtMs, origin: { kind: 'calibrate' }, software: { node: 'x' }, cpu: { model: 'cpu', cores: 2 },
    engines: [{
      engine: 'tfjs', backend: 'wasm', device: 'cpu', model, matmul: [],
      segments: [{ segment: 'fused', tp: 1, batch: 8, seconds: 0.1, frameworkPeakBytes: 1e6 }],
      adamSecondsPerElement: 1e-9, refreshSecondsPerElement: 1e-9, memoryBandwidthBytesPerSecond: 1e10, runtimeBaselineBytes: 5e7,
      activationResidentFraction: 1, segmentedOverheadBytes: 0, concurrency: [{ processes: 1, slowdown: 1 }],
    }],
    collectives: [{ op: 'allReduce', groupSize: 2, scope: 'host', bytes: 1e6, seconds: 0.01 }, { op: 'send', groupSize: 2, scope: 'host', bytes: 1e6, seconds: 0.01 }],
    power: null, missing: [],
  };
}

test('calibrations are appended; latest reads the newest of the host; history keeps the previous', () => {
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'shardscope-cal-')), 'runs.db'));
  const calibrations = new CalibrationStore(store.db);
  assert.equal(calibrations.latest('local'), null);
  const first = calibrations.add(calibration(1000));
  const second = calibrations.add(calibration(2000));
  assert.equal(calibrations.latest('local')?.id, second.id);
  assert.deepEqual(calibrations.history('local').map((c) => c.id), [second.id, first.id]);
  assert.equal(calibrations.latest('other'), null);
  store.close();
});

test('a run that computed twice as slowly as predicted moves the segment times half way and keeps the previous record', () => {
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'shardscope-cal-')), 'runs.db'));
  const calibrations = new CalibrationStore(store.db);
  const base = calibrations.add(calibration(1000));
  const prediction = {
    kind: 'engine-calibrated', basis: { backend: 'wasm' }, timeBreakdownSeconds: { compute: 0.2, communication: 0.02, bubble: 0 },
    commBytesPerStepPerGpu: { dp: 1e6, tp: 0, pp: 0 },
  } as unknown as EnginePrediction;
  const refined = learnFromRun(calibrations, base, prediction, { computeSeconds: 0.4, communicationSecondsByParallelism: { dp: 0.02, tp: 0, pp: 0 } }, 'run-x');
  assert.ok(refined);
  assert.deepEqual(refined.origin, { kind: 'run', runId: 'run-x', previousId: base.id });
  assert.ok(Math.abs(refined.engines[0].segments[0].seconds - 0.15) < 1e-12, 'ratio 2 moves 0.1 s half way, to 0.15 s');
  assert.equal(refined.collectives[0].seconds, 0.01, 'communication measured as predicted leaves the all-reduce alone');
  assert.equal(calibrations.latest('local')?.id, refined.id);
  assert.equal(calibrations.history('local').length, 2);
  assert.equal(learnFromRun(calibrations, base, { kind: 'planner-catalogue' }, { computeSeconds: 1, communicationSecondsByParallelism: { dp: 0, tp: 0, pp: 0 } }, 'run-y'), null, 'a catalogue prediction teaches nothing');
  store.close();
});

test('a record stored before GPU power was measured (no gpuPower, the old RAPL wording) still loads, shows and predicts no energy with the reason', () => {
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'shardscope-cal-')), 'runs.db'));
  const calibrations = new CalibrationStore(store.db);
  // the JSON the third session's calibrate wrote: no gpuPower, power null, the RAPL reason in its old words
  const { id: _none, ...old } = { ...calibration(1000), missing: ['power: not readable on local (no RAPL counter readable under /sys/class/powercap; GPU power is read by nvidia-smi during runs)'] };
  store.db.prepare('INSERT INTO calibrations (host_id, measured_at_ms, record_json) VALUES (?, ?, ?)').run('local', 1000, JSON.stringify(old));
  const loaded = calibrations.latest('local');
  assert.ok(loaded);
  assert.equal(loaded.gpuPower, undefined);
  const lines = describeCalibration(loaded, 2000);
  assert.ok(lines.some((l) => l.startsWith('  missing: power: not readable on local')));
  assert.ok(!lines.some((l) => /GPU \d+ power/.test(l)), 'no GPU line for a record without GPU figures');
  const ranks = energyRanksOf(2, () => 'local', 'torch', () => loaded);
  assert.deepEqual(ranks.map((r) => r.gpuIndex), [null, null]);
  const energy = predictEnergy({ stepTimeSeconds: 0.3, tokensPerStep: 128, ranks, calibrationOf: () => loaded });
  assert.equal(energy.joulesPerToken, null);
  assert.deepEqual(energy.gaps, [`no power calibration for the CPU ranks on local: ${old.missing[0]}`]);
  store.close();
});
