import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { dispatchCall } from '../../../src-main/core/api/dispatch.js';
import { plannerHandlers } from '../../../src-main/core/api/planner-handlers.js';

// dispatchCall only touches the handler it dispatches to, so the planner's part is enough here.
const handlers = plannerHandlers() as unknown as ApiHandlers;

test('plan, searchPlans and getPlannerCatalogue go through the contract schemas', async () => {
  const catalogue = (await dispatchCall(handlers, 'getPlannerCatalogue', [])) as { models: Record<string, unknown>; gpus: Record<string, unknown> };
  assert.ok(catalogue.models['llama2-70b'] && catalogue.gpus.h200);
  const plan = (await dispatchCall(handlers, 'plan', [{ model: 'llama2-70b', cluster: { gpu: 'h200', gpus: 16 }, strategy: { tp: 8, pp: 2, zeroStage: 1 } }])) as { fits: boolean; strategy: { dp: number } };
  assert.equal(plan.strategy.dp, 1);
  assert.equal(typeof plan.fits, 'boolean');
  const search = (await dispatchCall(handlers, 'searchPlans', [{ model: 'llama2-7b', cluster: { gpu: 'rtx-4090', gpus: 8 }, objective: 'memory', limit: 3 }])) as { candidates: unknown[] };
  assert.ok(search.candidates.length > 0 && search.candidates.length <= 3);
});

test('bad planner arguments are bad-input before any planning', async () => {
  await assert.rejects(dispatchCall(handlers, 'plan', [{ model: 'llama2-7b', cluster: { gpu: 'h200', gpus: 0 } }]),
    (e: unknown) => e instanceof ShardScopeError && e.kind === 'bad-input' && /plan: invalid arguments at 0\.cluster\.gpus/.test(e.message));
  await assert.rejects(dispatchCall(handlers, 'plan', [{ model: 'llama2-7b', cluster: { gpu: 'h200', gpus: 6 }, strategy: { tp: 4 } }]),
    (e: unknown) => e instanceof ShardScopeError && e.kind === 'bad-input' && /tp×pp = 4 does not divide the 6 GPUs/.test(e.message));
});
