/** Main-side handlers of the planner calls: pure planner functions behind the contract's validated arguments. */
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { listPresets, planStrategy, searchStrategies, type SearchRequest, type SearchResult } from '../../../src-shared/planner/index.js';

/** The planner's part of the handler table (plan one strategy, search all, the catalogue for pickers); `search` runs searches elsewhere (a worker thread). */
export function plannerHandlers(search?: (request: SearchRequest) => Promise<SearchResult>): Pick<ApiHandlers, 'plan' | 'searchPlans' | 'getPlannerCatalogue'> {
  return {
    plan: async (request) => planStrategy(request),
    searchPlans: async (request) => (search ? search(request) : searchStrategies(request)),
    getPlannerCatalogue: async () => listPresets(),
  };
}
