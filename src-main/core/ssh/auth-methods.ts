/** The auth attempts for a target, in order: agent, each identity file, password. Key problems fail early and clearly. */
import { readFileSync } from 'node:fs';
import { utils, type AnyAuthMethod, type ParsedKey } from 'ssh2';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { describeTarget, type RemoteTarget } from './target.js';

/** The `ssh-auth` error of a target with no agent, identity file or password. */
export function noAuthMethodsError(target: RemoteTarget): ShardScopeError {
  return new ShardScopeError('ssh-auth', `host ${describeTarget(target)}: no way to log in — no ssh-agent (SSH_AUTH_SOCK), no identity file and no password given; use --identity FILE or start ssh-agent`);
}

/** True when the target offers no way to log in (its host key can still be checked). */
export function hasNoAuthMethods(target: RemoteTarget): boolean {
  return (target.agentSocket ?? process.env.SSH_AUTH_SOCK ?? '') === '' && !target.identityFiles?.length && target.password === undefined;
}

/** Builds the auth methods to try; throws `ssh-auth`/`bad-input` for unreadable or locked keys. */
export function buildAuthMethods(target: RemoteTarget): AnyAuthMethod[] {
  const username = target.user;
  const methods: AnyAuthMethod[] = [];
  const agent = target.agentSocket ?? process.env.SSH_AUTH_SOCK ?? '';
  if (agent !== '') methods.push({ type: 'agent', username, agent });
  for (const file of target.identityFiles ?? []) methods.push({ type: 'publickey', username, key: loadPrivateKey(target, file) });
  if (target.password !== undefined) methods.push({ type: 'password', username, password: target.password });
  if (methods.length === 0) throw noAuthMethodsError(target);
  return methods;
}

function loadPrivateKey(target: RemoteTarget, file: string): ParsedKey {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    throw new ShardScopeError('bad-input', `host ${describeTarget(target)}: cannot read identity file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const parsed = utils.parseKey(data, target.passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error) {
    const isEncrypted = /encrypted|passphrase|decrypt/i.test(key.message);
    if (isEncrypted && target.passphrase === undefined) {
      throw new ShardScopeError('ssh-auth', `host ${describeTarget(target)}: key ${file} is protected by a passphrase — give the passphrase`, { needsPassphrase: true, file });
    }
    if (isEncrypted) throw new ShardScopeError('ssh-auth', `host ${describeTarget(target)}: wrong passphrase for key ${file}`, { needsPassphrase: true, file });
    throw new ShardScopeError('bad-input', `host ${describeTarget(target)}: ${file} is not a usable private key: ${key.message}`);
  }
  return key;
}
