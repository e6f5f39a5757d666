/** The app starts with the Slurm clusters discovered before: their nodes in its inventory (Cluster view) and the clusters for the Run view and the Planner. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppServices, type AppServices } from '../../../src-main/core/api/app-services.js';
import { rememberSlurmDiscovery, slurmClustersPath } from '../../../src-main/core/slurm/known-slurm-nodes.js';
import { nodeHost } from '../../../src-main/core/slurm/slurm-discover.js';
import { parseNode } from '../../../src-main/core/slurm/slurm-parse.js';
import { REPO_ROOT, WORKER_PATH } from '../../support/paths.js';

const home = mkdtempSync(join(tmpdir(), 'shardscope-known-slurm-'));
const previousHome = process.env.SHARDSCOPE_HOME;
let services: AppServices;

before(async () => {
  // A discovery of an earlier session: two nodes of login host "gw", one drained.
  const nodes = [parseNode({ NodeName: 'g1', State: 'IDLE', Partitions: 'gpu', CPUTot: '8', RealMemory: '1000', Gres: 'gpu:a100:4' }),
    parseNode({ NodeName: 'g2', State: 'IDLE+DRAIN', Partitions: 'gpu', CPUTot: '8', RealMemory: '1000', Gres: 'gpu:a100:4', Reason: 'fan' })];
  process.env.SHARDSCOPE_HOME = home;
  rememberSlurmDiscovery(slurmClustersPath(process.env), { loginHost: 'gw', clusterName: 'c1', partitions: [], nodes, discoveredAtMs: 1_000 }, nodes.map((n) => nodeHost('gw', n, null)));
  services = await startAppServices({ mode: 'web', version: 'test', sampleIntervalMs: 1000, storePath: join(home, 'store.db'), workerPath: WORKER_PATH,
    plannerThreadPath: join(REPO_ROOT, 'dist', 'planner-thread.cjs') });
});

after(async () => {
  await services?.close();
  if (previousHome === undefined) delete process.env.SHARDSCOPE_HOME;
  else process.env.SHARDSCOPE_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

test('the known nodes are in the inventory with partition and state as of their discovery, and the cluster is offered', async () => {
  const inventory = await services.handlers.getInventory();
  const slurm = inventory.hosts.filter((h) => h.slurm);
  assert.deepEqual(slurm.map((h) => [h.id, h.slurm!.loginHost, h.slurm!.partitions, h.slurm!.state, h.slurm!.reason, h.gpus.length]), [
    ['g1', 'gw', ['gpu'], 'idle', null, 4], ['g2', 'gw', ['gpu'], 'idle+drain', 'fan', 4],
  ]);
  const clusters = await services.handlers.knownSlurmClusters();
  assert.deepEqual(clusters.map((c) => [c.slurm.loginHost, c.slurm.clusterName, c.hosts.length]), [['gw', 'c1', 2]]);
});
