import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackendName, backendNames, initBackend } from '../../../../src-worker/engine/backend/index.js';
import { ShardScopeError } from '../../../../src-shared/errors.js';

function isInstalled(name: string): boolean {
  try {
    createRequire(`${process.cwd()}/`).resolve(name);
    return true;
  } catch {
    return false;
  }
}

test('the full chain reports every backend above the one that started, each with a one-line reason', async () => {
  const report = await initBackend(undefined, { env: {} });
  const startedAt = backendNames.indexOf(report.name);
  assert.deepEqual(report.fallbacks.map((f) => f.name), backendNames.slice(0, startedAt));
  for (const { reason } of report.fallbacks) {
    assert.ok(reason.length > 0 && !reason.includes('\n'), `reason "${reason}"`);
  }
  assert.equal(activeBackendName(), report.name === 'tensorflow-gpu' ? 'tensorflow' : report.name);
  if (!isInstalled('@tensorflow/tfjs-node-gpu')) {
    assert.match(report.fallbacks[0].reason, /tfjs-node-gpu is not installed/);
  }
  if (!isInstalled('@tensorflow/tfjs-node') && !isInstalled('@tensorflow/tfjs-node-gpu')) {
    assert.equal(report.name, 'wasm');
    assert.match(report.device, /wasm/);
    assert.equal(report.threads, 1);
  }
});

test('a preferred backend starts the chain there; SHARDSCOPE_BACKEND does the same', async () => {
  const cpu = await initBackend('cpu', { env: {} });
  assert.deepEqual({ name: cpu.name, fallbacks: cpu.fallbacks, active: activeBackendName() }, { name: 'cpu', fallbacks: [], active: 'cpu' });
  const wasm = await initBackend(undefined, { env: { SHARDSCOPE_BACKEND: 'wasm' } });
  assert.deepEqual({ name: wasm.name, fallbacks: wasm.fallbacks, active: activeBackendName() }, { name: 'wasm', fallbacks: [], active: 'wasm' });
});

test('the wasm backend it starts can train: the gradient of an embedding lookup runs', async () => {
  await initBackend('wasm', { env: {} });
  const grad = tf.grad((table: tf.Tensor) => tf.sum(tf.gather(table, [2, 2, 0])))(tf.ones([3, 2]));
  assert.deepEqual(Array.from(grad.dataSync()), [1, 1, 0, 0, 2, 2]);
});

test('a bad SHARDSCOPE_BACKEND or thread count is a bad-input error naming the setting', async () => {
  await assert.rejects(initBackend(undefined, { env: { SHARDSCOPE_BACKEND: 'tpu' } }),
    (error: unknown) => error instanceof ShardScopeError && error.kind === 'bad-input' && /SHARDSCOPE_BACKEND/.test(error.message));
  await assert.rejects(initBackend('wasm', { env: {}, threads: 0 }),
    (error: unknown) => error instanceof ShardScopeError && error.kind === 'bad-input');
});
