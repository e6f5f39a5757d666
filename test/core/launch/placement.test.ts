/** Rank placement: round-robin over devices, GPU ranks pinned by CUDA_VISIBLE_DEVICES. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { deviceEnv, placeRanks } from '../../../src-main/core/launch/placement.js';

test('ranks go round-robin over the devices; by default over this host\'s cores', () => {
  assert.deepEqual(placeRanks(3, ['cuda:0', 'cuda:1']).map((p) => p.device), ['cuda:0', 'cuda:1', 'cuda:0']);
  const local = placeRanks(cpus().length + 1);
  assert.equal(local[0].device, 'cpu:0');
  assert.equal(local[cpus().length].device, 'cpu:0', 'more ranks than cores share them');
  assert.deepEqual(deviceEnv('cuda:3'), { CUDA_VISIBLE_DEVICES: '3' });
  assert.deepEqual(deviceEnv('cpu:1'), {});
});
