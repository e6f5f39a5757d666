/** The planner's public surface: plan one strategy, search all of them, the catalogue, and the request schemas. */
export { planStrategy, contextOf } from './plan.js';
export { searchStrategies, searchContext, smallestFittingCluster, paretoFront, mergeNearDuplicates, type SearchResult } from './search.js';
export { listPresets, modelPreset, gpuSpec, gpuSpecFromFile } from './catalogue.js';
export { modelFromHfConfig, isHfConfig } from './hf-config.js';
export { busBandwidthFromTimings, type TimedCollective } from './calibration-input.js';
export { evaluateStrategy, type PlanResult, type MemoryBreakdown } from './evaluate.js';
export { resolveContext, resolveStrategy, type PlanContext, type ResolvedStrategy } from './resolve.js';
export { explainMisfit } from './explain.js';
export {
  modelSpecSchema, gpuSpecSchema, strategyInputSchema, planRequestSchema, searchRequestSchema, objectiveSchema,
  type ModelSpec, type GpuSpec, type StrategyInput, type PlanRequest, type SearchRequest, type Objective,
} from './schemas.js';
