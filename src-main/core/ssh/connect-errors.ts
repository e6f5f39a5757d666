/** Turns ssh2 / socket failures into ShardScopeErrors with a kind and a message a researcher can act on. */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { describeTarget, type RemoteTarget } from './target.js';

const unreachableCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is sshd running on that port?)',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
};

/** Maps an ssh2 `error` event (with `level` and `code`) to a ShardScopeError. */
export function mapConnectError(target: RemoteTarget, error: Error & { level?: string; code?: string }, methodsLeft: string[] | null, timeoutMs: number): ShardScopeError {
  if (error instanceof ShardScopeError) return error;
  const who = `host ${describeTarget(target)}`;
  if (error.level === 'client-authentication') {
    const methods = methodsLeft && methodsLeft.length > 0 ? methodsLeft.join(',') : 'publickey';
    return new ShardScopeError('ssh-auth', `${who}: permission denied (${methods}) — add your key to the host's authorized_keys, use --identity FILE, or check the password`);
  }
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT') {
    return new ShardScopeError('ssh-timeout', `${who}: no SSH answer within ${timeoutMs} ms — is the host up and reachable?`);
  }
  const reason = error.code ? unreachableCodes[error.code] : undefined;
  if (reason) return new ShardScopeError('ssh-unreachable', `${who}: ${reason}`);
  if (error.level === 'client-socket') return new ShardScopeError('ssh-unreachable', `${who}: ${error.message}`);
  return new ShardScopeError('protocol', `${who}: SSH failed: ${error.message}`);
}

/** The error for a connection that closed before it was ready without saying why. */
export function closedBeforeReady(target: RemoteTarget): ShardScopeError {
  return new ShardScopeError('ssh-unreachable', `host ${describeTarget(target)}: the connection closed during the SSH handshake`);
}
