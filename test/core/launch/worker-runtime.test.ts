/** The worker runtime choice (issue 19.1): plain Node runs workers itself; Electron never starts itself as a worker. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { bundledNodePath, currentWorkerRuntime, workerRuntimeFor } from '../../../src-main/core/launch/worker-runtime.js';

const electronApp = '/opt/ShardScope/shardscope';
const resources = '/opt/ShardScope/resources';

test('plain Node (CLI, web mode): the running Node.js, shippable to hosts', () => {
  assert.deepEqual(workerRuntimeFor({ execPath: '/usr/bin/node' }), { command: '/usr/bin/node', env: {}, source: 'node', shippableNodePath: '/usr/bin/node' });
  assert.equal(currentWorkerRuntime().command, process.execPath);
});

test('packaged desktop app: the bundled Node.js from resources, never the app binary', () => {
  const bundled = bundledNodePath(resources, 'linux');
  assert.equal(bundled, '/opt/ShardScope/resources/node/bin/node');
  const runtime = workerRuntimeFor({ execPath: electronApp, electronVersion: '33.0.0', resourcesPath: resources, isPackaged: true, platform: 'linux' }, (p) => p === bundled);
  assert.deepEqual(runtime, { command: bundled, env: {}, source: 'bundled-node', shippableNodePath: bundled });
  assert.equal(bundledNodePath(resources, 'win32'), '/opt/ShardScope/resources/node/bin/node.exe');
});

test('packaged app without its Node.js: one clear error instead of starting a second app', () => {
  assert.throws(() => workerRuntimeFor({ execPath: electronApp, electronVersion: '33.0.0', resourcesPath: resources, isPackaged: true }, () => false), (error: unknown) => {
    assert.ok(error instanceof ShardScopeError);
    assert.equal(error.kind, 'unavailable');
    assert.match(error.message, /resources\/node\/bin\/node.*SHARDSCOPE_NODE/);
    return true;
  });
});

test('unpackaged Electron (npm start): Electron as Node via ELECTRON_RUN_AS_NODE, nothing to ship', () => {
  const runtime = workerRuntimeFor({ execPath: '/repo/node_modules/electron/dist/electron', electronVersion: '33.0.0', resourcesPath: '/repo/node_modules/electron/dist/resources', isPackaged: false }, () => false);
  assert.deepEqual(runtime, { command: '/repo/node_modules/electron/dist/electron', env: { ELECTRON_RUN_AS_NODE: '1' }, source: 'electron-as-node', shippableNodePath: null });
});

test('SHARDSCOPE_NODE overrides the choice; a missing file is bad input', () => {
  const runtime = workerRuntimeFor({ execPath: electronApp, electronVersion: '33.0.0', isPackaged: true, env: { SHARDSCOPE_NODE: '/opt/node20/bin/node' } }, (p) => p === '/opt/node20/bin/node');
  assert.equal(runtime.command, '/opt/node20/bin/node');
  assert.equal(runtime.source, 'env');
  assert.throws(() => workerRuntimeFor({ execPath: '/usr/bin/node', env: { SHARDSCOPE_NODE: '/nope/node' } }, () => false), /SHARDSCOPE_NODE: no such file/);
});

test('the packaging puts the Node.js runtime where the app looks for it', () => {
  const root = join(__dirname, '..', '..', '..');
  const builder = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
  const block = /^extraResources:\n((?:\s+.*\n)+)/m.exec(builder)?.[1] ?? '';
  assert.match(block, /from: build\/node-runtime\n\s+to: node\n\s+filter: \["bin\/node", "bin\/node\.exe"\]/);
  assert.match(builder, /runAsNode: false/, 'the reason the app binary cannot run workers');
  // electron-builder copies build/node-runtime/bin/node to <resources>/node/bin/node: bundledNodePath's answer.
  assert.equal(bundledNodePath('/r', 'linux'), join('/r', 'node', 'bin', 'node'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.dist, /node scripts\/node-runtime\.mjs && electron-builder/);
});
