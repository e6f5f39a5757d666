/** Validates and dispatches one API call; shared by the Electron IPC handlers and the web-mode server. */
import { type ApiHandlers, type ApiMethodName } from '../../../src-shared/api/contract.js';
/** True when `method` names a call of the contract (own property, not inherited). */
export declare function isApiMethod(method: string): method is ApiMethodName;
/** Checks the method and its arguments against the contract's schemas, then calls the handler. */
export declare function dispatchCall(handlers: ApiHandlers, method: string, args: unknown[]): Promise<unknown>;
