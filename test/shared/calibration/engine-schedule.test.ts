/** The schedule the prediction plays is the engine's, and its timing follows the pipeline's known closed forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { playSchedule, stageOps } from '../../../src-shared/calibration/engine-schedule.js';
import { gpipeSchedule } from '../../../src-worker/engine/schedules/gpipe.js';
import { oneFOneBSchedule } from '../../../src-worker/engine/schedules/one-f-one-b.js';

test('op orders are the worker schedules, op for op', () => {
  for (const [m, p] of [[1, 1], [4, 2], [8, 4], [3, 4]]) {
    for (let s = 0; s < p; s += 1) {
      assert.deepEqual(stageOps('1f1b', m, p, s), oneFOneBSchedule(m, p, s));
      assert.deepEqual(stageOps('gpipe', m, p, s), gpipeSchedule(m));
    }
  }
});

test('GPipe and 1F1B take (m + p - 1)(f + b) with equal stages; the bubble is (p - 1)(f + b) on every stage', () => {
  for (const schedule of ['gpipe', '1f1b'] as const) {
    const [m, p, f, b] = [4, 2, 1, 2];
    const t = playSchedule(schedule, m, p, (_s, op) => ({ computeSeconds: op.kind === 'forward' ? f : b, communicationSeconds: 0, handOverSeconds: 0 }));
    assert.equal(Math.max(...t.map((x) => x.endSeconds)), (m + p - 1) * (f + b), schedule);
    for (const stage of t) assert.equal(stage.bubbleSeconds + stage.computeSeconds, stage.endSeconds);
    assert.equal(t[0].computeSeconds, m * (f + b));
  }
});

test('activations in flight: GPipe holds every micro-batch, 1F1B at most p - stage', () => {
  const cost = () => ({ computeSeconds: 1, communicationSeconds: 0, handOverSeconds: 0 });
  assert.deepEqual(playSchedule('gpipe', 8, 4, cost).map((s) => s.maxInFlight), [8, 8, 8, 8]);
  assert.deepEqual(playSchedule('1f1b', 8, 4, cost).map((s) => s.maxInFlight), [4, 3, 2, 1]);
});
