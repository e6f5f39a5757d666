/** The sbatch script of a plan: resources as #SBATCH lines, ranks from Slurm's task ids, no secret in it; run by bash to check its words. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSbatchScript, fileWord, rankBody, RANK_VARIABLES } from '../../../src-main/core/slurm/sbatch-script.js';

const spec = (jobDir: string) => ({
  runId: 'run-1', title: 'tiny dp=4', jobDir,
  request: { nodes: 2, tasksPerNode: 2, gpusPerTask: 1, partition: 'gpu', timeLimit: '00:30:00', account: 'proj-1', qos: 'high' },
  rank: { command: '/usr/bin/env', args: ['printf', '%s|', RANK_VARIABLES.rank, RANK_VARIABLES.worldSize, `x${RANK_VARIABLES.master}`, fileWord('config.json'), "it's"], env: { A: 'b c' }, envFromFiles: { SECRET: 'secret' } },
});

test('the script asks for the plan\'s resources and limits', () => {
  const script = buildSbatchScript(spec('/shared/job'));
  for (const line of ['#SBATCH --nodes=2', '#SBATCH --ntasks-per-node=2', '#SBATCH --gpus-per-task=1', '#SBATCH --partition=gpu', '#SBATCH --time=00:30:00', '#SBATCH --account=proj-1', '#SBATCH --qos=high', '#SBATCH --output=/shared/job/job.out']) {
    assert.ok(script.split('\n').includes(line), `missing ${line}`);
  }
  assert.match(script, /^srun --kill-on-bad-exit=1 /m);
  const bare = buildSbatchScript({ ...spec('/j'), request: { nodes: 1, tasksPerNode: 1, gpusPerTask: 0 } });
  assert.doesNotMatch(bare, /--gpus-per-task|--partition|--time|--account|--qos/);
});

test('each task maps SLURM_PROCID/NTASKS/LOCALID to RANK/WORLD_SIZE/LOCAL_RANK, reads files from the job folder, and ends with its exit marker', () => {
  const jobDir = mkdtempSync(join(tmpdir(), 'ss-sbatch-'));
  writeFileSync(join(jobDir, 'config.json'), '{"a": 1}');
  writeFileSync(join(jobDir, 'secret'), 's3cret');
  const body = rankBody(spec(jobDir));
  assert.doesNotMatch(body, /s3cret/, 'the secret stays in its file');
  const env = { PATH: process.env.PATH, SLURM_PROCID: '3', SLURM_NTASKS: '4', SLURM_LOCALID: '1', SLURM_NTASKS_PER_NODE: '2', SLURM_NODEID: '1', MASTER_ADDR: '10.0.0.1', MASTER_PORT: '29500' };
  const result = spawnSync('bash', ['-c', `${body}`], { env, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, `3|4|x10.0.0.1:29500|{"a": 1}|it's|\x1eshardscope-exit 0\n`);
  const failing = rankBody({ ...spec(jobDir), rank: { ...spec(jobDir).rank, command: 'sh', args: ['-c', 'echo $LOCAL_RANK $A $SECRET; exit 3'] } });
  const check = spawnSync('bash', ['-c', failing], { env, encoding: 'utf8' });
  assert.equal(check.status, 3);
  assert.equal(check.stdout, '1 b c s3cret\n\x1eshardscope-exit 3\n');
});
