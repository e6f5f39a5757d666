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

test('robustAffineFit leaves out the one size a burst of load spoiled (over 50% off the line of the others), and keeps a clean series whole', async () => {
  const { robustAffineFit } = await import('../../../src-shared/calibration/interpolate.js');
  // the bench's fused segment of 2026-12-03 09:48: micro-batch 8 measured at 1.022 s where 1, 2, 4 lie on a line to ~0.53 s
  const spoiled = robustAffineFit([[1, 0.116], [2, 0.162], [4, 0.295], [8, 1.022]], 8);
  assert.deepEqual(spoiled.dropped, [8, 1.022]);
  assert.ok((spoiled.value as number) > 0.5 && (spoiled.value as number) < 0.6, String(spoiled.value));
  const clean = robustAffineFit([[1, 0.137], [2, 0.179], [4, 0.305], [8, 0.598]], 8);
  assert.equal(clean.dropped, null);
  assert.equal(clean.value, affineFit([[1, 0.137], [2, 0.179], [4, 0.305], [8, 0.598]], 8));
});
