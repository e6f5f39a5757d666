/** Known Slurm nodes: discoveries kept per login host, a partial discovery merged, a bad file refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownSlurmNodes, rememberSlurmDiscovery } from '../../../src-main/core/slurm/known-slurm-nodes.js';
import { nodeHost } from '../../../src-main/core/slurm/slurm-discover.js';
import { parseNode } from '../../../src-main/core/slurm/slurm-parse.js';
import type { SlurmClusterInfo } from '../../../src-shared/slurm.js';

const node = (name: string, state: string, partitions: string) => parseNode({ NodeName: name, State: state, Partitions: partitions, CPUTot: '8', RealMemory: '1000', Gres: 'gpu:a100:4' });
const clusterOf = (loginHost: string, atMs: number): SlurmClusterInfo => ({ loginHost, clusterName: 'c', partitions: [], nodes: [], discoveredAtMs: atMs });

test('each discovery replaces the nodes it saw, keeps the others of its login host, and leaves other clusters alone', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ss-known-')), 'slurm-clusters.json');
  assert.deepEqual(knownSlurmNodes(file), [], 'nothing known yet');
  rememberSlurmDiscovery(file, clusterOf('login1', 1000), [nodeHost('login1', node('a1', 'IDLE', 'gpu'), null), nodeHost('login1', node('a2', 'IDLE', 'gpu,debug'), null)]);
  rememberSlurmDiscovery(file, clusterOf('gw', 2000), [nodeHost('gw', node('b1', 'MIXED', 'batch'), null)]);
  // A discovery of one partition sees a2 only: a2 drained now, a1 as before.
  rememberSlurmDiscovery(file, clusterOf('login1', 3000), [nodeHost('login1', node('a2', 'IDLE+DRAIN', 'gpu,debug'), null)]);
  const known = knownSlurmNodes(file);
  assert.deepEqual(known.map((n) => [n.loginHost, n.host.id, n.partitions.join(','), n.state, n.isAvailable, n.gpuCount]).sort(), [
    ['gw', 'b1', 'batch', 'mixed', true, 4],
    ['login1', 'a1', 'gpu', 'idle', true, 4],
    ['login1', 'a2', 'gpu,debug', 'idle+drain', false, 4],
  ]);
  assert.deepEqual(knownSlurmNodes(file, 'gw').map((n) => n.host.id), ['b1']);
  assert.equal(known.find((n) => n.host.id === 'a1')!.host.gpus[0].name, 'a100');
});

test('a file that is not a Slurm clusters file is a bad-input error naming it', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ss-known-')), 'slurm-clusters.json');
  writeFileSync(file, '{"version":1,"clusters":[{"loginHost":"x"}]}');
  assert.throws(() => knownSlurmNodes(file), { kind: 'bad-input', message: new RegExp(`${file} is not a valid Slurm clusters file`) });
});
