/** ShardScopeApi over the web-mode WebSocket (same origin; the page sends the session token as a sub-protocol). */
import { apiMethodNames, type ApiEventName, type ApiEvents, type ShardScopeApi } from '../../src-shared/api/contract.js';
import type { WireEvent, WireResponse } from '../../src-shared/api/wire.js';
import { fromErrorPayload, ShardScopeError } from '../../src-shared/errors.js';
import { askOpenTabsForSession, shareSessionWithNewTabs } from './session-handoff.js';
import { keepSessionToken, takeSessionToken } from './session-token.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** The token of this tab: its own, else one handed over by an open tab of this origin. */
async function sessionToken(): Promise<string | null> {
  const own = takeSessionToken();
  if (own) return own;
  const handed = await askOpenTabsForSession();
  if (handed) keepSessionToken(handed);
  return handed;
}

/** Opens the socket and resolves with the API once it is connected. */
export async function connectWebSocketApi(onClose: (reason: string) => void): Promise<ShardScopeApi> {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
  const token = await sessionToken();
  if (!token) throw new ShardScopeError('auth', 'this tab has no session token and no open ShardScope tab of this address answered');
  const socket = new WebSocket(url, ['shardscope', `auth.${token}`]);
  const pending = new Map<number, Pending>();
  const listeners = new Map<ApiEventName, Set<(payload: unknown) => void>>();
  let nextId = 1;

  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as WireResponse | WireEvent;
    if ('event' in data) {
      for (const listener of listeners.get(data.event as ApiEventName) ?? []) listener(data.payload);
      return;
    }
    const call = pending.get(data.id);
    if (!call) return;
    pending.delete(data.id);
    if (data.ok) call.resolve(data.result);
    else call.reject(fromErrorPayload(data.error));
  });
  socket.addEventListener('close', (event) => {
    for (const call of pending.values()) call.reject(new ShardScopeError('unavailable', 'connection to ShardScope closed'));
    pending.clear();
    onClose(event.reason || `connection closed (${event.code})`);
  });

  const api = {} as Record<string, unknown>;
  for (const method of apiMethodNames) {
    api[method] = (...args: unknown[]) => new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, args }));
    });
  }
  api.on = <E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener as (payload: unknown) => void);
    return () => set.delete(listener as (payload: unknown) => void);
  };

  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => {
      // Connected, so the token is good: hand it to new tabs of this origin while this one lives.
      const stopSharing = shareSessionWithNewTabs(token);
      socket.addEventListener('close', stopSharing, { once: true });
      resolve(api as unknown as ShardScopeApi);
    }, { once: true });
    socket.addEventListener('error', () => reject(new ShardScopeError('unavailable', 'could not connect to ShardScope')), { once: true });
  });
}
