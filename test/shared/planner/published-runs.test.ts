// The planner against its validation set of published training runs (published-runs.json; table in docs/planner.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRun, loadPublishedRuns } from './published-runs-support.js';

const runs = loadPublishedRuns();

test('every published run can be expressed, and every one that trained is judged to fit', () => {
  assert.ok(runs.length >= 30, `${runs.length} runs`);
  for (const run of runs) {
    assert.ok(run.source.length > 20 && /^https:\/\//.test(run.url), `${run.id} cites its source`);
    const { plan } = compareRun(run); // throws bad-input where a configuration cannot be expressed
    assert.ok(plan.fits, `${run.id} trained but is judged not to fit: ${plan.why}`);
  }
});

test('at least 80% of published throughput / step-time figures are predicted within 15% (out-of-sample rows at least 50%)', () => {
  const all = runs.map(compareRun);
  const rows = all.filter((r) => !r.run.outOfSample);
  const oos = all.filter((r) => r.run.outOfSample);
  assert.ok(oos.length >= 15 && oos.filter((r) => Math.abs(r.error) <= 0.15).length / oos.length >= 0.5, 'out-of-sample rows');
  const within = rows.filter((r) => Math.abs(r.error) <= 0.15);
  const worst = rows.filter((r) => Math.abs(r.error) > 0.15).map((r) => `${r.run.id} ${(r.error * 100).toFixed(1)}%`);
  assert.ok(within.length / rows.length >= 0.8, `${within.length}/${rows.length} within 15%; outside: ${worst.join(', ')}`);
  // No bias by software era: the 2021-22 Megatron runs and the recent flash/FSDP runs both centre near zero.
  const meanError = (ids: RegExp) => { const sel = rows.filter((r) => ids.test(r.run.id)); return sel.reduce((a, r) => a + r.error, 0) / sel.length; };
  assert.ok(Math.abs(meanError(/^(megatron|korthikanti|bloom)/)) < 0.1, `old stacks mean error ${meanError(/^(megatron|korthikanti|bloom)/)}`);
  assert.ok(Math.abs(meanError(/^(mpt|llama3)/)) < 0.1, `recent stacks mean error ${meanError(/^(mpt|llama3)/)}`);
});
