/** The API for this page: the preload's in the desktop app, the WebSocket client in web mode. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import { ShardScopeError } from '../../src-shared/errors.js';
import { connectWebSocketApi, type ConnectionEvents } from './web-socket-client.js';

declare global {
  interface Window { shardscope?: ShardScopeApi }
}

/** Wraps the preload API so its errors come back as ShardScopeErrors with their kind. */
function wrapPreloadApi(preload: ShardScopeApi): ShardScopeApi {
  return new Proxy(preload, {
    get(target, property) {
      const value = target[property as keyof ShardScopeApi];
      if (typeof value !== 'function' || property === 'on') return value;
      return (...args: unknown[]) => (value as (...a: unknown[]) => Promise<unknown>)(...args).catch((error: { kind?: string; message?: string }) => {
        throw new ShardScopeError((error.kind ?? 'internal') as never, error.message ?? String(error));
      });
    },
  });
}

/** Resolves with the API of whichever transport this page runs under (the connection events are web mode's). */
export async function getApi(events: ConnectionEvents): Promise<ShardScopeApi> {
  if (window.shardscope) return wrapPreloadApi(window.shardscope);
  return connectWebSocketApi(events);
}
