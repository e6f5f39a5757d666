/** Reading calibration figures at sizes between (and beyond) those measured. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affineFit, interpolate } from '../../../src-shared/calibration/interpolate.js';

test('interpolate is linear between neighbours and extrapolates from the nearest two', () => {
  const points = [[1, 10], [4, 40], [16, 100]] as const;
  assert.equal(interpolate(points, 2), 20);
  assert.equal(interpolate(points, 10), 70);
  assert.equal(interpolate(points, 32), 180);
  assert.equal(interpolate([[8, 4]], 2), 1);
  assert.equal(interpolate([], 2), null);
});

test('affineFit reads a noisy affine series off its least-squares line, not off the noise', () => {
  // 100 ms + 100 ms per row, with the b=4 point measured 2x slow (a busy moment on a shared host)
  const noisy = [[1, 200], [2, 300], [4, 1000], [8, 900]] as const;
  const at4 = affineFit(noisy, 4) as number;
  assert.ok(at4 > 450 && at4 < 700, `${at4}`);
  assert.equal(affineFit([[1, 2], [2, 4], [3, 6]], 5), 10);
  assert.equal(affineFit([[1, 5], [2, 7]], 3), 9, 'two points: interpolation');
});
