/** src-shared/run-comparison.ts: labels, differences and the headline shared by History and the report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonHeadline, configDifferences, distinctLabels, plannedStepsOf, progressText, type ComparedRun } from '../../src-shared/run-comparison.js';

const run = (over: Partial<ComparedRun>): ComparedRun => ({
  id: 'run-20261203-aaaaaa', engine: 'tfjs', status: 'finished', stepsDone: 60, stepsPlanned: 60,
  model: { name: 'tiny', layers: 2 }, strategy: { dp: 2, tp: 1, pp: 1 }, tokensPerSecond: 1000, joulesPerToken: 0.01, ...over,
});

test('two runs of one strategy get different labels, even when their ids end alike', () => {
  const a = run({ id: 'run-1-00ab12cd34' });
  const b = run({ id: 'run-2-99ab12cd34' });
  const labels = distinctLabels([a, b]);
  assert.notEqual(labels[0], labels[1]);
  assert.ok(labels[0].startsWith('dp=2 tp=1 pp=1 · ') && labels[0].endsWith('00ab12cd34'), labels[0]);
  assert.deepEqual(distinctLabels([a, run({ id: 'x', strategy: { dp: 4 } })]), ['dp=2 tp=1 pp=1', 'dp=4 tp=1 pp=1'], 'no id when strategies differ');
  assert.deepEqual(distinctLabels([run({ engine: 'torch' }), run({ id: 'y', status: 'cancelled' })]), ['torch dp=2 tp=1 pp=1', 'dp=2 tp=1 pp=1 (cancelled)']);
});

test('a run stopped after 4 steps is never called fastest, and is said to be left out', () => {
  const done = run({ id: 'run-a-111111', tokensPerSecond: 900 });
  const stopped = run({ id: 'run-b-222222', status: 'cancelled', stepsDone: 4, stepsPlanned: 3000, tokensPerSecond: 5000, joulesPerToken: 0.001 });
  const h = comparisonHeadline([stopped, done]);
  assert.equal(h.fastestRunId, 'run-a-111111');
  assert.equal(h.leastEnergyPerTokenRunId, 'run-a-111111');
  assert.deepEqual(h.unrankedRunIds, ['run-b-222222']);
  assert.match(h.verdict, /^Fastest: dp=2 tp=1 pp=1 · 111111 \(run run-a-111111\) at 900 tokens\/s; least energy per token: .* \(measured, finished runs only\)\./);
  assert.match(h.verdict, /Not ranked: dp=2 tp=1 pp=1 · 222222 \(cancelled\), cancelled after 4 of 3000 steps\./);
  assert.match(h.verdict, /Differs: steps asked 3000 vs 60\./);
});

test('no finished run: nothing ranked; same configuration said as such', () => {
  const h = comparisonHeadline([run({ id: 'a', status: 'failed', stepsDone: 0 }), run({ id: 'b', status: 'interrupted', stepsDone: 3 })]);
  assert.equal(h.fastestRunId, null);
  assert.match(h.verdict, /^No run finished, so none is ranked/);
  assert.match(h.verdict, /Same configuration\./);
});

test('differences: flat fields of engine, model, strategy and steps asked; a missing field reads –', () => {
  const d = configDifferences([run({ strategy: { dp: 2, zeroStage: 1 } }), run({ id: 'b', engine: 'torch', strategy: { dp: 2 }, model: { name: 'bench', layers: 2 } })]);
  assert.deepEqual(d, [
    { field: 'engine', values: ['tfjs', 'torch'] },
    { field: 'model name', values: ['tiny', 'bench'] },
    { field: 'zeroStage', values: ['1', '–'] },
  ]);
});

test('planned steps come from the stored plan; progress reads for people', () => {
  assert.equal(plannedStepsOf({ config: { steps: 3000 } }), 3000);
  assert.equal(plannedStepsOf(null), null);
  assert.equal(progressText({ status: 'finished', stepsDone: 1, stepsPlanned: 1 }), 'finished 1 step');
  assert.equal(progressText({ status: 'cancelled', stepsDone: 4, stepsPlanned: null }), 'cancelled after 4 steps');
});
