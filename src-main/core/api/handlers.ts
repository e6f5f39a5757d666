/** Main-side handlers of ShardScopeApi, written once for both transports (IPC and WebSocket). */
import type { ApiHandlers, AppInfo } from '../../../src-shared/api/contract.js';
import type { Inventory } from '../../../src-shared/inventory.js';
import type { RecentSamples } from '../telemetry/recent-samples.js';
import { plannerHandlers } from './planner-handlers.js';

/** What the handlers read from; side effects come in as these functions. */
export interface HandlerDeps {
  appInfo: AppInfo;
  getInventory(): Promise<Inventory>;
  refreshInventory(): Promise<Inventory>;
  recent: RecentSamples;
}

/** Builds the handler table from its dependencies. */
export function createApiHandlers(deps: HandlerDeps): ApiHandlers {
  return {
    getAppInfo: async () => deps.appInfo,
    getInventory: () => deps.getInventory(),
    refreshInventory: () => deps.refreshInventory(),
    getRecentTelemetry: async ({ windowMs }) => deps.recent.window(windowMs),
    ...plannerHandlers(),
  };
}
