/** `shardscope run` checks its launch the way the app does: flags -> RunRequest -> runRequestSchema, with the app's reasons. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardScopeError } from '../../src-shared/errors.js';
import type { ApiHandlers } from '../../src-shared/api/contract.js';
import type { RunRequest } from '../../src-shared/run-live.js';
import { dispatchCall } from '../../src-main/core/api/dispatch.js';
import { runRequestOfFlags } from '../../src-main/cli/run-request-flags.js';
import { CLI_PATH } from '../support/paths.js';

const home = mkdtempSync(join(tmpdir(), 'shardscope-run-request-'));

/** The reason the app's API gives for refusing `request` at startRun (the handlers are never reached). */
async function appRefusal(request: Record<string, unknown>, method: 'startRun' | 'startSlurmRun' = 'startRun'): Promise<{ field: string; reason: string }> {
  try {
    await dispatchCall({} as ApiHandlers, method, [request]);
  } catch (error) {
    assert.ok(error instanceof ShardScopeError && error.kind === 'bad-input', String(error));
    const match = new RegExp(`^${method}: invalid arguments at 0\\.([\\w.]+): (.+)$`).exec(error.message);
    assert.ok(match, error.message);
    return { field: match[1], reason: match[2] };
  }
  throw new Error(`the app accepted ${JSON.stringify(request)}`);
}

const base = { model: 'tiny', dp: 1, tp: 1, pp: 1, steps: 20 };

// Launches the app refuses that the CLI used to start (limits the hand checks did not have), and choices it names the same way.
const cases: Array<{ flags: string[]; request: Record<string, unknown>; flag: string; field: string; method?: 'startSlurmRun' }> = [
  { flags: ['--steps', '200000'], request: { ...base, steps: 200_000 }, flag: '--steps', field: 'steps' },
  { flags: ['--global-batch', '8192'], request: { ...base, globalBatch: 8192 }, flag: '--global-batch', field: 'globalBatch' },
  { flags: ['--micro-batches', '2048'], request: { ...base, microBatches: 2048 }, flag: '--micro-batches', field: 'microBatches' },
  { flags: ['--strategy', 'dp=65'], request: { ...base, dp: 65 }, flag: '--strategy dp', field: 'dp' },
  { flags: ['--schedule', 'zigzag'], request: { ...base, schedule: 'zigzag' }, flag: '--schedule', field: 'schedule' },
  { flags: ['--engine', 'jax'], request: { ...base, engine: 'jax' }, flag: '--engine', field: 'engine' },
  // Slurm runs: checked by the app's Slurm launch schema before the login host is reached
  { flags: ['--slurm', 'local', '--partition', 'gpu;reboot'], request: { ...base, slurm: { loginHost: 'local', nodes: 1, partition: 'gpu;reboot' } }, flag: '--partition', field: 'slurm.partition', method: 'startSlurmRun' },
  { flags: ['--slurm', 'root@box!'], request: { ...base, slurm: { loginHost: 'root@box!', nodes: 1 } }, flag: '--slurm', field: 'slurm.loginHost', method: 'startSlurmRun' },
  { flags: ['--slurm', 'local', '--qos', 'a b'], request: { ...base, slurm: { loginHost: 'local', nodes: 1, qos: 'a b' } }, flag: '--qos', field: 'slurm.qos', method: 'startSlurmRun' },
];

for (const { flags, request, flag, field, method } of cases) {
  test(`run ${flags.join(' ')} is refused with the app's reason for the same launch, before anything starts`, async () => {
    const app = await appRefusal(request, method);
    assert.equal(app.field, field);
    const result = spawnSync(process.execPath, [CLI_PATH, 'run', '--model', 'tiny', ...flags], {
      encoding: 'utf8', env: { ...process.env, SHARDSCOPE_HOME: home }, timeout: 60_000,
    });
    assert.equal(result.error, undefined, `run ${flags.join(' ')} did not finish at once (it started training?)`);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '', 'no placement, no step: nothing started');
    assert.equal(result.stderr, `shardscope run: ${flag}: ${app.reason}\n`);
  });
}

test('the flags become the request the app would get (defaults as the CLI had them; the script path made absolute)', () => {
  const request: RunRequest = runRequestOfFlags({
    strategy: 'dp=2,pp=2', steps: '5', 'micro-batches': '4', schedule: 'gpipe', zero: '1', recompute: true, 'global-batch': '16',
    engine: 'torch', script: 'train.py',
  }, 'tiny');
  assert.deepEqual(request, {
    model: 'tiny', dp: 2, tp: 1, pp: 2, steps: 5, microBatches: 4, schedule: 'gpipe', zeroStage: 1, recompute: true, globalBatch: 16,
    engine: 'torch', script: join(process.cwd(), 'train.py'),
  });
  assert.deepEqual(runRequestOfFlags({}, 'bench'), {
    model: 'bench', dp: 1, tp: 1, pp: 1, steps: 20, schedule: '1f1b', zeroStage: 0, recompute: false, engine: 'tfjs',
  });
});

test('flag syntax keeps its own one-line reasons (integers, dp=D,tp=T,pp=P)', () => {
  assert.throws(() => runRequestOfFlags({ steps: '1e3' }, 'tiny'), (e: ShardScopeError) => e.kind === 'bad-input' && /^--steps must be an integer/.test(e.message));
  assert.throws(() => runRequestOfFlags({ strategy: 'dp:2' }, 'tiny'), (e: ShardScopeError) => e.kind === 'bad-input' && /^--strategy: expected dp=D,tp=T,pp=P/.test(e.message));
  assert.throws(() => runRequestOfFlags({ 'global-batch': '' }, 'tiny'), (e: ShardScopeError) => e.kind === 'bad-input' && /^--global-batch must be an integer/.test(e.message));
});
