// Collective timings (as calibrate records them) become the bus-bandwidth curves a GPU spec's calibration holds, and the planner uses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busBandwidthFromTimings } from '../../../src-shared/planner/calibration-input.js';
import { gpuSpec, planStrategy } from '../../../src-shared/planner/index.js';

test('all-reduce timings give NCCL-tests bus bandwidth per size and scope; the planner reads the curve', () => {
  const MB = 1e6;
  const curves = busBandwidthFromTimings([
    { op: 'allReduce', groupSize: 8, scope: 'host', bytes: 64 * MB, seconds: 64e6 * 1.75 / 200e9 }, // 200 GB/s bus
    { op: 'allReduce', groupSize: 8, scope: 'host', bytes: 1 * MB, seconds: 1e6 * 1.75 / 50e9 },
    { op: 'allGather', groupSize: 8, scope: 'host', bytes: 1 * MB, seconds: 1e6 * 0.875 / 60e9 }, // better at 1 MB: kept
    { op: 'allReduce', groupSize: 16, scope: 'cross-host', bytes: 64 * MB, seconds: 64e6 * (30 / 16) / 20e9 },
    { op: 'allReduce', groupSize: 1, scope: 'host', bytes: 8 * MB, seconds: 0.001 }, // one rank: no bus
  ]);
  assert.deepEqual(curves.intraNodeBusBandwidth!.map((p) => [p.bytes, Math.round(p.busBytesPerSecond / 1e9)]), [[1e6, 60], [64e6, 200]]);
  assert.deepEqual(curves.interNodeBusBandwidth!.map((p) => [p.bytes, Math.round(p.busBytesPerSecond / 1e9)]), [[64e6, 20]]);
  const base = gpuSpec('h100-sxm');
  const plan = (gpu: typeof base) => planStrategy({ model: 'llama2-7b', cluster: { gpu, gpus: 16 }, strategy: { zeroStage: 1, globalBatch: 64, overlap: false } });
  const calibrated = plan({ ...base, calibration: { ...curves, source: 'test' } });
  const datasheet = plan(base);
  // 20 GB/s measured across nodes against 8 NICs x 50 GB/s x 0.8 in the catalogue: DP is far slower.
  assert.ok(calibrated.commSecondsPerStep.dp > 10 * datasheet.commSecondsPerStep.dp);
});
