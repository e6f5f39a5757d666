/** Known Slurm nodes: discoveries kept per login host, a partial discovery merged, a bad file refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownSlurmClusters, knownSlurmNodes, rememberSlurmDiscovery } from '../../../src-main/core/slurm/known-slurm-nodes.js';
import { nodeHost } from '../../../src-main/core/slurm/slurm-discover.js';
import { parseNode } from '../../../src-main/core/slurm/slurm-parse.js';
import type { SlurmClusterInfo } from '../../../src-shared/slurm.js';

const node = (name: string, state: string, partitions: string) => parseNode({ NodeName: name, State: state, Partitions: partitions, CPUTot: '8', RealMemory: '1000', Gres: 'gpu:a100:4' });
const partition = (name: string) => ({ name, state: 'up', isDefault: false, maxTime: 'UNLIMITED', totalNodes: 2, nodes: 'a[1-2]' });
const clusterOf = (loginHost: string, atMs: number, nodes: ReturnType<typeof node>[], partitions = ['gpu', 'debug']): SlurmClusterInfo => ({ loginHost, clusterName: 'c', partitions: partitions.map(partition), nodes, discoveredAtMs: atMs });
const discovery = (loginHost: string, atMs: number, ...nodes: ReturnType<typeof node>[]) => [clusterOf(loginHost, atMs, nodes), nodes.map((n) => nodeHost(loginHost, n, null))] as const;

test('each discovery replaces the nodes it saw, keeps the others of its login host, and leaves other clusters alone', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ss-known-')), 'slurm-clusters.json');
  assert.deepEqual(knownSlurmNodes(file), [], 'nothing known yet');
  rememberSlurmDiscovery(file, ...discovery('login1', 1000, node('a1', 'IDLE', 'gpu'), node('a2', 'IDLE', 'gpu,debug')));
  rememberSlurmDiscovery(file, ...discovery('gw', 2000, node('b1', 'MIXED', 'batch')));
  // A discovery of one partition sees a2 only: a2 drained now, a1 as before.
  rememberSlurmDiscovery(file, ...discovery('login1', 3000, node('a2', 'IDLE+DRAIN', 'gpu,debug')));
  const known = knownSlurmNodes(file);
  assert.deepEqual(known.map((n) => [n.loginHost, n.host.id, n.partitions.join(','), n.state, n.isAvailable, n.gpuCount]).sort(), [
    ['gw', 'b1', 'batch', 'mixed', true, 4],
    ['login1', 'a1', 'gpu', 'idle', true, 4],
    ['login1', 'a2', 'gpu,debug', 'idle+drain', false, 4],
  ]);
  assert.deepEqual(knownSlurmNodes(file, 'gw').map((n) => n.host.id), ['b1']);
  assert.equal(known.find((n) => n.host.id === 'a1')!.host.gpus[0].name, 'a100');
  // The clusters as the app lists them: the latest discovery's time and partitions, the nodes merged.
  const clusters = knownSlurmClusters(file);
  const login1 = clusters.find((c) => c.slurm.loginHost === 'login1')!;
  assert.deepEqual([login1.slurm.discoveredAtMs, login1.slurm.partitions.map((p) => p.name), login1.slurm.nodes.map((n) => [n.name, n.state]).sort()], [3000, ['gpu', 'debug'], [['a1', 'idle'], ['a2', 'idle+drain']]]);
  assert.deepEqual(login1.hosts.map((h) => h.id).sort(), ['a1', 'a2']);
});

test('a file that is not a Slurm clusters file is a bad-input error naming it', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ss-known-')), 'slurm-clusters.json');
  writeFileSync(file, '{"version":1,"clusters":[{"loginHost":"x"}]}');
  assert.throws(() => knownSlurmNodes(file), { kind: 'bad-input', message: new RegExp(`${file} is not a valid Slurm clusters file`) });
});
