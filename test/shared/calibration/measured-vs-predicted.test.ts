/** One sign convention and one memory source for every place that compares measured with predicted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorFraction, formatErrorFraction, rankMemoryOfStep, steadyStepSeconds } from '../../../src-shared/measured-vs-predicted.js';

test('error is (measured - predicted) / predicted: measuring more than predicted is positive', () => {
  assert.equal(errorFraction(110, 100), 0.1);
  assert.equal(errorFraction(50, 100), -0.5);
  assert.equal(formatErrorFraction(errorFraction(177, 100)), '+77%');
  assert.equal(formatErrorFraction(errorFraction(96, 100)), '-4.0%');
  assert.equal(errorFraction(1, 0), null);
  assert.equal(errorFraction(null, 3), null);
});

test('a rank\'s memory is its VmHWM when the worker read it, else RSS, and says which', () => {
  assert.deepEqual(rankMemoryOfStep({ processMemoryPeakBytes: 200, processMemoryBytes: 150 }), { bytes: 200, source: 'process-peak-vmhwm' });
  assert.deepEqual(rankMemoryOfStep({ processMemoryBytes: 150 }), { bytes: 150, source: 'process-rss' });
  assert.equal(rankMemoryOfStep({}), null);
});

test('step time leaves the warm-up step out', () => {
  assert.equal(steadyStepSeconds([5, 1, 2, 3]), 2);
  assert.equal(steadyStepSeconds([4]), 4);
  assert.equal(steadyStepSeconds([]), null);
});
