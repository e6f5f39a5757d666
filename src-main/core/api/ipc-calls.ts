/**
 * The desktop app's API calls over IPC, served the way web mode serves its WebSocket: the sender is
 * checked, then each sender (window) gets its own CallLimiter (a few calls in flight, a bounded
 * queue, stopRun/getAppInfo never queued) in front of the shared dispatcher. Heavy work runs where
 * the handlers put it (strategy searches: the planner thread). Electron's `ipcMain` is passed in
 * (this file never imports electron), so plain Node tests drive the same code.
 */
import { apiMethodNames, ipcChannel } from '../../../src-shared/api/contract.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { toErrorPayload } from '../../../src-shared/errors.js';
import type { Logger } from '../log/logger.js';
import { CallLimiter, DEFAULT_CALL_LIMITS, type CallLimits } from './call-limiter.js';
import { answerCall, type CallAnswer } from './dispatch.js';

/** What a handler sees of an IPC call's event (Electron's IpcMainInvokeEvent has these). */
export interface IpcCallEvent {
  sender: { id: number };
  senderFrame?: { url: string } | null;
}

/** The part of Electron's ipcMain this needs. */
export interface IpcCallRegistry {
  handle(channel: string, listener: (event: IpcCallEvent, ...args: unknown[]) => Promise<CallAnswer>): void;
}

/** How the calls are served. */
export interface IpcCallOptions {
  handlers: ApiHandlers;
  log: Logger;
  /** True when the event comes from one of our windows showing our own page. */
  isTrustedSender(event: IpcCallEvent): boolean;
  limits?: CallLimits;
}

/**
 * True when a frame shows our page. The fragment is left out: the renderer's routes (`#/runs/<id>`,
 * `#/planner`) change the frame's URL without leaving the page, and must not make it a stranger.
 */
export function isOwnPageUrl(frameUrl: string | undefined, pageUrl: string): boolean {
  if (!frameUrl) return false;
  const hashAt = frameUrl.indexOf('#');
  return (hashAt < 0 ? frameUrl : frameUrl.slice(0, hashAt)) === pageUrl;
}

/** Registers one handler per API method; `forgetSender` drops a closed window's queue. */
export function registerIpcCalls(ipc: IpcCallRegistry, options: IpcCallOptions): { forgetSender(senderId: number): void } {
  const limiters = new Map<number, CallLimiter>();
  const limiterOf = (senderId: number): CallLimiter => {
    let limiter = limiters.get(senderId);
    if (!limiter) {
      limiter = new CallLimiter(options.limits ?? DEFAULT_CALL_LIMITS);
      limiters.set(senderId, limiter);
    }
    return limiter;
  };
  for (const method of apiMethodNames) {
    ipc.handle(ipcChannel(method), async (event, ...args) => {
      if (!options.isTrustedSender(event)) {
        options.log.warn(`refused IPC call "${method}" from an untrusted sender (${event.senderFrame?.url ?? 'no frame'})`);
        return { ok: false, error: { kind: 'auth', message: 'untrusted sender' } };
      }
      // A call past the sender's queue is refused as `unavailable`, like web mode's.
      return limiterOf(event.sender.id).run(method, () => answerCall(options.handlers, method, args, options.log))
        .catch((error: unknown): CallAnswer => ({ ok: false, error: toErrorPayload(error) }));
    });
  }
  return {
    forgetSender(senderId) {
      limiters.get(senderId)?.clear();
      limiters.delete(senderId);
    },
  };
}
