/** The torch engine's rank command: standard torch.distributed environment and the plan, per host. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import type { RankPlacement } from '../../../src-main/core/launch/placement.js';
import { localRankOf, referenceScriptPath, torchRankCommand } from '../../../src-main/core/launch/torch-rank-command.js';
import { checkReferencePlan } from '../../../src-main/core/launch/torch-run.js';

const config: TrainConfig = {
  model: { name: 'tiny', layers: 2, hidden: 64, heads: 4, vocab: 256, seqLen: 64 },
  strategy: { dp: 4, tp: 1, pp: 1 }, steps: 7, globalBatch: 16, microBatches: 2, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 3, learningRate: 1e-3,
};

const twoHosts: RankPlacement[] = [
  { rank: 0, host: 'a', device: 'cuda:0' }, { rank: 1, host: 'a', device: 'cuda:1' },
  { rank: 2, host: 'b', device: 'cuda:0' }, { rank: 3, host: 'b', device: 'cuda:1' },
];

test('each rank gets MASTER_ADDR/PORT, RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE and the plan as env and args', () => {
  const build = torchRankCommand(config, { script: '/opt/train.py', helper: '/opt/shardscope_events.py', python: 'python3', pythonByHost: { b: '/venv/bin/python' }, scriptByHost: { b: '/srv/train.py' } });
  const commands = twoHosts.map((placement) => build({ placement, placements: twoHosts, worldSize: 4, runId: 'run-x', masterAddr: '10.0.0.1', masterPort: 29500 }));
  assert.deepEqual(commands.map((c) => [c.env.RANK, c.env.LOCAL_RANK, c.env.LOCAL_WORLD_SIZE, c.env.GROUP_RANK]), [['0', '0', '2', '0'], ['1', '1', '2', '0'], ['2', '0', '2', '1'], ['3', '1', '2', '1']]);
  for (const c of commands) {
    assert.equal(c.env.MASTER_ADDR, '10.0.0.1');
    assert.equal(c.env.MASTER_PORT, '29500');
    assert.equal(c.env.WORLD_SIZE, '4');
    const plan = JSON.parse(c.env.SHARDSCOPE_PLAN_JSON);
    assert.deepEqual([plan.dp, plan.tp, plan.pp, plan.globalBatch, plan.microBatch, plan.steps, plan.runId], [4, 1, 1, 16, 2, 7, 'run-x'], 'micro-batch = 16 / dp 4 / 2 micro-batches');
    assert.deepEqual(c.args.slice(c.args.indexOf('--dp')), ['--dp', '4', '--tp', '1', '--pp', '1', '--micro-batch', '2', '--global-batch', '16', '--steps', '7']);
  }
  assert.deepEqual(commands.map((c) => [c.command, c.args[2]]), [['python3', '/opt/train.py'], ['python3', '/opt/train.py'], ['/venv/bin/python', '/srv/train.py'], ['/venv/bin/python', '/srv/train.py']]);
  assert.ok(commands.every((c) => c.args[1] === '/opt/shardscope_events.py'), 'the event helper starts every script');
});

test('local ranks count only the ranks on the same host, in rank order', () => {
  const mixed: RankPlacement[] = [{ rank: 0, host: 'a', device: 'cpu:0' }, { rank: 1, host: 'b', device: 'cpu:0' }, { rank: 2, host: 'a', device: 'cpu:1' }];
  assert.deepEqual(mixed.map((p) => localRankOf(p, mixed)), [{ localRank: 0, localWorldSize: 2 }, { localRank: 0, localWorldSize: 1 }, { localRank: 1, localWorldSize: 2 }]);
});

test('the reference script ships and takes plain data parallel only', () => {
  assert.ok(existsSync(referenceScriptPath()));
  checkReferencePlan(config);
  assert.throws(() => checkReferencePlan({ ...config, strategy: { dp: 2, tp: 2, pp: 1 } }), (e: Error & { kind?: string }) => e.kind === 'bad-input' && /--script/.test(e.message));
});
