/** The one reader of files named by flags: `--model ID|FILE` (engine and planner models), `--gpu`, `--hosts`; and plan --cluster using it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { ShardScopeError } from '../../src-shared/errors.js';
import { modelPresets } from '../../src-shared/engine-config.js';
import { engineModelFlag, gpuFlag, hostsFileFlag, plannerModelFlag } from '../../src-main/cli/input-files.js';
import { fakeNvidiaSmiPath, fixture } from '../support/fake-nvidia-smi/fixtures.js';
import { CLI_PATH } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'shardscope-input-files-'));
const badInput = (pattern: RegExp) => (error: unknown) => error instanceof ShardScopeError && error.kind === 'bad-input' && pattern.test(error.message);

test('engine models: a preset is a copy of the preset, a file is validated, anything else names the presets', () => {
  const preset = engineModelFlag('tiny');
  assert.equal(preset.isPreset, true);
  assert.deepEqual(preset.model, modelPresets.tiny);
  preset.model.layers = 99;
  assert.notEqual(modelPresets.tiny.layers, 99, 'callers get a copy');
  const file = join(dir, 'engine-model.json');
  writeFileSync(file, JSON.stringify({ name: 'mine', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 }));
  assert.deepEqual(engineModelFlag(file), { model: { name: 'mine', layers: 2, hidden: 32, heads: 4, vocab: 256, seqLen: 16 }, isPreset: false });
  assert.throws(() => engineModelFlag('gpt-9'), badInput(/^--model: unknown model "gpt-9" \(engine presets: tiny, bench/));
  writeFileSync(join(dir, 'wide.json'), JSON.stringify({ layers: 2, hidden: 30, heads: 4, vocab: 256, seqLen: 16 }));
  assert.throws(() => engineModelFlag(join(dir, 'wide.json')), badInput(/hidden \(30\) must be divisible by heads \(4\)/));
});

test('one JSON reader for every model and GPU file: the same one-line reasons for a broken file, a folder, /dev/zero', () => {
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"layers": 2,');
  for (const load of [engineModelFlag, plannerModelFlag]) {
    assert.throws(() => load(broken), badInput(new RegExp(`^--model: ${broken} is not valid JSON: `)));
    assert.throws(() => load(dir), badInput(/^--model: .* is a directory, not a file$/));
    assert.throws(() => load('/dev/zero'), badInput(/^--model: \/dev\/zero is not a regular file$/));
  }
  assert.throws(() => gpuFlag(broken), badInput(new RegExp(`^--gpu: ${broken} is not valid JSON: `)));
});

test('planner models: preset ids stay ids; a Hugging Face config.json is named after its folder', () => {
  assert.equal(plannerModelFlag('llama2-7b'), 'llama2-7b');
  const snapshot = join(dir, 'my-llama');
  mkdirSync(snapshot);
  writeFileSync(join(snapshot, 'config.json'), JSON.stringify({
    model_type: 'llama', num_hidden_layers: 4, hidden_size: 512, num_attention_heads: 8, vocab_size: 32000, max_position_embeddings: 1024, intermediate_size: 1376,
  }));
  const spec = plannerModelFlag(join(snapshot, 'config.json'));
  assert.equal(typeof spec === 'object' && spec.name, 'my-llama');
  assert.throws(() => plannerModelFlag('nope'), badInput(/^--model "nope" is neither a preset \(.*llama2-7b.*\) nor a readable JSON file$/));
});

test('--hosts FILE: missing, a folder, not JSON are one-line reasons naming --hosts', () => {
  assert.throws(() => hostsFileFlag(join(dir, 'none.json'), {}), badInput(/^--hosts: no such file /));
  assert.throws(() => hostsFileFlag(dir, {}), badInput(/^--hosts: .* is a directory/));
  const list = join(dir, 'hosts.json');
  writeFileSync(list, JSON.stringify(['local', { host: 'box', user: 'alice' }, { host: 'box2' }]));
  const hosts = hostsFileFlag(list, { USER: 'bob' });
  assert.deepEqual(hosts.map((h) => (h.kind === 'remote' ? h.target.user : h.kind)), ['local', 'alice', 'bob'], 'users default to $USER');
});

const run = promisify(execFile);
const noGpuPath = (process.env.PATH ?? '').split(delimiter).filter((d) => !existsSync(join(d, 'nvidia-smi'))).join(delimiter);

test('plan --cluster local loads --model FILE with the same loader as plan and run (it took preset ids only)', async () => {
  const env = { ...process.env, SHARDSCOPE_HOME: mkdtempSync(join(tmpdir(), 'shardscope-input-files-home-')), SHARDSCOPE_NVIDIA_SMI: '', PATH: noGpuPath };
  // GPUs discovered: a planner model file, as `plan --gpu` takes it
  const plannerFile = join(dir, 'small-gpt.json');
  writeFileSync(plannerFile, JSON.stringify({ name: 'small-gpt', layers: 4, hidden: 256, heads: 4, vocab: 256, seqLen: 128 }));
  const { stdout } = await run(process.execPath, [CLI_PATH, 'plan', '--model', plannerFile, '--cluster', 'local', '--nvidia-smi', fakeNvidiaSmiPath, '--global-batch', '8', '--json'], {
    env: { ...env, FAKE_SMI_XML: fixture('xml', 'netdata_rtx-4090_535.86.05_v12.xml') }, timeout: 60_000,
  });
  assert.equal(JSON.parse(stdout).model.name, 'small-gpt');
  // no GPU: an engine model file gets as far as the missing calibration (exit 1), not "unknown model" (exit 2)
  const engineFile = join(dir, 'engine-model.json');
  await assert.rejects(run(process.execPath, [CLI_PATH, 'plan', '--model', engineFile, '--cluster', 'local'], { env, timeout: 60_000 }),
    (error: { code: number; stderr: string }) => error.code === 1 && /no GPU and no calibration/.test(error.stderr));
});
