/**
 * ShardScopeApi over the web-mode WebSocket (same origin; the page sends the session token as a
 * sub-protocol). When the socket closes, calls in flight fail, new calls fail at once (nothing waits
 * on a socket that is gone) and the client reconnects with backoff; subscriptions carry over.
 */
import { apiMethodNames, type ApiEventName, type ApiEvents, type ShardScopeApi } from '../../src-shared/api/contract.js';
import type { WireEvent, WireResponse } from '../../src-shared/api/wire.js';
import { fromErrorPayload, ShardScopeError } from '../../src-shared/errors.js';
import { askOpenTabsForSession, shareSessionWithNewTabs } from './session-handoff.js';
import { keepSessionToken, takeSessionToken } from './session-token.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** What the page hears about the connection after it first opened. */
export interface ConnectionEvents {
  /** The socket closed (the server went away, or the network did); the client is reconnecting. */
  onClose(reason: string): void;
  /** A reconnect attempt failed; `isServerUp` when the server answers HTTP but refused this tab's session. */
  onRetry?(attempt: number, nextInMs: number, isServerUp: boolean): void;
  /** Connected again. */
  onReconnect?(): void;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
/** A socket silent this long gets a probe call; silent as long again after it, it counts as lost (a hung or stopped server keeps TCP open). */
const SILENCE_MS = 10_000;
/** A connection attempt not open by then is given up (a stopped server still accepts TCP). */
const OPEN_TIMEOUT_MS = 10_000;

/** Is anything answering HTTP at this origin (the server is up even if it refused our socket)? */
async function serverAnswers(): Promise<boolean> {
  try {
    await fetch(`${location.origin}/`, { cache: 'no-store', redirect: 'manual', signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/** The token of this tab: its own, else one handed over by an open tab of this origin. */
async function sessionToken(): Promise<string | null> {
  const own = takeSessionToken();
  if (own) return own;
  const handed = await askOpenTabsForSession();
  if (handed) keepSessionToken(handed);
  return handed;
}

/** Opens the socket and resolves with the API once it is connected. */
export async function connectWebSocketApi(events: ConnectionEvents): Promise<ShardScopeApi> {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
  const token = await sessionToken();
  if (!token) throw new ShardScopeError('auth', 'this tab has no session token and no open ShardScope tab of this address answered');
  const pending = new Map<number, Pending>();
  const listeners = new Map<ApiEventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | null = null;

  let lastHeardMs = Date.now();
  let probeSentMs: number | null = null;
  const onMessage = (message: MessageEvent) => {
    lastHeardMs = Date.now();
    probeSentMs = null;
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
  };

  /** One connection attempt: resolves once open; rejects when it closes first. */
  const open = () => new Promise<WebSocket>((resolve, reject) => {
    const attempt = new WebSocket(url, ['shardscope', `auth.${token}`]);
    const timer = setTimeout(() => { attempt.close(); reject(new ShardScopeError('unavailable', 'ShardScope did not answer')); }, OPEN_TIMEOUT_MS);
    attempt.addEventListener('message', onMessage);
    attempt.addEventListener('open', () => {
      clearTimeout(timer);
      lastHeardMs = Date.now();
      // Connected, so the token is good: hand it to new tabs of this origin while this socket lives.
      const stopSharing = shareSessionWithNewTabs(token);
      attempt.addEventListener('close', stopSharing, { once: true });
      resolve(attempt);
    }, { once: true });
    attempt.addEventListener('close', (event) => {
      clearTimeout(timer);
      if (socket === attempt) onLost(event.reason || `connection closed (${event.code})`);
      else reject(new ShardScopeError('unavailable', 'could not connect to ShardScope'));
    }, { once: true });
  });

  // A server that stops answering without closing (hung, or SIGSTOPped) is found by its silence.
  setInterval(() => {
    const current = socket;
    if (!current || current.readyState !== WebSocket.OPEN || Date.now() - lastHeardMs < SILENCE_MS) return;
    if (probeSentMs === null) {
      probeSentMs = Date.now();
      (api.getAppInfo as () => Promise<unknown>)().catch(() => undefined);
    } else if (Date.now() - probeSentMs >= SILENCE_MS) {
      probeSentMs = null;
      current.close();
      onLost(`no answer from ShardScope for ${Math.round((Date.now() - lastHeardMs) / 1000)} s`);
    }
  }, 1000);

  const onLost = (reason: string) => {
    socket = null;
    for (const call of pending.values()) call.reject(new ShardScopeError('unavailable', 'connection to ShardScope closed'));
    pending.clear();
    events.onClose(reason);
    void reconnect();
  };

  const reconnect = async () => {
    for (let attempt = 1; ; attempt++) {
      const delayMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      try {
        socket = await open();
        events.onReconnect?.();
        return;
      } catch {
        events.onRetry?.(attempt, Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt), await serverAnswers());
      }
    }
  };

  const api = {} as Record<string, unknown>;
  for (const method of apiMethodNames) {
    api[method] = (...args: unknown[]) => new Promise((resolve, reject) => {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        reject(new ShardScopeError('unavailable', 'not connected to ShardScope (reconnecting)'));
        return;
      }
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

  socket = await open();
  return api as unknown as ShardScopeApi;
}
