/**
 * The preload (sandboxed, bundled into one file): exposes exactly the ShardScopeApi calls and event
 * subscription on `window.shardscope` — a fixed list of functions, never a generic send(channel).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { apiEventNames, apiMethodNames, ipcChannel, ipcEventChannel, type ApiEventName } from '../../src-shared/api/contract.js';

type Envelope = { ok: true; result: unknown } | { ok: false; error: { kind: string; message: string } };

function unwrap(envelope: Envelope): unknown {
  if (envelope.ok) return envelope.result;
  // Errors cross the context bridge as plain objects; the renderer's bridge rebuilds them.
  throw Object.assign(new Error(envelope.error.message), { kind: envelope.error.kind });
}

const api: Record<string, unknown> = {};
for (const method of apiMethodNames) {
  api[method] = (...args: unknown[]) => ipcRenderer.invoke(ipcChannel(method), ...args).then(unwrap);
}
api.on = (event: ApiEventName, listener: (payload: unknown) => void) => {
  if (!apiEventNames.includes(event)) throw new Error(`unknown event ${String(event)}`);
  const channel = ipcEventChannel(event);
  const wrapped = (_e: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
};

contextBridge.exposeInMainWorld('shardscope', api);
