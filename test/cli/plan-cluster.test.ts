/** `plan --cluster local`: the discovered GPU (recorded nvidia-smi) is what the plan is for; without a GPU, the built-in engine on this host's calibration, never a silent catalogue guess; `--search` lists every strategy that fits the CPU slots. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { fakeNvidiaSmiPath, fixture } from '../support/fake-nvidia-smi/fixtures.js';
import type { HostCalibration } from '../../src-shared/calibration/calibration-record.js';
import { CalibrationStore } from '../../src-main/core/calibration/calibration-store.js';
import { defaultStorePath } from '../../src-main/core/store/open-store.js';
import { RunStore } from '../../src-main/core/store/run-store.js';

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

test('plan --cluster local --search on a CPU-only host lists the built-in engine\'s strategies from its calibration, as the Planner does', async () => {
  const home = mkdtempSync(join(tmpdir(), 'shardscope-plan-search-'));
  const recorded: HostCalibration = JSON.parse(readFileSync(new URL('../fixtures/calibration/local-tiny.json', import.meta.url), 'utf8'));
  const store = RunStore.open(defaultStorePath({ SHARDSCOPE_HOME: home }));
  new CalibrationStore(store.db).add({ ...recorded, id: undefined, measuredAtMs: Date.now() - 5_000 });
  store.close();
  const { stdout } = await run(process.execPath, [cli, 'plan', '--model', 'tiny', '--cluster', 'local', '--search', '--global-batch', '8', '--json'], { env: { ...env, SHARDSCOPE_HOME: home }, timeout: 60_000 });
  const listed = JSON.parse(stdout);
  assert.equal(listed.model, 'tiny');
  assert.ok(listed.candidates.length >= 1);
  assert.ok(listed.candidates.some((c: { label: string }) => c.label === 'dp=1 tp=1 pp=1'));
  for (const c of listed.candidates) assert.match(c.source.join('\n'), /local: calibration #1 of local \(shardscope calibrate, measured \d+ s ago\)/);
  assert.ok(listed.clusterNotes.some((n: string) => /^host local: no GPU/.test(n)), listed.clusterNotes.join('; '));
  const text = await run(process.execPath, [cli, 'plan', '--model', 'tiny', '--cluster', 'local', '--search'], { env: { ...env, SHARDSCOPE_HOME: home }, timeout: 60_000 });
  assert.match(text.stdout, /strategies of tiny, global batch 8, on \d+ slot\(s\)/);
  assert.match(text.stdout, /dp=1 tp=1 pp=1 +local x1: step [\d.]+ (ms|s), \d+ tokens\/s, peak .* per rank \(process peak resident memory \(VmHWM\)\)/);
  await assert.rejects(run(process.execPath, [cli, 'plan', '--model', 'gpt2-small', '--cluster', 'local', '--search'], { env: { ...env, SHARDSCOPE_HOME: home }, timeout: 60_000 }),
    (error: { code: number; stderr: string }) => error.code === 2 && /--model takes one of its presets/.test(error.stderr));
});
