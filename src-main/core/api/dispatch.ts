/** Validates and dispatches one API call; shared by the Electron IPC handlers and the web-mode server. */
import { apiArgSchemas, type ApiHandlers, type ApiMethodName } from '../../../src-shared/api/contract.js';
import { ShardScopeError } from '../../../src-shared/errors.js';

/** True when `method` names a call of the contract (own property, not inherited). */
export function isApiMethod(method: string): method is ApiMethodName {
  return Object.prototype.hasOwnProperty.call(apiArgSchemas, method);
}

/** Checks the method and its arguments against the contract's schemas, then calls the handler. */
export async function dispatchCall(handlers: ApiHandlers, method: string, args: unknown[]): Promise<unknown> {
  if (!isApiMethod(method)) throw new ShardScopeError('bad-input', `unknown call "${method}"`);
  const parsed = apiArgSchemas[method].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ShardScopeError('bad-input', `${method}: invalid arguments${where}: ${issue?.message ?? 'invalid'}`);
  }
  const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>;
  return handler(...(parsed.data as unknown[]));
}
