/** Main-side handlers of the planner calls: pure planner functions behind the contract's validated arguments. */
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { listPresets, planStrategy, searchStrategies } from '../../../src-shared/planner/index.js';

/** The planner's part of the handler table (plan one strategy, search all, the catalogue for pickers). */
export function plannerHandlers(): Pick<ApiHandlers, 'plan' | 'searchPlans' | 'getPlannerCatalogue'> {
  return {
    plan: async (request) => planStrategy(request),
    searchPlans: async (request) => searchStrategies(request),
    getPlannerCatalogue: async () => listPresets(),
  };
}
