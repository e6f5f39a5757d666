import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../support/paths.js';

const run = promisify(execFile);
const root = REPO_ROOT;

test('the worker bundle runs alone in a folder with only the wasm binaries next to it (as on a remote host)', async (t) => {
  await run(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
  const dist = join(root, 'dist');
  const wasmFiles = readdirSync(dist).filter((name) => name.endsWith('.wasm'));
  assert.ok(wasmFiles.includes('tfjs-backend-wasm-simd.wasm'), `dist has ${wasmFiles.join(', ')}`);
  const host = mkdtempSync(join(tmpdir(), 'shardscope-remote-'));
  t.after(() => rmSync(host, { recursive: true, force: true }));
  for (const file of ['worker.cjs', ...wasmFiles]) copyFileSync(join(dist, file), join(host, file));

  const { stdout } = await run(process.execPath, [join(host, 'worker.cjs'), 'backend'], { cwd: host, env: { PATH: process.env.PATH } });
  const report = JSON.parse(stdout.trim()) as { name: string; active: string; checkPassed: boolean; matmul: string; fallbacks: { name: string; reason: string }[] };
  assert.equal(report.checkPassed, true);
  if (report.name === 'wasm') assert.equal(report.matmul, 'builtin', 'no OpenBLAS addon next to the bundle: the wasm kernels compute products');
  assert.ok(['wasm', 'tensorflow', 'tensorflow-gpu'].includes(report.name), `started ${report.name}`);
  if (report.name === 'wasm') assert.deepEqual(report.fallbacks.map((f) => f.name), ['tensorflow-gpu', 'tensorflow']);

  const cpu = JSON.parse((await run(process.execPath, [join(host, 'worker.cjs'), 'backend', '--backend', 'cpu'], { cwd: host })).stdout.trim());
  assert.deepEqual({ name: cpu.name, active: cpu.active, checkPassed: cpu.checkPassed }, { name: 'cpu', active: 'cpu', checkPassed: true });

  if (existsSync(join(dist, 'native', 'blas.node'))) {
    mkdirSync(join(host, 'native'));
    copyFileSync(join(dist, 'native', 'blas.node'), join(host, 'native', 'blas.node'));
    const withBlas = JSON.parse((await run(process.execPath, [join(host, 'worker.cjs'), 'backend', '--backend', 'wasm'], { cwd: host, env: { PATH: process.env.PATH } })).stdout.trim());
    assert.deepEqual({ name: withBlas.name, matmul: withBlas.matmul, checkPassed: withBlas.checkPassed }, { name: 'wasm', matmul: 'openblas', checkPassed: true });
  }

  await assert.rejects(run(process.execPath, [join(host, 'worker.cjs'), 'backend', '--backend', 'tpu'], { cwd: host }),
    (error: { code?: number; stderr?: string }) => error.code === 2 && /--backend must be one of/.test(error.stderr ?? ''));
});
