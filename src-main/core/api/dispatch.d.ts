/** Validates and dispatches one API call; shared by the Electron IPC handlers and the web-mode server. */
import { type ApiHandlers, type ApiMethodName } from '../../../src-shared/api/contract.js';
import { type ErrorPayload } from '../../../src-shared/errors.js';
import type { Logger } from '../log/logger.js';
/** True when `method` names a call of the contract (own property, not inherited). */
export declare function isApiMethod(method: string): method is ApiMethodName;
/** Checks the method and its arguments against the contract's schemas, then calls the handler. */
export declare function dispatchCall(handlers: ApiHandlers, method: string, args: unknown[]): Promise<unknown>;
/** The answer to one call as both transports send it. */
export type CallAnswer = {
    ok: true;
    result: unknown;
} | {
    ok: false;
    error: ErrorPayload;
};
/**
 * Dispatches one call and turns the outcome into its answer. An expected failure (a ShardScopeError)
 * goes back as is; anything else is a bug: it goes back as `{kind: 'internal'}` and is logged with its stack.
 */
export declare function answerCall(handlers: ApiHandlers, method: string, args: unknown[], log: Logger): Promise<CallAnswer>;
