/**
 * GPU power for calibrate, read from the nvidia-smi stand-in (recorded H100 captures replayed by a real process
 * started through the local spawner): idle per GPU from the idle capture, loaded from the samples taken while a
 * workload runs (the stand-in switched to the H100 load capture when the workload starts), and what is said when
 * the workload used no GPU, when nvidia-smi is absent, or when its driver does not answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Spawner } from '../../../src-main/core/launch/spawner.js';
import { localSpawner } from '../../../src-main/core/launch/spawner.js';
import { calibrationSmiPath, measureGpuPower, torchGpuLoad } from '../../../src-main/core/calibration/measure-gpu-power.js';
import { fakeNvidiaSmiPath, fixture } from '../../support/fake-nvidia-smi/fixtures.js';

const idleCapture = fixture('query-gpu-csv', 'nvgpuexp_h100-mig-enabled_590.48.01_idle.csv'); // 71.15 W, limit 700 W
const loadCapture = fixture('query-gpu-csv', 'nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv'); // 631.95 W at 100 %

/** The local spawner with the stand-in's fixture variables (as a host's environment would hold them). */
function spawnerWith(env: Record<string, string>): Spawner {
  return (request) => localSpawner({ ...request, env: { ...request.env, ...env } });
}

test('idle power per GPU before the load and loaded power while a GPU workload runs, with the limit and source', async () => {
  const current = join(mkdtempSync(join(tmpdir(), 'shardscope-gpu-power-')), 'query.csv');
  copyFileSync(idleCapture, current);
  let workloadRan = false;
  const measured = await measureGpuPower({
    hostId: 'gpu-box', smiPath: fakeNvidiaSmiPath, idleMs: 600, intervalMs: 100,
    spawner: spawnerWith({ FAKE_SMI_QUERY_CSV: current, FAKE_SMI_REPLICATE_GPUS: '2' }),
    load: async () => {
      copyFileSync(loadCapture, current); // the GPUs go busy as the workload starts
      await new Promise((resolve) => setTimeout(resolve, 700));
      workloadRan = true;
      return 'done';
    },
    gpuLoadOf: () => ({ gpuLoad: 'the recorded H100 load' }),
  });
  assert.ok(workloadRan);
  assert.equal(measured.result, 'done');
  assert.deepEqual(measured.missing, []);
  const power = measured.gpuPower;
  assert.ok(power);
  assert.equal(power.source, 'measured by nvidia-smi power.draw');
  assert.equal(power.loadedBy, 'the recorded H100 load');
  const watts = (w: number | null) => (w === null ? null : Math.round(w * 100) / 100);
  assert.deepEqual(power.gpus.map((g) => [g.index, watts(g.idleWatts), watts(g.loadedWatts), g.powerLimitWatts]), [[0, 71.15, 631.95, 700], [1, 71.15, 631.95, 700]]);
  assert.ok(power.gpus.every((g) => g.loadedSamples >= 2), 'loaded = several busy samples');
});

test('without a GPU workload the idle figures are kept and the loaded ones are said not measured', async () => {
  const measured = await measureGpuPower({
    hostId: 'gpu-box', smiPath: fakeNvidiaSmiPath, idleMs: 300, intervalMs: 100,
    spawner: spawnerWith({ FAKE_SMI_QUERY_CSV: loadCapture }),
    load: async () => 'no python3 with torch on gpu-box',
    gpuLoadOf: torchGpuLoad,
  });
  assert.deepEqual(measured.gpuPower?.gpus.map((g) => [Math.round((g.idleWatts ?? 0) * 100) / 100, g.loadedWatts]), [[631.95, null]]);
  assert.equal(measured.gpuPower?.loadedBy, null);
  assert.deepEqual(measured.missing, ['loaded GPU power not measured: no GPU engine on gpu-box (no python3 with torch on gpu-box)']);
  const cpuTorch = torchGpuLoad({ python: 'python3', torchVersion: '1.13.1', pythonVersion: '3.11', device: 'cpu', threads: 1, model: 'tiny', matmul: [], glooAllReduce: [] });
  assert.deepEqual(cpuTorch, { noGpuLoad: 'its PyTorch 1.13.1 runs on cpu' });
});

test('no nvidia-smi on the host: no GPU figures and nothing said missing; a driver that does not answer is said', async () => {
  let ran = 0;
  const absent = await measureGpuPower({
    hostId: 'cpu-box', smiPath: '/nonexistent/nvidia-smi', idleMs: 5000, load: async () => { ran += 1; return 'x'; }, gpuLoadOf: torchGpuLoad,
  });
  assert.deepEqual([absent.gpuPower, absent.missing, ran], [null, [], 1]);
  const broken = await measureGpuPower({
    hostId: 'gpu-box', smiPath: fakeNvidiaSmiPath, idleMs: 5000, spawner: spawnerWith({ FAKE_SMI_QUERY_CSV: '' }), load: async () => { ran += 1; return 'x'; }, gpuLoadOf: torchGpuLoad,
  });
  assert.equal(broken.gpuPower, null);
  assert.equal(ran, 2, 'the workload runs whether or not the GPUs could be read');
  assert.equal(broken.missing.length, 1);
  assert.match(broken.missing[0], /^GPU power: not readable on gpu-box \(nvidia-smi exited 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
});

test('this machine reads the nvidia-smi runs use; an SSH host its own', () => {
  assert.deepEqual(calibrationSmiPath(true, { SHARDSCOPE_NVIDIA_SMI: fakeNvidiaSmiPath, PATH: '' }), { path: fakeNvidiaSmiPath });
  assert.deepEqual(calibrationSmiPath(true, { PATH: '/nonexistent' }), { path: null });
  assert.match((calibrationSmiPath(true, { SHARDSCOPE_NVIDIA_SMI: '/nonexistent/smi' }) as { error: string }).error, /SHARDSCOPE_NVIDIA_SMI \/nonexistent\/smi: not an executable file/);
  assert.deepEqual(calibrationSmiPath(false, undefined), { path: 'nvidia-smi' });
});
