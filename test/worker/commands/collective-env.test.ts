/** The collectives' tuning variables are read once, by the worker commands, and reach the library as options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { COLLECTIVE_ENV, collectiveTuningFromEnv } from '../../../src-worker/commands/collective-env.js';
import { freePort, TEST_SECRET } from '../collective/support/spawn-ranks.js';
import { WORKER_PATH } from '../../support/paths.js';

test('SHARDSCOPE_COLLECTIVE_* variables become CollectiveTuning fields; unset or empty ones leave the defaults', () => {
  assert.deepEqual(collectiveTuningFromEnv({}), {});
  assert.deepEqual(collectiveTuningFromEnv({ SHARDSCOPE_COLLECTIVE_ALGO: '', SHARDSCOPE_COLLECTIVE_SIMD: '' }), {});
  assert.deepEqual(collectiveTuningFromEnv({
    SHARDSCOPE_COLLECTIVE_ALGO: 'ring', SHARDSCOPE_COLLECTIVE_COPY_READS: '1', SHARDSCOPE_COLLECTIVE_SIMD: '0', SHARDSCOPE_COLLECTIVE_SCATTER_WINDOW: '4',
  }), { allReduceAlgorithm: 'ring', zeroCopyReads: false, simdSum: false, scatterWindowSegments: 4 });
  assert.deepEqual(collectiveTuningFromEnv({ SHARDSCOPE_COLLECTIVE_COPY_READS: '0', SHARDSCOPE_COLLECTIVE_SIMD: '1' }), { zeroCopyReads: true, simdSum: true });
});

test('a value a variable cannot take is refused with bad-input naming the variable', () => {
  const cases: Array<[string, string]> = [
    [COLLECTIVE_ENV.allReduceAlgorithm, 'fastest'], [COLLECTIVE_ENV.copyReads, 'yes'], [COLLECTIVE_ENV.simdSum, 'true'],
    [COLLECTIVE_ENV.scatterWindowSegments, '0'], [COLLECTIVE_ENV.scatterWindowSegments, '2.5'],
  ];
  for (const [name, value] of cases) {
    assert.throws(() => collectiveTuningFromEnv({ [name]: value }),
      (error: unknown) => error instanceof ShardScopeError && error.kind === 'bad-input' && error.message.startsWith(`${name} must be`) && error.message.includes(`"${value}"`));
  }
});

/** Runs a 2-rank `bench-allreduce-rank` (the worker command behind `shardscope bench allreduce`) with extra environment. */
async function benchRanks(extraEnv: Record<string, string>): Promise<Array<{ code: number | null; stdout: string; stderr: string }>> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, SHARDSCOPE_RUN_SECRET: TEST_SECRET };
  for (const name of Object.values(COLLECTIVE_ENV)) delete env[name];
  return Promise.all([0, 1].map((rank) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [WORKER_PATH, 'bench-allreduce-rank', '--rank', String(rank), '--world', '2', '--master-port', String(port), '--sizes-mb', '1', '--reps', '2'],
      { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  })));
}

test('the benchmark rank reads the variables: zero-copy by default, copying with SHARDSCOPE_COLLECTIVE_COPY_READS=1', async () => {
  for (const [env, readPath] of [[{}, 'zero-copy'], [{ SHARDSCOPE_COLLECTIVE_COPY_READS: '1', SHARDSCOPE_COLLECTIVE_ALGO: 'ring' }, 'copying']] as const) {
    const [rank0, rank1] = await benchRanks(env);
    assert.equal(rank0.code, 0, rank0.stderr);
    assert.equal(rank1.code, 0, rank1.stderr);
    const line = JSON.parse(rank0.stdout.trim()) as { bytes: number; busbwGBps: number; readPath: string };
    assert.equal(line.bytes, 1048576);
    assert.ok(line.busbwGBps > 0);
    assert.equal(line.readPath, readPath, JSON.stringify(env));
  }
});

test('a bad variable stops every benchmark rank with exit 2 and a one-line message before any rendezvous', async () => {
  const ranks = await benchRanks({ SHARDSCOPE_COLLECTIVE_ALGO: 'fastest' });
  ranks.forEach(({ code, stdout, stderr }, rank) => {
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `shardscope-worker bench-allreduce-rank ${rank}: bad-input: SHARDSCOPE_COLLECTIVE_ALGO must be one of auto, ring, direct, got "fastest"\n`);
  });
});

test('the train command refuses a bad variable with a bad-input error event before it trains', async () => {
  const config = {
    model: { name: 'small', layers: 1, hidden: 16, heads: 2, vocab: 256, seqLen: 8 }, strategy: { dp: 1, tp: 1, pp: 1 }, steps: 1, globalBatch: 2,
    microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false, seed: 1, learningRate: 3e-3,
  };
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, [WORKER_PATH, 'train', '--config', JSON.stringify(config)],
      { env: { ...process.env, SHARDSCOPE_COLLECTIVE_SIMD: 'off' }, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out }));
  });
  assert.equal(code, 1);
  const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; kind?: string; message?: string });
  assert.ok(!events.some((e) => e.type === 'step'), 'no step ran');
  const error = events.find((e) => e.type === 'error');
  assert.equal(error?.kind, 'bad-input');
  assert.equal(error?.message, 'SHARDSCOPE_COLLECTIVE_SIMD must be 1 or 0, got "off"');
});
