/** The packaged app's worker bundle and torch scripts are handed to other programs as their unpacked copies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outsideAsar } from '../../../src-main/core/launch/outside-asar.js';
import { REPO_ROOT } from '../../support/paths.js';

test('a path inside app.asar becomes the same path in app.asar.unpacked; other paths are unchanged', () => {
  assert.equal(outsideAsar('/opt/ShardScope/resources/app.asar/dist/worker.cjs'), '/opt/ShardScope/resources/app.asar.unpacked/dist/worker.cjs');
  assert.equal(outsideAsar('C:\\ShardScope\\resources\\app.asar\\dist\\worker.cjs'), 'C:\\ShardScope\\resources\\app.asar.unpacked\\dist\\worker.cjs');
  for (const path of ['/opt/ShardScope/resources/app.asar.unpacked/dist/worker.cjs', '/home/me/shardscope/dist/worker.cjs', '/srv/myapp.asar/dist/worker.cjs']) {
    assert.equal(outsideAsar(path), path);
  }
});

test('what the desktop app hands out unpacked is what electron-builder.yml unpacks', () => {
  const config = readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
  const unpacked = config.slice(config.indexOf('asarUnpack:'), config.indexOf('\n', config.indexOf('resources/torch/**')));
  for (const entry of ['dist/worker.cjs', 'dist/planner-thread.cjs', 'dist/*.wasm', 'resources/torch/**']) assert.ok(unpacked.includes(`- ${entry}`), `asarUnpack lists ${entry}`);
  const main = readFileSync(join(REPO_ROOT, 'src-main', 'app', 'main.ts'), 'utf8');
  assert.match(main, /workerPath: outsideAsar\(join\(__dirname, 'worker\.cjs'\)\)/);
  assert.match(main, /plannerThreadPath: outsideAsar\(join\(__dirname, 'planner-thread\.cjs'\)\)/);
});
