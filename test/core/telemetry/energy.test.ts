import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GpuSample, HostSample } from '../../../src-shared/telemetry.js';
import {
  estimateCpuEnergy, integrateGpuSamples, integratePower, raplDeltaJoules, raplEnergy, runEnergy, type PowerPoint,
} from '../../../src-main/core/telemetry/energy.js';

/** A trace sampled every `intervalMs` from `fromMs` to `toMs` inclusive. */
function trace(fromMs: number, toMs: number, intervalMs: number, watts: (tMs: number) => number | null): PowerPoint[] {
  const points: PowerPoint[] = [];
  for (let t = fromMs; t <= toMs; t += intervalMs) points.push({ timestampMs: t, powerWatts: watts(t) });
  return points;
}

test('constant 300 W for 10 s at 2 Hz integrates to 3000 J with no gap', () => {
  const energy = integratePower(trace(0, 10_000, 500, () => 300));
  assert.ok(Math.abs(energy.energyJoules - 3000) < 1e-9);
  assert.equal(energy.gapSeconds, 0);
  assert.equal(energy.coveredSeconds, 10);
});

test('a linear ramp is integrated exactly by the trapezoid rule, whatever the order of the points', () => {
  const ramp = trace(1_000, 11_000, 250, (t) => ((t - 1_000) / 10_000) * 400); // 0 -> 400 W over 10 s
  const energy = integratePower([...ramp].reverse());
  assert.ok(Math.abs(energy.energyJoules - 2000) < 1e-9, `${energy.energyJoules}`);
});

test('a gap longer than 3x the interval is reported as gap time and not bridged', () => {
  const points = [...trace(0, 5_000, 500, () => 100), ...trace(15_000, 20_000, 500, () => 100)];
  const energy = integratePower(points);
  assert.ok(Math.abs(energy.energyJoules - 1000) < 1e-9, `${energy.energyJoules}`);
  assert.equal(energy.gapSeconds, 10);
  assert.deepEqual(energy.gaps, [{ startMs: 5_000, endMs: 15_000 }]);
  // a jitter of 1.5x the interval is not a gap
  const jittery = integratePower([{ timestampMs: 0, powerWatts: 100 }, { timestampMs: 500, powerWatts: 100 }, { timestampMs: 1_250, powerWatts: 100 }, { timestampMs: 1_750, powerWatts: 100 }]);
  assert.equal(jittery.gapSeconds, 0);
  assert.ok(Math.abs(jittery.energyJoules - 175) < 1e-9);
});

test('missing readings (null power) are gaps too, merged with neighbouring gaps', () => {
  const energy = integratePower(trace(0, 4_000, 1_000, (t) => (t === 2_000 ? null : 50)));
  assert.equal(energy.energyJoules, 100); // 0-1 s and 3-4 s
  assert.equal(energy.gapSeconds, 2);
  assert.deepEqual(energy.gaps, [{ startMs: 1_000, endMs: 3_000 }]);
});

test('GPU samples are integrated per GPU and summed per host', () => {
  const samples: GpuSample[] = [];
  const add = (hostId: string, gpuIndex: number, watts: number) => {
    for (let t = 0; t <= 4_000; t += 500) {
      samples.push({ hostId, gpuIndex, gpuUuid: `${hostId}-${gpuIndex}`, timestampMs: t, memoryUsedBytes: 0, memoryTotalBytes: 1, utilisationPercent: 50, powerWatts: watts, temperatureCelsius: 40, smClockMhz: 1000 });
    }
  };
  add('a', 0, 100);
  add('a', 1, 200);
  add('b', 0, 50);
  const energy = integrateGpuSamples(samples);
  assert.equal(energy.perGpu.get('a/1')?.energyJoules, 800);
  assert.equal(energy.perHostJoules.get('a'), 1200);
  assert.equal(energy.perHostJoules.get('b'), 200);
  assert.equal(energy.totalJoules, 1400);
});

test('RAPL deltas survive the counter wrapping at max_energy_range_uj', () => {
  const max = 262_143_328_850;
  assert.equal(raplDeltaJoules(1_000_000, 3_000_000, max), 2);
  assert.equal(raplDeltaJoules(max - 1_000_000, 2_000_000, max), 3);
  const readings = [0, 1_000, 2_000].map((t, i) => ({
    timestampMs: t,
    domains: [{ zone: 'intel-rapl:0', name: 'package-0', energyMicrojoules: (max - 20_000_000 + i * 30_000_000) % max, maxEnergyRangeMicrojoules: max }],
  }));
  const cpu = raplEnergy(readings);
  assert.ok(Math.abs(cpu.energyJoules - 60) < 1e-6);
  assert.equal(cpu.source, 'measured');
  assert.deepEqual(cpu.power.map((p) => Math.round(p.powerWatts ?? 0)), [30, 30]);
});

test('CPU energy without RAPL is utilisation x TDP and labelled estimated', () => {
  const samples: HostSample[] = [0, 1_000, 2_000].map((t) => ({
    hostId: 'h', timestampMs: t, cpuUtilisationPercent: 25, memoryUsedBytes: 0, memoryTotalBytes: 1, networkRxBytesPerSecond: 0, networkTxBytesPerSecond: 0,
  }));
  const cpu = estimateCpuEnergy(samples, 200);
  assert.equal(cpu.source, 'estimated');
  assert.equal(cpu.energyJoules, 100);
});

test('run energy splits GPU and CPU and gives joules per step and per token', () => {
  const energy = runEnergy({ gpuJoules: 3000, cpuJoules: 1000, cpuSource: 'estimated', gapSeconds: 0, steps: 10, tokens: 4000 });
  assert.equal(energy.totalJoules, 4000);
  assert.equal(energy.joulesPerStep, 400);
  assert.equal(energy.joulesPerToken, 1);
  assert.equal(energy.cpuSource, 'estimated');
  assert.equal(runEnergy({ gpuJoules: 1, cpuJoules: 0, cpuSource: null, gapSeconds: 0, steps: 0, tokens: 0 }).joulesPerToken, null);
});
