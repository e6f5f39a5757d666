/** A run's predicted J/token from recorded calibrations with power: loaded GPU and RAPL watts x predicted step time / tokens per step, or null with the gap said. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import { predictEnergy, type EnergyRank } from '../../../src-shared/calibration/energy-prediction.js';

/** A calibration as calibrate stores it, with the power parts given (engine figures do not matter here). */
function calibration(hostId: string, id: number, parts: Partial<HostCalibration>): HostCalibration {
  return {
    id, hostId, measuredAtMs: 1, origin: { kind: 'calibrate' }, software: {}, cpu: { model: 'x', cores: 16 }, engines: [], collectives: [],
    power: null, missing: [], ...parts,
  };
}

const gpuHost = calibration('gpu-a', 4, {
  power: { idleWatts: 40, loadedWatts: 120, source: 'RAPL package-0 (/sys/class/powercap), loaded = one calibrate workload' },
  gpuPower: {
    source: 'measured by nvidia-smi power.draw', idleWindowMs: 2000, loadedBy: 'torch 2.1 matmul on cuda',
    gpus: [
      { index: 0, uuid: 'GPU-0', idleWatts: 70, loadedWatts: 600, loadedSamples: 12, powerLimitWatts: 700 },
      { index: 1, uuid: 'GPU-1', idleWatts: 72, loadedWatts: null, loadedSamples: 0, powerLimitWatts: 700 },
    ],
  },
});
const cpuHostNoRapl = calibration('local', 2, { missing: ['CPU power: not readable on local (no RAPL counter readable under /sys/class/powercap)'] });

const gpuRanks: EnergyRank[] = [{ rank: 0, hostId: 'gpu-a', gpuIndex: 0 }, { rank: 1, hostId: 'gpu-a', gpuIndex: 1 }];

test('GPU ranks: each GPU at its loaded power plus the host CPU at its RAPL loaded power, x step time / tokens', () => {
  const e = predictEnergy({ stepTimeSeconds: 0.5, tokensPerStep: 4096, ranks: gpuRanks, calibrationOf: (h) => (h === 'gpu-a' ? gpuHost : null) });
  // GPU 1 was not under load in calibrate: it is taken at GPU 0's loaded figure, and that is said
  assert.equal(e.powerWatts, 600 + 600 + 120);
  assert.equal(e.joulesPerToken, (1320 * 0.5) / 4096);
  assert.match(e.basis ?? '', /^1320\.0 W x predicted step 0\.500 s \/ 4096 tokens per step, from GPU 0 of gpu-a 600\.0 W loaded \(from calibration #4 power, measured by nvidia-smi power\.draw\)/);
  assert.match(e.basis ?? '', /CPU of gpu-a 120\.0 W loaded \(from calibration #4 power, RAPL/);
  assert.deepEqual(e.gaps, ["GPU 1 of gpu-a: loaded power taken from GPU 0's (only GPU 0 ran the calibration's GPU workload)"]);
});

test('a GPU host without RAPL is predicted from its GPUs, saying the CPU is left out', () => {
  const noRapl = { ...gpuHost, power: null, missing: ['CPU power: not readable on gpu-a (no RAPL counter readable under /sys/class/powercap)'] };
  const e = predictEnergy({ stepTimeSeconds: 1, tokensPerStep: 1000, ranks: [gpuRanks[0]], calibrationOf: () => noRapl });
  assert.equal(e.joulesPerToken, 0.6);
  assert.deepEqual(e.gaps, ['CPU power of gpu-a left out (measured energy includes it): CPU power: not readable on gpu-a (no RAPL counter readable under /sys/class/powercap)']);
});

test('CPU ranks need RAPL: without it J/token is null and the reason said; with it the loaded package power counts', () => {
  const cpuRanks: EnergyRank[] = [{ rank: 0, hostId: 'local', gpuIndex: null }, { rank: 1, hostId: 'local', gpuIndex: null }];
  const none = predictEnergy({ stepTimeSeconds: 0.4, tokensPerStep: 512, ranks: cpuRanks, calibrationOf: () => cpuHostNoRapl });
  assert.deepEqual(none, { joulesPerToken: null, powerWatts: null, basis: null, gaps: ['no power calibration for the CPU ranks on local: CPU power: not readable on local (no RAPL counter readable under /sys/class/powercap)'] });
  const rapl = calibration('local', 3, { power: { idleWatts: 10, loadedWatts: 35, source: 'RAPL package-0' } });
  const some = predictEnergy({ stepTimeSeconds: 0.4, tokensPerStep: 512, ranks: cpuRanks, calibrationOf: () => rapl });
  assert.equal(some.joulesPerToken, (35 * 0.4) / 512, 'the package counts once however many ranks share it');
});

test('a GPU with no loaded figure anywhere on its host, or a host never calibrated, gives null with the reason', () => {
  const idleOnly = calibration('gpu-b', 7, {
    gpuPower: { source: 'measured by nvidia-smi power.draw', idleWindowMs: 2000, loadedBy: null, gpus: [{ index: 0, uuid: 'G', idleWatts: 60, loadedWatts: null, loadedSamples: 0, powerLimitWatts: 300 }] },
    missing: ['loaded GPU power not measured: no GPU engine on gpu-b (its PyTorch 1.13.1 runs on cpu)'],
  });
  const e = predictEnergy({ stepTimeSeconds: 1, tokensPerStep: 10, ranks: [{ rank: 0, hostId: 'gpu-b', gpuIndex: 0 }, { rank: 1, hostId: 'new', gpuIndex: null }], calibrationOf: (h) => (h === 'gpu-b' ? idleOnly : null) });
  assert.equal(e.joulesPerToken, null);
  assert.deepEqual(e.gaps.slice(0, 1), ['no power calibration for GPU 0 of gpu-b: loaded GPU power not measured: no GPU engine on gpu-b (its PyTorch 1.13.1 runs on cpu)']);
  assert.ok(e.gaps.includes('no power calibration: new has never been calibrated (run shardscope calibrate)'));
});
