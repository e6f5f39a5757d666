/** The torch engine with real PyTorch ranks (Gloo on CPU): training, a user script's environment, a killed rank, no torch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TrainConfig } from '../../../src-shared/engine-config.js';
import type { EngineEvent, StepEvent } from '../../../src-shared/engine-events.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { newRunId } from '../../../src-main/core/launch/run-controller.js';
import { referenceScriptPath } from '../../../src-main/core/launch/torch-rank-command.js';
import { runTorchTraining } from '../../../src-main/core/launch/torch-run.js';
import { isAlive, processesOfRun } from '../../support/processes.js';

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const skip = hasTorch ? false : `${python} has no torch (apt-get install -y python3-torch libopenblas0-pthread)`;

function config(steps: number, dp = 2): TrainConfig {
  return { model: { name: 'tiny', layers: 2, hidden: 64, heads: 4, vocab: 256, seqLen: 64 }, strategy: { dp, tp: 1, pp: 1 }, steps, globalBatch: 8, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 0, learningRate: 3e-3 };
}

test('2-rank DDP of the reference script trains on the shipped corpus: loss falls, comm time and bytes are measured', { skip }, async () => {
  const events: EngineEvent[] = [];
  const summary = await runTorchTraining({ config: config(40), torch: { python }, onEvent: (e) => events.push(e) });
  assert.equal(summary.worldSize, 2);
  assert.match(summary.backend, /gloo-ddp/);
  assert.equal(summary.steps, 40);
  const head = summary.losses.slice(0, 3).reduce((a, b) => a + b) / 3;
  const tail = summary.losses.slice(-10).reduce((a, b) => a + b) / 10;
  assert.ok(Math.abs(summary.losses[0] - Math.log(256)) < 0.2, `starts near ln 256: ${summary.losses[0]}`);
  assert.ok(tail < head - 1, `loss falls: ${head.toFixed(3)} -> ${tail.toFixed(3)}`);
  assert.ok(summary.tokensPerSecond > 0);
  assert.ok(summary.stepTimeSeconds.communication > 0 && summary.stepTimeSeconds.compute > 0);
  // Gradients of every parameter cross the ring once per step: 2 (n-1)/n x 4 bytes x params, plus the loss.
  const params = summary.paramsPerRank[0];
  assert.deepEqual(summary.paramsPerRank, [params, params], 'DDP replicates the model');
  assert.equal(summary.bytes.allReduce.sent, 2 * 40 * (params * 4 + 4));
  const steps = events.filter((e): e is StepEvent => e.type === 'step');
  assert.equal(steps.length, 80, 'one step event per rank per step');
  assert.ok(steps.every((s) => (s.rank === 0) === (s.loss !== null)), 'only rank 0 reports the loss');
  assert.ok(steps.every((s) => s.frameworkMemoryBytes > 0 && s.frameworkMemoryPeakBytes >= s.frameworkMemoryBytes));
});

test('a user script gets the standard torch.distributed environment, the plan and the event helper', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-torch-'));
  copyFileSync(join(dirname(referenceScriptPath()), 'shardscope_events.py'), join(dir, 'shardscope_events.py'));
  const script = join(dir, 'probe.py');
  writeFileSync(script, [
    'import json, os, sys',
    'from shardscope_events import EventWriter',
    'keys = ["MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "SHARDSCOPE_PLAN_JSON"]',
    'print("ENV " + json.dumps({"env": {k: os.environ.get(k) for k in keys}, "argv": sys.argv[1:]}), file=sys.stderr, flush=True)',
    'e = EventWriter()',
    'e.run_start(backend="probe", device="cpu", params_on_rank=1, optimizer_state_on_rank=2)',
    'e.step(0, 1.5 if e.rank == 0 else None, 8, 0.01)',
    'e.run_end(1)',
  ].join('\n'));
  const seen: Array<{ env: Record<string, string>; argv: string[] }> = [];
  const summary = await runTorchTraining({
    config: config(1), torch: { python, script },
    onLog: (_rank, line) => { if (line.startsWith('ENV ')) seen.push(JSON.parse(line.slice(4))); },
  });
  assert.equal(summary.backend, 'probe');
  assert.deepEqual(summary.losses, [1.5]);
  assert.deepEqual(seen.map((s) => s.env.RANK).sort(), ['0', '1']);
  for (const { env, argv } of seen) {
    assert.equal(env.MASTER_ADDR, '127.0.0.1');
    assert.ok(Number(env.MASTER_PORT) > 0);
    assert.deepEqual([env.WORLD_SIZE, env.LOCAL_WORLD_SIZE, env.LOCAL_RANK], ['2', '2', env.RANK]);
    const plan = JSON.parse(env.SHARDSCOPE_PLAN_JSON);
    assert.deepEqual([plan.engine, plan.dp, plan.tp, plan.pp, plan.globalBatch, plan.microBatch], ['torch', 2, 1, 1, 8, 4]);
    assert.deepEqual(argv.slice(0, 4), ['--dp', '2', '--tp', '1']);
  }
});

test('a plain torch.distributed script without any ShardScope code runs and ends cleanly', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-plain-'));
  const script = join(dir, 'plain.py');
  writeFileSync(script, [
    'import torch, torch.distributed as dist',
    'dist.init_process_group("gloo")',
    't = torch.ones(4) * (dist.get_rank() + 1)',
    'dist.all_reduce(t)',
    'assert t.tolist() == [3.0] * 4, t',
    'print("reduced", t.tolist())',
    'dist.destroy_process_group()',
  ].join('\n'));
  const logs: string[] = [];
  const summary = await runTorchTraining({ config: config(1), torch: { python, script }, onLog: (_rank, line) => logs.push(line) });
  assert.equal(summary.worldSize, 2);
  assert.equal(logs.filter((l) => l.startsWith('reduced [3.0')).length, 2, 'both ranks all-reduced and their output reached the log');
});

test('killing one rank ends the run on every rank, naming it; no python process of the run is left', { skip }, async () => {
  const runId = newRunId();
  let pids: number[] = [];
  let killed = false;
  const run = runTorchTraining({
    config: config(100_000), runId, torch: { python }, killGraceMs: 2000,
    onStarted: (ranks) => { pids = ranks.map((r) => r.pid); },
    onProgress: (p) => {
      if (p.step >= 2 && !killed) {
        killed = true;
        assert.ok(processesOfRun(runId).length >= 2, 'both ranks are found by their run id while running');
        process.kill(pids[1], 'SIGKILL');
      }
    },
  });
  await assert.rejects(run, (error: unknown) => error instanceof ShardScopeError && error.kind === 'worker-exit' && /rank 1 .*SIGKILL.*all ranks stopped/.test(error.message));
  assert.ok(killed);
  assert.deepEqual(processesOfRun(runId), [], 'no process of the run is left');
});

test('a SIGSTOPped torch rank ends the run within 10 s naming it (heartbeats from its helper), and no process of the run is left', { skip }, async (t) => {
  const runId = newRunId();
  let pids: Array<{ rank: number; pid: number }> = [];
  let stoppedAtMs = 0;
  const run = runTorchTraining({
    config: config(100_000), runId, torch: { python }, killGraceMs: 2000,
    onStarted: (ranks) => { pids = ranks; },
    onEvent: (event) => {
      if (stoppedAtMs === 0 && event.type === 'step' && event.rank === 1 && event.step >= 2) {
        stoppedAtMs = Date.now();
        process.kill(pids[1].pid, 'SIGSTOP');
      }
    },
  });
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof ShardScopeError, String(error));
    assert.equal(error.kind, 'worker-exit');
    assert.match(error.message, new RegExp(`rank 1 \\(cpu:1, pid ${pids[1].pid}\\) stopped responding: no heartbeat`));
    return true;
  });
  const elapsedMs = Date.now() - stoppedAtMs;
  t.diagnostic(`the run ended ${elapsedMs} ms after the SIGSTOP`);
  assert.ok(stoppedAtMs > 0 && elapsedMs < 10_000, `the run ended ${elapsedMs} ms after the SIGSTOP`);
  for (const { rank, pid } of pids) assert.ok(!isAlive(pid), `rank ${rank} (pid ${pid}) is gone`);
  assert.deepEqual(processesOfRun(runId), [], 'no process of the run is left');
});

test('heartbeats keep a quiet rank alive past the timeout and never split a line the script prints', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-quiet-'));
  const script = join(dir, 'quiet.py');
  // A half-written line for longer than a heartbeat interval, then 7 s without any output (the watch gives up after 6 s).
  writeFileSync(script, 'import sys, time\nsys.stdout.write("half-")\nsys.stdout.flush()\ntime.sleep(1.5)\nprint("line")\ntime.sleep(7)\nprint("done")\n');
  const logs: string[] = [];
  const events: EngineEvent[] = [];
  const summary = await runTorchTraining({ config: config(1), torch: { python, script }, onLog: (_rank, line) => logs.push(line), onEvent: (e) => events.push(e) });
  assert.equal(summary.worldSize, 2);
  assert.equal(logs.filter((l) => l === 'half-line').length, 2, `each rank's line arrives whole: ${JSON.stringify(logs)}`);
  assert.equal(logs.filter((l) => l === 'done').length, 2);
  assert.ok(logs.every((l) => !l.includes('heartbeat')), 'heartbeats are not logged');
  assert.ok(events.every((e) => (e.type as string) !== 'heartbeat'), 'heartbeats are not passed on as events');
});

test('no usable Python or torch is one `unavailable` line naming what to install, before any rank starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-notorch-'));
  // An interpreter that exists but cannot see site packages (so no torch): python -I -S.
  const bare = join(dir, 'python-bare');
  writeFileSync(bare, `#!/bin/sh\nexec ${python} -I -S "$@"\n`);
  chmodSync(bare, 0o755);
  for (const candidate of [join(dir, 'no-such-python'), ...(hasTorch ? [bare] : [])]) {
    let started = false;
    await assert.rejects(runTorchTraining({ config: config(2), torch: { python: candidate }, onStarted: () => { started = true; } }), (error: unknown) => {
      assert.ok(error instanceof ShardScopeError && error.kind === 'unavailable', String(error));
      assert.equal(error.message.split('\n').length, 1);
      assert.match(error.message, /python3-torch/);
      assert.ok(error.message.includes(candidate));
      return true;
    });
    assert.equal(started, false);
  }
});
