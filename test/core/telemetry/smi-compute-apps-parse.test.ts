/** The compute-apps parser on a recorded capture and on the noheader/nounits form the samplers ask for. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseComputeApps, parseUserLines, withUsers } from '../../../src-main/core/telemetry/smi-compute-apps-parse.js';
import { fixture } from '../../support/fake-nvidia-smi/fixtures.js';

test('a recorded --format=csv capture (header, units, extra fields) gives each process, its GPU and memory', () => {
  const text = readFileSync(fixture('compute-apps', 'nvgpuexp_h100-80gb-hbm3_590.48.01_compute-apps_load.csv'), 'utf8');
  const apps = parseComputeApps(text);
  assert.deepEqual(apps.map((a) => a.pid), [11327, 11328, 11345]);
  assert.equal(apps[2].usedMemoryBytes, 15690 * 1024 * 1024);
  assert.equal(apps[0].gpuUuid, 'GPU-00000000-0000-0000-0000-000000000000');
});

test('noheader,nounits rows, [N/A] memory, and lines that are not processes', () => {
  const apps = parseComputeApps('GPU-aa, 42, 100\nMIG-bb, 43, [N/A]\nNo running processes found\n\n');
  assert.deepEqual(apps, [
    { gpuUuid: 'GPU-aa', pid: 42, usedMemoryBytes: 100 * 1024 * 1024 },
    { gpuUuid: 'MIG-bb', pid: 43, usedMemoryBytes: null },
  ]);
  assert.deepEqual(parseComputeApps(''), []);
});

test('owners: `@@user PID USER` lines from the host', () => {
  const users = parseUserLines(['@@user 42 alice', 'GPU-aa, 42, 100', '@@user x bob', '@@end 0']);
  assert.deepEqual([...users], [[42, 'alice']]);
  assert.deepEqual(withUsers(parseComputeApps('GPU-aa, 42, 100\nGPU-aa, 43, 1'), users).map((p) => p.user), ['alice', undefined]);
});
