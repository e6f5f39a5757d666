/** The job's shape of a planned run on a Slurm cluster: every node runs the same number of ranks, one GPU each. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slurmShapeOf } from '../../../src-renderer/views/planner-launch.js';

test('as many ranks per node as the planned GPUs per node allow and divide the world', () => {
  assert.deepEqual(slurmShapeOf(2, 1), { nodes: 2, gpusPerNode: 1 });
  assert.deepEqual(slurmShapeOf(16, 8), { nodes: 2, gpusPerNode: 8 });
  assert.deepEqual(slurmShapeOf(4, 8), { nodes: 1, gpusPerNode: 4 }, 'a small world fits one node');
  assert.deepEqual(slurmShapeOf(6, 4), { nodes: 2, gpusPerNode: 3 }, '4 does not divide 6: 3 per node');
  assert.deepEqual(slurmShapeOf(7, 4), { nodes: 7, gpusPerNode: 1 });
  assert.deepEqual(slurmShapeOf(2, 0), { nodes: 2, gpusPerNode: 1 }, 'no GPUs per node given: one rank per node');
});
