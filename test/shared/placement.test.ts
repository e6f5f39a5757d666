/** The placement preview: devices and backends per rank, and the reason whenever GPUs stay idle. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlacement, previewPlacement, type PlacementHostFacts } from '../../src-shared/placement.js';

const ranks = [{ rank: 0, host: 'local' }, { rank: 1, host: 'local' }, { rank: 2, host: 'gpu3' }];

test('built-in engine: tfjs-node-gpu here puts ranks on cuda:0; SSH hosts run wasm, with the reason where they have GPUs', () => {
  const facts: Record<string, PlacementHostFacts> = {
    local: { host: 'local', isLocal: true, gpuCount: 2, tfjs: { backend: 'tensorflow-gpu', gpuReason: null } },
    gpu3: { host: 'gpu3', isLocal: false, gpuCount: 8 },
  };
  const preview = previewPlacement('tfjs', ranks, facts);
  assert.deepEqual(preview.rows.map((r) => `${r.rank} ${r.host} ${r.device} ${r.backend}`), ['0 local cuda:0 tfjs-node-gpu', '1 local cuda:0 tfjs-node-gpu', '2 gpu3 cpu wasm']);
  assert.equal(preview.notes.length, 1);
  assert.match(preview.notes[0].message, /^gpu3 has 8 GPUs but its 1 rank will run on the CPU: .*PyTorch engine/);
});

test('built-in engine without tfjs-node-gpu on a GPU host says so and what would change it; a GPU-less host gets no note', () => {
  const preview = previewPlacement('tfjs', ranks, {
    local: { host: 'local', isLocal: true, gpuCount: 2, tfjs: { backend: 'wasm', gpuReason: '@tensorflow/tfjs-node-gpu is not installed (optional dependency)' } },
    gpu3: { host: 'gpu3', isLocal: false, gpuCount: 0 },
  });
  assert.deepEqual(preview.notes.map((n) => n.message), ['local has 2 GPUs but its 2 ranks will run on the CPU: tfjs-node-gpu is not installed on local — use the PyTorch engine or install @tensorflow/tfjs-node-gpu with CUDA']);
});

test('torch engine: CUDA hosts give cuda:(local rank mod devices); PyTorch without CUDA, or not asked yet, is explained', () => {
  const cuda = previewPlacement('torch', ranks, {
    local: { host: 'local', isLocal: true, gpuCount: 2, torch: { hasCuda: true, cudaDeviceCount: 2, torchVersion: '2.3' } },
    gpu3: { host: 'gpu3', isLocal: false, gpuCount: 4, torch: { hasCuda: false, cudaDeviceCount: 0, torchVersion: '1.13' } },
  });
  assert.deepEqual(cuda.rows.map((r) => `${r.device} ${r.backend}`), ['cuda:0 torch CUDA', 'cuda:1 torch CUDA', 'cpu torch CPU']);
  assert.deepEqual(cuda.notes.map((n) => n.host), ['gpu3']);
  assert.match(cuda.notes[0].message, /PyTorch 1\.13 on gpu3 has no CUDA/);
  const unknown = previewPlacement('torch', ranks, { local: { host: 'local', isLocal: true, gpuCount: 2 } });
  assert.match(unknown.notes[0].message, /checked at launch/);
  assert.deepEqual(formatPlacement(unknown).slice(0, 2), ['placement (torch): rank -> host -> device -> backend', '  rank 0 -> local -> cpu -> torch CPU']);
});
