/** How a job's end becomes the run's end: cancelled here or elsewhere, time limit, failure, before or after it started. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SlurmJobStatus } from '../../../src-shared/slurm.js';
import { endedError } from '../../../src-main/core/slurm/slurm-run.js';

const status = (state: string, reason: string | null = null): SlurmJobStatus => ({ jobId: '42', state, reason, nodes: ['node1'], exitCode: null, elapsedSeconds: 3 });

test('each final state of the job ends the run with a kind and a message naming the job', () => {
  const timeout = endedError(status('TIMEOUT', 'TimeLimit'), '42', false, false);
  assert.deepEqual([timeout.kind, timeout.message], ['worker-exit', 'slurm job 42 reached its time limit (TIMEOUT)']);
  const here = endedError(status('CANCELLED'), '42', true, true);
  assert.deepEqual([here.kind, here.message], ['cancelled', 'run cancelled: slurm job 42 cancelled (scancel) before it started']);
  const elsewhere = endedError(status('CANCELLED'), '42', false, false);
  assert.deepEqual([elsewhere.kind, elsewhere.message], ['cancelled', 'slurm job 42 was cancelled outside ShardScope']);
  const rank = new ShardScopeError('worker-exit', 'rank 1 (host node2, gpu0) exited with code 3; all ranks stopped');
  const failed = endedError(status('FAILED', 'NonZeroExitCode'), '42', false, false, rank);
  assert.equal(failed.message, 'slurm job 42 ended FAILED (NonZeroExitCode): rank 1 (host node2, gpu0) exited with code 3; all ranks stopped');
  assert.equal(endedError(status('NODE_FAIL'), '42', false, false).message, 'slurm job 42 ended NODE_FAIL');
  assert.equal(endedError(status('COMPLETED'), '42', false, false, rank), rank, 'a job that completed keeps the rank\'s own error');
});
