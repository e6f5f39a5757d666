import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addFloat32Simd } from '../../../src-worker/collective/wasm-add.js';
import { reduceAllInto, reduceInto } from '../../../src-worker/collective/reduce.js';

const specials = [0, -0, 1, -1, 0.1, 1e-45, -1e-45, 3.4e38, -3.4e38, Infinity, -Infinity, 1e30, 16777216, 0.5];

/** Values mixing magnitudes and IEEE special cases, so rounding and edge cases are exercised. */
function values(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = i % 5 === 0 ? specials[x % specials.length] : ((x / 2147483648) - 0.5) * 10 ** ((x % 13) - 6);
  }
  return out;
}

test('the wasm SIMD add kernel is available on this Node and bit-identical to element-wise float32 addition', () => {
  assert.ok(addFloat32Simd, 'WebAssembly SIMD should compile on Node 20');
  // Lengths around the 4-lane width and the 16384-element piece size, plus a multi-piece length.
  for (const length of [0, 1, 3, 4, 7, 16383, 16384, 16385, 16384 * 3 + 2, 100_003]) {
    const acc = values(length, length + 1);
    const src = values(length, length + 7);
    const expected = acc.map((a, i) => Math.fround(a + src[i]));
    addFloat32Simd!(acc, [src], length);
    for (let i = 0; i < length; i++) {
      if (!Object.is(acc[i], expected[i]) && !(Number.isNaN(acc[i]) && Number.isNaN(expected[i]))) {
        assert.fail(`length ${length}, element ${i}: got ${acc[i]}, expected ${expected[i]}`);
      }
    }
  }
});

test('reduceInto sums a sub-range through the kernel and leaves the rest of the array untouched', () => {
  const work = values(50_000, 3);
  const before = work.slice();
  const incoming = values(30_000, 5);
  reduceInto(work, 10_000, 40_000, new Uint8Array(incoming.buffer), 'sum', true);
  for (let i = 0; i < work.length; i++) {
    const expected = i >= 10_000 && i < 40_000 ? Math.fround(before[i] + incoming[i - 10_000]) : before[i];
    if (!Object.is(work[i], expected) && !(Number.isNaN(work[i]) && Number.isNaN(expected))) assert.fail(`element ${i}: got ${work[i]}, expected ${expected}`);
  }
});

test('reduceAllInto adds several contributions in the given order, bit-identical to adding them one by one, with SIMD or without', () => {
  const length = 16384 * 2 + 9;
  const sources = [values(length, 13), values(length, 17), values(length, 19)];
  const expected = values(length, 11);
  for (const src of sources) for (let i = 0; i < length; i++) expected[i] += src[i];
  for (const simd of [true, false]) {
    const work = values(length, 11);
    reduceAllInto(work, 0, length, sources.map((src) => new Uint8Array(src.buffer)), 'sum', simd);
    for (let i = 0; i < length; i++) {
      if (!Object.is(work[i], expected[i]) && !(Number.isNaN(work[i]) && Number.isNaN(expected[i]))) assert.fail(`simd ${simd}, element ${i}: got ${work[i]}, expected ${expected[i]}`);
    }
  }
  // Non-float or non-sum reductions take the scalar path with the same order.
  const ints = new Int32Array([1, 2, 3, 2147483647]);
  reduceAllInto(ints, 0, 4, [new Int32Array([1, 1, 1, 1]), new Int32Array([10, 10, 10, 0])].map((a) => new Uint8Array(a.buffer)), 'sum', true);
  assert.deepEqual([...ints], [12, 13, 14, -2147483648]);
});
