/** Validates and dispatches one API call; shared by the Electron IPC handlers and the web-mode server. */
import { apiArgSchemas, type ApiHandlers, type ApiMethodName } from '../../../src-shared/api/contract.js';
import { ShardScopeError, toErrorPayload, type ErrorPayload } from '../../../src-shared/errors.js';
import type { Logger } from '../log/logger.js';

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

/** The answer to one call as both transports send it. */
export type CallAnswer = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

/**
 * Dispatches one call and turns the outcome into its answer. An expected failure (a ShardScopeError)
 * goes back as is; anything else is a bug: it goes back as `{kind: 'internal'}` and is logged with its stack.
 */
export async function answerCall(handlers: ApiHandlers, method: string, args: unknown[], log: Logger): Promise<CallAnswer> {
  try {
    return { ok: true, result: await dispatchCall(handlers, method, args) };
  } catch (error) {
    const payload = toErrorPayload(error);
    if (payload.kind === 'internal') log.error(`internal error in API call ${JSON.stringify(method)}`, error);
    return { ok: false, error: payload };
  }
}
