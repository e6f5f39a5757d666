import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBatchedTransposedGrads, checkBroadcastBothWays, checkMatMulCase, matMulCases } from './matmul-checks.js';
import { loadNativeBlas, type Sgemm } from '../../../../src-worker/engine/backend/native-blas.js';
import { activeNativeSgemm, useNativeSgemm } from '../../../../src-worker/engine/backend/wasm-batch-matmul.js';
import { initBackend } from '../../../../src-worker/engine/backend/index.js';

const blas = loadNativeBlas({});
const skip = blas.sgemm ? false : `OpenBLAS addon not available: ${blas.reason}`;

let sgemmCalls = 0;
const countedSgemm: Sgemm = (...args) => { sgemmCalls++; blas.sgemm!(...args); };

/** Runs a shared check with the counting addon in place and asserts the products went through it. */
async function throughAddon(check: () => Promise<void>): Promise<void> {
  useNativeSgemm(countedSgemm);
  sgemmCalls = 0;
  await check();
  assert.ok(sgemmCalls > 0, 'the product went through the addon');
}

for (const c of matMulCases) {
  test(`OpenBLAS matMul ${JSON.stringify(c[0])} x ${JSON.stringify(c[1])} tA=${c[2]} tB=${c[3]} equals cpu`, { skip }, () => throughAddon(() => checkMatMulCase(c)));
}

test('OpenBLAS matMul broadcasts batch dimensions both ways (tiled inputs on cpu are the reference)', { skip }, () => throughAddon(checkBroadcastBothWays));

test('gradients of a batched transposed matMul through OpenBLAS equal cpu', { skip }, () => throughAddon(checkBatchedTransposedGrads));

test('the addon rejects arrays too short for the dimensions and non-float32 arrays instead of reading past them', { skip }, () => {
  const sgemm = blas.sgemm!;
  const c = new Float32Array(4);
  assert.throws(() => sgemm(false, false, 3, 2, 3, 1, new Float32Array(6), 3, new Float32Array(6), 2, 0, c, 2), /too short/);
  assert.throws(() => sgemm(false, false, 2, 2, 3, 1, new Float64Array(6) as unknown as Float32Array, 3, new Float32Array(6), 2, 0, c, 2), /Float32Array/);
  sgemm(false, false, 2, 2, 3, 1, new Float32Array([1, 2, 3, 4, 5, 6]), 3, new Float32Array([1, 0, 0, 1, 1, 1]), 2, 0, c, 2);
  assert.deepEqual(Array.from(c), [4, 5, 10, 11]);
});

test('SHARDSCOPE_NATIVE_BLAS=0 turns the addon off with a reason', () => {
  const off = loadNativeBlas({ SHARDSCOPE_NATIVE_BLAS: '0' });
  assert.equal(off.sgemm, undefined);
  assert.match('reason' in off ? off.reason : '', /SHARDSCOPE_NATIVE_BLAS=0/);
});

test('initBackend on wasm reports who computes matrix products and routes them accordingly', async () => {
  const off = await initBackend('wasm', { env: { SHARDSCOPE_NATIVE_BLAS: '0' } });
  assert.equal(off.name, 'wasm');
  assert.equal(off.matmul, 'builtin');
  assert.match(off.matmulReason ?? '', /SHARDSCOPE_NATIVE_BLAS=0/);
  assert.equal(activeNativeSgemm(), undefined);
  const on = await initBackend('wasm', { env: {} });
  assert.equal(on.matmul, blas.sgemm ? 'openblas' : 'builtin');
  assert.equal(activeNativeSgemm() !== undefined, Boolean(blas.sgemm));
  if (blas.sgemm) assert.match(on.device, /openblas/);
  const cpu = await initBackend('cpu', { env: {} });
  assert.equal(cpu.matmul, 'builtin');
});
