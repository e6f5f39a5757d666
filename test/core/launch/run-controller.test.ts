/** The run controller against real worker processes: a run, a dying rank, a cancel; nothing left running. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { runTraining } from '../../../src-main/core/launch/run-controller.js';
import { localSpawner, type SpawnRequest, type Spawner } from '../../../src-main/core/launch/spawner.js';
import { isAlive } from '../../support/processes.js';

const workerPath = join(__dirname, '..', '..', '..', 'dist', 'worker.cjs');
const model = { name: 'small', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 };

function config(strategy: TrainConfig['strategy'], steps: number): TrainConfig {
  return { model, strategy, steps, globalBatch: 8, microBatches: strategy.pp > 1 ? 2 : 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 1, learningRate: 3e-3 };
}

/** The real local spawner, recording what it was asked to start. */
function recordingSpawner(requests: SpawnRequest[]): Spawner {
  return (request) => {
    requests.push(request);
    return localSpawner(request);
  };
}

test('a dp2 x pp2 run reports every step, the summary and per-rank shards; the secret stays out of argv', async () => {
  assert.ok(existsSync(workerPath), 'dist/worker.cjs is built (npm test builds it)');
  const requests: SpawnRequest[] = [];
  const progress: number[] = [];
  const summary = await runTraining({ config: config({ dp: 2, tp: 1, pp: 2 }, 3), workerPath, spawner: recordingSpawner(requests), onProgress: (p) => progress.push(p.step) });
  assert.deepEqual(progress, [0, 1, 2]);
  assert.equal(summary.losses.length, 3);
  assert.ok(summary.losses.every(Number.isFinite));
  assert.equal(summary.loss, summary.losses[2]);
  assert.ok(summary.tokensPerSecond > 0);
  assert.ok(summary.bytes.allReduce.sent > 0 && summary.bytes.send.sent > 0, 'DP all-reduce and pipeline sends were counted');
  assert.equal(summary.paramsPerRank.length, 4);
  assert.equal(requests.length, 4);
  for (const request of requests) {
    const secret = request.env.SHARDSCOPE_RUN_SECRET;
    assert.ok(secret && secret.length >= 32);
    assert.ok(!request.args.some((a) => a.includes(secret)), 'the run secret is never on a command line');
  }
});

test('killing one worker mid-run fails the run naming that rank, and no worker remains', async () => {
  let pids: Array<{ rank: number; pid: number }> = [];
  let killed = false;
  const run = runTraining({
    config: config({ dp: 2, tp: 1, pp: 1 }, 100000), workerPath, killGraceMs: 2000,
    onStarted: (ranks) => { pids = ranks; },
    onEvent: (event) => {
      if (!killed && event.type === 'step' && event.rank === 1 && event.step >= 1) {
        killed = true;
        process.kill(pids[1].pid, 'SIGKILL');
      }
    },
  });
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof ShardScopeError);
    assert.equal(error.kind, 'worker-exit');
    assert.match(error.message, /rank 1\b.*SIGKILL/);
    return true;
  });
  assert.ok(killed);
  for (const { rank, pid } of pids) assert.ok(!isAlive(pid), `rank ${rank} (pid ${pid}) is gone`);
});

test('a SIGSTOPped rank ends the run within 10 s naming that rank (heartbeats), and no worker remains', async () => {
  let pids: Array<{ rank: number; pid: number }> = [];
  let stoppedAtMs = 0;
  const run = runTraining({
    config: config({ dp: 2, tp: 1, pp: 1 }, 100000), workerPath, killGraceMs: 2000,
    onStarted: (ranks) => { pids = ranks; },
    onEvent: (event) => {
      if (stoppedAtMs === 0 && event.type === 'step' && event.rank === 1 && event.step >= 1) {
        stoppedAtMs = Date.now();
        process.kill(pids[1].pid, 'SIGSTOP');
      }
    },
  });
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof ShardScopeError);
    assert.equal(error.kind, 'worker-exit');
    // A local rank is named by its device only, like every other local failure (no "host local").
    assert.match(error.message, /rank 1 \(cpu:\d+, pid \d+\) stopped responding/);
    return true;
  });
  const elapsedMs = Date.now() - stoppedAtMs;
  assert.ok(elapsedMs < 10_000, `the run ended ${elapsedMs} ms after the SIGSTOP`);
  for (const { rank, pid } of pids) assert.ok(!isAlive(pid), `rank ${rank} (pid ${pid}) is gone`);
});

test('aborting the signal (Ctrl-C) stops every rank', async () => {
  let pids: Array<{ rank: number; pid: number }> = [];
  const controller = new AbortController();
  const run = runTraining({
    config: config({ dp: 1, tp: 2, pp: 1 }, 100000), workerPath, signal: controller.signal,
    onStarted: (ranks) => { pids = ranks; },
    onProgress: (p) => { if (p.step === 1) controller.abort(); },
  });
  await assert.rejects(run, (error: unknown) => error instanceof ShardScopeError && error.kind === 'cancelled');
  assert.equal(pids.length, 2);
  for (const { rank, pid } of pids) assert.ok(!isAlive(pid), `rank ${rank} (pid ${pid}) is gone`);
});

test('a worker that rejects its configuration fails the run with its reason', async () => {
  const bad = { ...config({ dp: 1, tp: 1, pp: 1 }, 2), dataPath: join(__dirname, 'no-such-corpus.txt') };
  await assert.rejects(runTraining({ config: bad, workerPath }), (error: unknown) => {
    assert.ok(error instanceof ShardScopeError);
    assert.match(error.message, /rank 0 .*cannot read training data/);
    return true;
  });
});
