/** A WebSocket client of a running web-mode app, speaking the same wire protocol as the UI. */
import WebSocket from 'ws';
import type { ApiEventName, ApiEvents, ApiMethodName, ApiResults } from '../../src-shared/api/contract.js';
import type { AppProcess } from './app-process.js';

/** The sub-protocols that authenticate a socket with this token. */
export function apiProtocols(token: string): string[] {
  return ['shardscope', `auth.${token}`];
}

/** Calls and events over one socket. */
export interface ApiClient {
  call<K extends ApiMethodName>(method: K, ...args: unknown[]): Promise<ApiResults[K]>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): void;
  close(): void;
}

/** Connects with the app's token (as the page sends it: a WebSocket sub-protocol) and its own Origin. */
export async function connectApi(app: AppProcess): Promise<ApiClient> {
  const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/api`, apiProtocols(app.token), { origin: app.origin });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, ((payload: unknown) => void)[]>();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if ('event' in message) {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
      return;
    }
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) call?.resolve(message.result);
    else call?.reject(Object.assign(new Error(message.error.message), { kind: message.error.kind }));
  });
  return {
    call: (method, ...args) => new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, args }));
    }),
    on: (event, listener) => listeners.set(event, [...(listeners.get(event) ?? []), listener as (payload: unknown) => void]),
    close: () => ws.close(),
  };
}
