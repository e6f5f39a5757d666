/** planStrategy: validates a plan request and evaluates its strategy. */
import { evaluateStrategy, type PlanResult } from './evaluate.js';
import { resolveContext, resolveStrategy, type PlanContext } from './resolve.js';
import { parseOrBadInput, planRequestSchema, type PlanRequest } from './schemas.js';

/** Builds the plan context of a request (model, GPU, links) after validating it; bad input throws `bad-input`. */
export function contextOf(request: PlanRequest): PlanContext {
  const r = parseOrBadInput(planRequestSchema, request, 'plan request');
  return resolveContext(r.model, r.cluster.gpu, r.cluster.gpus, r.cluster.gpusPerNode, r.overrides);
}

/** Plans one strategy: memory per GPU, fit, communication, step time, throughput and energy. */
export function planStrategy(request: PlanRequest): PlanResult {
  const r = parseOrBadInput(planRequestSchema, request, 'plan request');
  const ctx = resolveContext(r.model, r.cluster.gpu, r.cluster.gpus, r.cluster.gpusPerNode, r.overrides);
  return evaluateStrategy(ctx, resolveStrategy(ctx, r.strategy));
}
