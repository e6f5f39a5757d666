/** `plan --cluster local`: the discovered GPU (recorded nvidia-smi) is what the plan is for; without a GPU, the built-in engine on this host's calibration, never a silent catalogue guess. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { fakeNvidiaSmiPath, fixture } from '../support/fake-nvidia-smi/fixtures.js';

const run = promisify(execFile);
const cli = join(new URL('../../', import.meta.url).pathname, 'dist/cli.cjs');
const env = {
  ...process.env,
  SHARDSCOPE_HOME: mkdtempSync(join(tmpdir(), 'shardscope-plan-cluster-')),
  SHARDSCOPE_NVIDIA_SMI: '',
  PATH: (process.env.PATH ?? '').split(delimiter).filter((dir) => !existsSync(join(dir, 'nvidia-smi'))).join(delimiter),
};

test('plan --cluster local plans for the discovered RTX 4090, mapped to its catalogue entry, dp from the GPUs', async () => {
  const { stdout } = await run(process.execPath, [cli, 'plan', '--model', 'gpt2-small', '--cluster', 'local', '--nvidia-smi', fakeNvidiaSmiPath, '--global-batch', '8', '--json'], {
    env: { ...env, FAKE_SMI_XML: fixture('xml', 'netdata_rtx-4090_535.86.05_v12.xml') }, timeout: 60_000,
  });
  const plan = JSON.parse(stdout);
  assert.equal(plan.cluster.gpus, 1);
  assert.equal(plan.strategy.dp, 1);
  assert.match(plan.cluster.gpu, /RTX 4090/);
  assert.ok(plan.clusterNotes.some((n: string) => /catalogue rtx-4090 \(matched "NVIDIA GeForce RTX 4090"/.test(n)), plan.clusterNotes.join('; '));
});

test('plan --cluster local on a host without GPU or calibration says to calibrate (exit 1); --cluster with --gpu is bad input', async () => {
  await assert.rejects(run(process.execPath, [cli, 'plan', '--model', 'bench', '--cluster', 'local'], { env, timeout: 60_000 }),
    (error: { code: number; stderr: string }) => error.code === 1 && /no GPU and no calibration of the built-in engine: run shardscope calibrate/.test(error.stderr));
  await assert.rejects(run(process.execPath, [cli, 'plan', '--model', 'bench', '--cluster', 'local', '--gpu', 'h200'], { env, timeout: 60_000 }),
    (error: { code: number; stderr: string }) => error.code === 2 && /--cluster replaces --gpu/.test(error.stderr));
});
